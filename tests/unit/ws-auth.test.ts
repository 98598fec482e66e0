import 'reflect-metadata';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthInfo } from '../../src/modules/auth/auth.types.js';
import { AccessTokenExpiredError } from '../../src/modules/auth/tokens.js';
import { Role } from '../../src/modules/auth/user.entity.js';
import { createSocketAuth } from '../../src/server/ws/auth.js';
import { CLOSE_UNAUTHORIZED } from '../../src/server/ws/close-codes.js';
import { DomainError } from '../../src/shared/errors.js';
import { FakeSocket } from './ws-fakes.js';

const ALICE: AuthInfo = { userId: 'alice', sessionId: 's1', role: Role.CUSTOMER };
const CLIENT = { ipAddress: '10.0.0.1', userAgent: 'test' };

function auth(authenticate: (token: string) => Promise<AuthInfo> = async () => ALICE) {
  const metrics = { wsDisconnected: vi.fn() };
  const clock = { now: () => new Date() };
  return { socketAuth: createSocketAuth({ authority: { authenticate: vi.fn(authenticate) }, clock, metrics }), metrics };
}

const tokenExpiringIn = (seconds: number) => jwt.sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + seconds }, 'secret');

describe('WebSocket sign-in', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('signs in with the bearer token of connection_init, in either spelling of the key', async () => {
    const { socketAuth } = auth();
    expect(await socketAuth.signIn({ authorization: 'Bearer abc' })).toEqual({ auth: ALICE, token: 'abc' });
    expect(await socketAuth.signIn({ Authorization: 'Bearer abc' })).toEqual({ auth: ALICE, token: 'abc' });
  });

  it('refuses no token, a malformed one and a rejected one; any other failure propagates', async () => {
    const { socketAuth } = auth(async () => {
      throw new DomainError('UNAUTHENTICATED', 'Session ended');
    });
    expect(await socketAuth.signIn(undefined)).toBeNull();
    expect(await socketAuth.signIn({ authorization: 'Basic abc' })).toBeNull();
    expect(await socketAuth.signIn({ authorization: 'Bearer abc' })).toBeNull();
    const broken = auth(async () => {
      throw new Error('database down');
    }).socketAuth;
    await expect(broken.signIn({ authorization: 'Bearer abc' })).rejects.toThrow('database down');
  });

  it('tells an expired token (to close 4401, the client refreshes) from a refused one (4403)', async () => {
    const { socketAuth } = auth(async () => {
      throw new AccessTokenExpiredError();
    });
    expect(await socketAuth.signInOrExpired({ authorization: 'Bearer abc' })).toBe('expired');
    expect(await socketAuth.signIn({ authorization: 'Bearer abc' })).toBeNull();
    const socket = new FakeSocket();
    socketAuth.expire(socket);
    expect(socket.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'token expired' }]);
  });

  it('closes (4401) a signed-in socket when its token expires', async () => {
    const { socketAuth, metrics } = auth();
    const socket = new FakeSocket();
    const token = tokenExpiringIn(60);
    socketAuth.attach(socket, { auth: ALICE, token }, CLIENT);
    expect(socketAuth.of(socket)).toEqual({ auth: ALICE, client: CLIENT, expiresAt: new Date('2030-01-01T00:01:00Z').getTime() });
    vi.advanceTimersByTime(59_999);
    expect(socket.close).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(socket.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'token expired' }]);
    expect(metrics.wsDisconnected).toHaveBeenCalledWith('token_expired');
  });

  it('closes each of many sockets at its own token expiry, on one timer', async () => {
    const { socketAuth, metrics } = auth();
    const sockets = [60, 30, 60, 90].map((seconds) => {
      const socket = new FakeSocket();
      socketAuth.attach(socket, { auth: ALICE, token: tokenExpiringIn(seconds) }, CLIENT);
      return socket;
    });
    const [first, second, third, fourth] = sockets as [FakeSocket, FakeSocket, FakeSocket, FakeSocket];
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(29_999);
    expect(sockets.filter((s) => s.closes.length)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(second.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'token expired' }]);
    expect(first.close).not.toHaveBeenCalled();
    // The socket closed: the part that ends it forgets its state (the close handler's detach).
    socketAuth.detach(second);
    vi.advanceTimersByTime(29_999);
    expect(first.close).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect([first.closes, third.closes]).toEqual([
      [{ code: CLOSE_UNAUTHORIZED, reason: 'token expired' }],
      [{ code: CLOSE_UNAUTHORIZED, reason: 'token expired' }],
    ]);
    // The earliest one left closing before its time re-arms the timer for the next.
    socketAuth.detach(fourth);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(fourth.close).not.toHaveBeenCalled();
    expect(metrics.wsDisconnected).toHaveBeenCalledTimes(3);
  });

  it('closes at once a socket whose token has no expiry or is already past it', () => {
    const { socketAuth } = auth();
    const socket = new FakeSocket();
    socketAuth.attach(socket, { auth: ALICE, token: tokenExpiringIn(-5) }, CLIENT);
    vi.advanceTimersByTime(0);
    expect(socket.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'token expired' }]);
  });

  it('forgets a socket that closed, and its expiry with it', () => {
    const { socketAuth } = auth();
    const socket = new FakeSocket();
    socketAuth.attach(socket, { auth: ALICE, token: tokenExpiringIn(60) }, CLIENT);
    expect(socketAuth.detach(socket)?.auth).toEqual(ALICE);
    expect(socketAuth.of(socket)).toBeUndefined();
    expect(socketAuth.detach(socket)).toBeUndefined();
    vi.advanceTimersByTime(120_000);
    expect(socket.close).not.toHaveBeenCalled();
  });
});
