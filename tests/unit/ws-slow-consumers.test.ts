import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLOSE_SLOW_CONSUMER } from '../../src/server/ws/close-codes.js';
import { createSlowConsumerGuard } from '../../src/server/ws/slow-consumers.js';
import { FakeSocket } from './ws-fakes.js';

const SLOW = { code: CLOSE_SLOW_CONSUMER, reason: 'Slow consumer: messages were not read in time' };

function guard(clients: FakeSocket[]) {
  const metrics = { wsDisconnected: vi.fn() };
  const logger = { warn: vi.fn() };
  const slow = createSlowConsumerGuard({ clients: () => clients, maxBufferedBytes: 1_000, sendStallMs: 4_000, logger, metrics, now: () => Date.now() });
  return { slow, metrics };
}

describe('the slow-consumer guard', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('closes (1013) a socket a send left over maxBufferedBytes, then cuts it after the grace period', () => {
    const socket = new FakeSocket();
    const { slow, metrics } = guard([]);
    socket.bufferedAmount = 1_000;
    slow.sent(socket);
    expect(socket.close).not.toHaveBeenCalled();
    socket.bufferedAmount = 1_001;
    slow.sent(socket);
    expect(socket.closes).toEqual([SLOW]);
    expect(metrics.wsDisconnected).toHaveBeenCalledWith('slow_consumer');
    vi.advanceTimersByTime(999);
    expect(socket.terminate).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(socket.terminate).toHaveBeenCalledOnce();
    slow.sent(socket); // already closing: not closed twice
    expect(socket.close).toHaveBeenCalledOnce();
    slow.dispose();
  });

  it('closes a socket whose bytes stay queued longer than sendStallMs, and leaves one that drains', () => {
    const stalled = new FakeSocket();
    const draining = new FakeSocket();
    const idle = new FakeSocket();
    const { slow } = guard([stalled, draining, idle]);
    stalled.bufferedAmount = 10;
    draining.bufferedAmount = 10;
    // Swept every second; both are first seen queued at 1 s.
    vi.advanceTimersByTime(3_000);
    draining.bufferedAmount = 0;
    vi.advanceTimersByTime(1_000);
    draining.bufferedAmount = 10; // queued again: its stall starts over
    vi.advanceTimersByTime(1_000);
    expect(stalled.close).not.toHaveBeenCalled(); // queued for 4 s: not more than sendStallMs yet
    vi.advanceTimersByTime(1_000);
    expect(stalled.closes).toEqual([SLOW]);
    expect(draining.close).not.toHaveBeenCalled();
    expect(idle.close).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(stalled.terminate).toHaveBeenCalledOnce();
    slow.dispose();
  });

  it('stops sweeping once disposed', () => {
    const socket = new FakeSocket();
    const { slow } = guard([socket]);
    socket.bufferedAmount = 10;
    slow.dispose();
    vi.advanceTimersByTime(60_000);
    expect(socket.close).not.toHaveBeenCalled();
  });
});
