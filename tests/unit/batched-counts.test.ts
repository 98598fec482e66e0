import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BatchedCounts, slackOf, type CountStore } from '../../src/shared/batched-counts.js';
import { RedisRateLimiter } from '../../src/shared/redis-rate-limiter.js';
import { itNeeding } from '../helpers/components.js';
import { redisMissing, TEST_REDIS_URL } from '../helpers/redis.js';

/** Fixed-window counters as Redis keeps them (INCRBY, EXPIRE NX, PTTL), answering a turn of the event loop later as a round trip does. */
function sharedCounters(now: () => number) {
  const windows = new Map<string, { count: number; endsAt: number }>();
  let syncs = 0;
  let failing = false;
  const store: CountStore = async (adds) => {
    await nextTurn();
    syncs++;
    if (failing) throw new Error('connection lost');
    return adds.map(({ key, add, windowSec }) => {
      let w = windows.get(key);
      if (!w || w.endsAt <= now()) windows.set(key, (w = { count: 0, endsAt: now() + windowSec * 1000 }));
      w.count += add;
      return { count: w.count, ttlMs: w.endsAt - now() };
    });
  };
  return {
    store,
    count: (key: string) => windows.get(key)?.count ?? 0,
    syncs: () => syncs,
    fail: (on: boolean) => (failing = on),
  };
}

const redisMissingReason = await redisMissing();
const admitted = (waits: number[]) => waits.filter((w) => w === 0).length;

describe('batched rate-limit counts (shared/batched-counts.ts)', () => {
  it('one instance alone admits exactly the limit, and tells the refused when the window ends', async () => {
    let now = 1_000_000;
    const shared = sharedCounters(() => now);
    const counts = new BatchedCounts(shared.store, 5, () => now);
    const waits = await Promise.all(Array.from({ length: 500 }, () => counts.consume('k', 200, 60)));
    expect(admitted(waits)).toBe(200);
    for (const w of waits.filter((w) => w > 0)) expect(w).toBe(60);
    await counts.close();
    // Every attempt reached the shared count, in far fewer syncs than attempts.
    expect(shared.count('k')).toBe(500);
    expect(shared.syncs()).toBeLessThan(500 / slackOf(200) + 2);
    now += 61_000;
    expect(await counts.consume('k', 200, 60)).toBe(0);
    await counts.close();
  });

  it(`a fleet overshoots by at most instances × slack (${slackOf(1_000)} of 1,000): three instances racing for one key`, async () => {
    const shared = sharedCounters(Date.now);
    const fleet = [0, 1, 2].map(() => new BatchedCounts(shared.store, 5));
    const limit = 1_000;
    // Waves of concurrent requests on every instance at once, so each counts blind between its syncs.
    let total = 0;
    for (let wave = 0; wave < 10; wave++) {
      const waits = await Promise.all(fleet.flatMap((counts) => Array.from({ length: 150 }, () => counts.consume('k', limit, 60))));
      total += admitted(waits);
    }
    await Promise.all(fleet.map((counts) => counts.close()));
    expect(shared.count('k')).toBe(4_500);
    expect(total).toBeGreaterThanOrEqual(limit);
    expect(total).toBeLessThanOrEqual(limit + fleet.length * slackOf(limit));
    // Once the shared count is past the limit, every instance refuses.
    for (const counts of fleet) expect(await counts.consume('k', limit, 60)).toBeGreaterThan(0);
    await Promise.all(fleet.map((counts) => counts.close()));
  });

  it('keeps the hits of a failed sync for the next one, and tells the callers that waited on it', async () => {
    const shared = sharedCounters(Date.now);
    const counts = new BatchedCounts(shared.store, 5);
    shared.fail(true);
    // A limit of 10 gives a slack of 1: the second hit waits on a sync, which fails.
    expect(await counts.consume('k', 10, 60)).toBe(0);
    await expect(counts.consume('k', 10, 60)).rejects.toThrow('connection lost');
    shared.fail(false);
    expect(await counts.consume('k', 10, 60)).toBe(0);
    await counts.close();
    expect(shared.count('k')).toBe(2);
  });

  itNeeding(redisMissingReason, 'holds on Redis: three limiters of a fleet admit at most the limit plus their slack, and all refuse after', async () => {
    const fleet = [0, 1, 2].map(() => new RedisRateLimiter(TEST_REDIS_URL));
    const key = `test:batched:${randomUUID()}`;
    const limit = 300;
    try {
      let total = 0;
      for (let wave = 0; wave < 6; wave++) {
        const waits = await Promise.all(fleet.flatMap((limiter) => Array.from({ length: 50 }, () => limiter.consumeBatched(key, limit, 60))));
        total += admitted(waits);
      }
      expect(total).toBeGreaterThanOrEqual(limit);
      expect(total).toBeLessThanOrEqual(limit + fleet.length * slackOf(limit));
      await Promise.all(fleet.map((limiter) => limiter.close()));
      // Closing sent every count: a fresh limiter's exact consume sees all 900 attempts.
      const reader = new RedisRateLimiter(TEST_REDIS_URL);
      expect(await reader.consume(key, limit, 60)).toBeGreaterThan(0);
      await reader.close();
    } finally {
      await Promise.all(fleet.map((limiter) => limiter.close()));
    }
  });
});
