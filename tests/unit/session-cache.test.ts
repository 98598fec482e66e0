import { describe, expect, it } from 'vitest';
import { SessionCache, type CachedSession } from '../../src/modules/auth/session-cache.js';

const entry = (checkedAtMs: number): CachedSession => ({ userId: 'u1', expiresAtMs: checkedAtMs + 3_600_000, lastSeenAtMs: null, checkedAtMs });

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
});
