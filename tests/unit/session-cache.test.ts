import { describe, expect, it } from 'vitest';
import { SessionCache, type CachedSession } from '../../src/modules/auth/session-cache.js';
import { Role } from '../../src/modules/auth/user.entity.js';

const entry = (checkedAtMs: number): CachedSession => ({
  userId: 'u1',
  role: Role.CUSTOMER,
  expiresAtMs: checkedAtMs + 3_600_000,
  lastSeenAtMs: null,
  checkedAtMs,
  user: { id: 'u1', createdAt: new Date(0), username: 'ada', email: null, role: Role.CUSTOMER },
});

describe('SessionCache', () => {
  it('trusts an entry for the TTL after it was read, then forgets it', () => {
    const cache = new SessionCache(5_000);
    cache.set('s1', entry(1_000));
    expect(cache.get('s1', 5_999)?.userId).toBe('u1');
    expect(cache.get('s1', 6_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not trust an entry read "in the future" (a clock that went back)', () => {
    const cache = new SessionCache(5_000);
    cache.set('s1', entry(10_000));
    expect(cache.get('s1', 9_000)).toBeUndefined();
  });

  it('evicts revoked sessions at once', () => {
    const cache = new SessionCache(5_000);
    cache.set('s1', entry(0));
    cache.set('s2', entry(0));
    cache.evict(['s1']);
    expect(cache.get('s1', 1)).toBeUndefined();
    expect(cache.get('s2', 1)).toBeDefined();
    cache.clear();
    expect(cache.get('s2', 1)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the ones read longest ago', () => {
    const cache = new SessionCache(5_000, 3);
    for (const id of ['a', 'b', 'c', 'd']) cache.set(id, entry(0));
    cache.set('b', entry(1));
    cache.set('e', entry(1));
    expect(cache.size).toBe(3);
    expect(cache.get('a', 2)).toBeUndefined();
    expect(cache.get('c', 2)).toBeUndefined();
    expect([cache.get('b', 2), cache.get('d', 2), cache.get('e', 2)].every(Boolean)).toBe(true);
  });

  it('caches nothing with a TTL of 0', () => {
    const cache = new SessionCache(0);
    cache.set('s1', entry(0));
    expect(cache.size).toBe(0);
  });

  it('reads a session once for callers asking at the same time, and keeps the result', async () => {
    const cache = new SessionCache(5_000);
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const load = async () => {
      reads++;
      await gate;
      return entry(0);
    };
    const asked = Array.from({ length: 50 }, () => cache.getOrLoad('s1', 0, load));
    release();
    const got = await Promise.all(asked);
    expect(reads).toBe(1);
    expect(new Set(got).size).toBe(1);
    expect(await cache.getOrLoad('s1', 1, load)).toBe(got[0]);
    expect(reads).toBe(1);
  });

  it('hands a read that a revocation overtook to its callers but does not keep it', async () => {
    const cache = new SessionCache(5_000);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = cache.getOrLoad('s1', 0, async () => (await gate, entry(0)));
    cache.evict(['s1']);
    release();
    expect(await first).not.toBeNull();
    expect(cache.get('s1', 1)).toBeUndefined();
    let reads = 0;
    await cache.getOrLoad('s1', 1, async () => (reads++, entry(1)));
    expect(reads).toBe(1);
  });

  it('keeps no answer for a session that is not live, and reads every time when disabled', async () => {
    const cache = new SessionCache(5_000);
    let reads = 0;
    expect(await cache.getOrLoad('gone', 0, async () => (reads++, null))).toBeNull();
    expect(await cache.getOrLoad('gone', 1, async () => (reads++, null))).toBeNull();
    expect(reads).toBe(2);
    const off = new SessionCache(0);
    await Promise.all([off.getOrLoad('s1', 0, async () => (reads++, entry(0))), off.getOrLoad('s1', 0, async () => (reads++, entry(0)))]);
    expect(reads).toBe(4);
  });
});
