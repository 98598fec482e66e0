import { describe, expect, it, vi } from 'vitest';
import { CLOSE_TOO_MANY_CONNECTIONS } from '../../src/server/ws/close-codes.js';
import { createAddressSlots } from '../../src/server/subscriptions/addresses.js';
import { createQuotas } from '../../src/server/ws/quotas.js';
import { DomainError } from '../../src/shared/errors.js';
import { FakeSocket } from './ws-fakes.js';

const config = { maxConnectionsPerUser: 2, maxSubscriptionsPerConnection: 2, maxSubscriptionsPerUser: 3 };

function quotas(check: (scope: string) => Promise<void> = async () => {}) {
  const metrics = { wsDisconnected: vi.fn() };
  return { quotas: createQuotas<{ name: string }>({ config, addresses: createAddressSlots(2), rateLimits: { check }, metrics }), metrics };
}

const op = (name: string) => ({ name });

describe('WebSocket quotas', () => {
  it('refuses an operation over the per-connection cap, and takes one again once another completes', async () => {
    const { quotas: q } = quotas();
    const socket = new FakeSocket();
    const alice = { userId: 'alice', ip: '10.0.0.1' };
    expect(await q.claim(socket, '1', op('a'), alice)).toBeUndefined();
    expect(await q.claim(socket, '2', op('b'), alice)).toBeUndefined();
    const refused = await q.claim(socket, '3', op('c'), alice);
    expect(refused?.[0]?.message).toMatch(/Too many open operations on this connection: at most 2/);
    expect(refused?.[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(q.release(socket, '1')).toEqual(op('a'));
    expect(q.release(socket, '1')).toBeUndefined();
    expect(await q.claim(socket, '3', op('c'), alice)).toBeUndefined();
    expect(q.openOperations).toBe(2);
  });

  it('keeps each of several operations on one socket apart, down to none and up again', async () => {
    const { quotas: q } = quotas();
    const socket = new FakeSocket();
    const alice = { userId: 'alice', ip: null };
    expect(await q.claim(socket, '1', op('a'), alice)).toBeUndefined();
    expect(await q.claim(socket, '2', op('b'), alice)).toBeUndefined();
    expect(q.operation(socket, '1')).toEqual(op('a'));
    expect(q.operation(socket, '2')).toEqual(op('b'));
    expect(q.release(socket, '2')).toEqual(op('b'));
    expect(q.operation(socket, '2')).toBeUndefined();
    expect(q.release(socket, '2')).toBeUndefined();
    expect(q.release(socket, '1')).toEqual(op('a'));
    expect(q.openOperations).toBe(0);
    expect(await q.claim(socket, '3', op('c'), alice)).toBeUndefined();
    expect(q.operation(socket, '3')).toEqual(op('c'));
    expect(q.operation(socket, '1')).toBeUndefined();
    q.closed(socket);
    expect(q.openOperations).toBe(0);
    expect(await q.claim(new FakeSocket(), '1', op('d'), alice)).toBeUndefined();
    expect(await q.claim(new FakeSocket(), '1', op('e'), alice)).toBeUndefined();
    expect(await q.claim(new FakeSocket(), '1', op('f'), alice)).toBeUndefined();
  });

  it('counts a user across sockets and gives everything back when a socket closes', async () => {
    const { quotas: q } = quotas();
    const [one, two] = [new FakeSocket(), new FakeSocket()];
    const alice = { userId: 'alice', ip: null };
    await q.claim(one, '1', op('a'), alice);
    await q.claim(one, '2', op('b'), alice);
    await q.claim(two, '1', op('c'), alice);
    expect((await q.claim(two, '2', op('d'), alice))?.[0]?.message).toMatch(/Too many open subscriptions for this user: at most 3/);
    q.closed(one);
    expect(q.openOperations).toBe(1);
    expect(q.operation(one, '1')).toBeUndefined();
    expect(await q.claim(two, '2', op('d'), alice)).toBeUndefined();
  });

  it('takes the slot before the rate limit is awaited, so a burst is checked one by one', async () => {
    const pending: Array<() => void> = [];
    const { quotas: q } = quotas(() => new Promise<void>((resolve) => pending.push(resolve)));
    const socket = new FakeSocket();
    const caller = { userId: 'alice', ip: null };
    const first = q.claim(socket, '1', op('a'), caller);
    const second = q.claim(socket, '2', op('b'), caller);
    const third = q.claim(socket, '3', op('c'), caller);
    expect((await third)?.[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(pending).toHaveLength(2);
    for (const pass of pending) pass();
    expect(await first).toBeUndefined();
    expect(await second).toBeUndefined();
  });

  it('answers RATE_LIMITED with retryAfter and gives the slot back; another failure is thrown', async () => {
    const limited = quotas(async () => {
      throw new DomainError('RATE_LIMITED', 'Too many subscribe messages: try again in 7 s', { retryAfter: 7 });
    }).quotas;
    const socket = new FakeSocket();
    const refused = await limited.claim(socket, '1', op('a'), { userId: 'alice', ip: null });
    expect(refused?.[0]?.extensions).toEqual({ retryAfter: 7, code: 'RATE_LIMITED' });
    expect(limited.openOperations).toBe(0);

    const broken = quotas(async () => {
      throw new Error('redis is down');
    }).quotas;
    await expect(broken.claim(socket, '1', op('a'), { userId: 'alice', ip: null })).rejects.toThrow('redis is down');
    expect(broken.openOperations).toBe(0);
  });

  it('closes (4429) a socket over the per-address cap, and frees the slot when a counted socket closes', () => {
    const { quotas: q, metrics } = quotas();
    const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    expect(q.admitAddress(sockets[0]!, '10.0.0.1')).toBe(true);
    expect(q.admitAddress(sockets[1]!, '10.0.0.1')).toBe(true);
    expect(q.admitAddress(sockets[2]!, '10.0.0.1')).toBe(false);
    expect(sockets[2]!.closes).toEqual([{ code: CLOSE_TOO_MANY_CONNECTIONS, reason: 'Too many connections from this address' }]);
    expect(metrics.wsDisconnected).toHaveBeenCalledWith('too_many_connections');
    expect(q.addressOf(sockets[0]!)).toBe('10.0.0.1');
    expect(q.admitAddress(new FakeSocket(), '10.0.0.2')).toBe(true);
    sockets[0]!.emit('close');
    sockets[0]!.emit('close'); // a slot is given back once
    expect(q.addressOf(sockets[0]!)).toBeUndefined();
    expect(q.admitAddress(new FakeSocket(), '10.0.0.1')).toBe(true);
    expect(q.admitAddress(new FakeSocket(), '10.0.0.1')).toBe(false);
  });

  it('closes (4429) a socket over the per-user cap, and frees the slot when a signed-in socket closes', () => {
    const { quotas: q } = quotas();
    const [one, two, three] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    expect(q.admitUser(one, 'alice')).toBe(true);
    expect(q.admitUser(two, 'alice')).toBe(true);
    expect(q.admitUser(three, 'alice')).toBe(false);
    expect(three.closes).toEqual([{ code: CLOSE_TOO_MANY_CONNECTIONS, reason: 'Too many connections for this user' }]);
    q.closed(three); // never admitted: gives nothing back
    expect(q.admitUser(new FakeSocket(), 'alice')).toBe(false);
    q.closed(one);
    expect(q.admitUser(new FakeSocket(), 'alice')).toBe(true);
  });
});
