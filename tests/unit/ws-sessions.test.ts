import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryPubSub } from '../../src/pubsub/memory.pubsub.js';
import { Topic } from '../../src/pubsub/topics.js';
import { CLOSE_UNAUTHORIZED } from '../../src/server/ws/close-codes.js';
import { createSessionIndex } from '../../src/server/ws/sessions.js';
import { FakeSocket } from './ws-fakes.js';

function index(active: Set<string>) {
  const pubsub = new MemoryPubSub();
  const authority = { activeSessionIds: vi.fn(async (ids: string[]) => new Set(ids.filter((id) => active.has(id)))) };
  const logger = { warn: vi.fn() };
  return { sessions: createSessionIndex({ authority, pubsub, logger, sweepMs: 3_000 }), authority, pubsub, logger };
}

describe('the WebSocket session index', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('closes (4401) the sockets of sessions that ended at the next sweep, and only those', async () => {
    const active = new Set(['live']);
    const { sessions, authority } = index(active);
    const [live, ended, endedToo] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    sessions.add('live', live);
    sessions.add('ended', ended);
    sessions.add('ended', endedToo);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(authority.activeSessionIds).toHaveBeenCalledWith(['live', 'ended']);
    expect(ended.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'Session ended' }]);
    expect(endedToo.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'Session ended' }]);
    expect(live.close).not.toHaveBeenCalled();
    expect(sessions.size).toBe(1);
    await sessions.dispose();
  });

  it('asks nothing while no socket is signed in, and forgets a socket that closed', async () => {
    const { sessions, authority } = index(new Set());
    const socket = new FakeSocket();
    sessions.add('s1', socket);
    sessions.remove('s1', socket);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(authority.activeSessionIds).not.toHaveBeenCalled();
    expect(socket.close).not.toHaveBeenCalled();
    await sessions.dispose();
  });

  it('closes the sockets of a revoked session at once, on any instance', async () => {
    const { sessions, pubsub } = index(new Set(['s1', 's2']));
    const [revoked, kept] = [new FakeSocket(), new FakeSocket()];
    sessions.add('s1', revoked);
    sessions.add('s2', kept);
    await pubsub.publish(Topic.SESSION_REVOKED, 'all', { userId: 'alice', sessionIds: ['s1'] });
    await vi.advanceTimersByTimeAsync(0);
    expect(revoked.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'Session revoked' }]);
    expect(kept.close).not.toHaveBeenCalled();
    await sessions.dispose();
  });

  it('closes every socket of a revoked session, and none that already left it', async () => {
    const { sessions, pubsub } = index(new Set(['s1']));
    const [first, second, third] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    sessions.add('s1', first);
    sessions.add('s1', second);
    sessions.add('s1', third);
    sessions.remove('s1', second);
    expect(sessions.size).toBe(1);
    await pubsub.publish(Topic.SESSION_REVOKED, 'all', { userId: 'alice', sessionIds: ['s1'] });
    await vi.advanceTimersByTimeAsync(0);
    expect(first.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'Session revoked' }]);
    expect(third.closes).toEqual([{ code: CLOSE_UNAUTHORIZED, reason: 'Session revoked' }]);
    expect(second.close).not.toHaveBeenCalled();
    expect(sessions.size).toBe(0);
    await sessions.dispose();
  });

  it('forgets a session once its last socket left, whether it had one socket or several', async () => {
    const { sessions, authority } = index(new Set());
    const [one, two] = [new FakeSocket(), new FakeSocket()];
    sessions.add('s1', one);
    sessions.add('s1', two);
    sessions.remove('s1', one);
    sessions.remove('s1', two);
    sessions.add('s2', one);
    sessions.remove('s2', two); // not in it: changes nothing
    expect(sessions.size).toBe(1);
    sessions.remove('s2', one);
    expect(sessions.size).toBe(0);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(authority.activeSessionIds).not.toHaveBeenCalled();
    await sessions.dispose();
  });

  it('logs a failed sweep and keeps sweeping; dispose unsubscribes and stops the sweep', async () => {
    const { sessions, authority, pubsub, logger } = index(new Set());
    authority.activeSessionIds.mockRejectedValueOnce(new Error('database down'));
    const socket = new FakeSocket();
    sessions.add('s1', socket);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), 'session sweep failed');
    expect(socket.close).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(socket.close).toHaveBeenCalledOnce();
    expect(pubsub.subscriberCount).toBe(1);
    await sessions.dispose();
    expect(pubsub.subscriberCount).toBe(0);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(authority.activeSessionIds).toHaveBeenCalledTimes(2);
  });
});
