import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExpirySchedule } from '../../src/server/ws/expiries.js';

const T0 = new Date('2030-01-01T00:00:00Z').getTime();

describe('the token expiry schedule', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  it('expires items in time order on one timer, several due at the same instant together', () => {
    const expired: string[] = [];
    const schedule = createExpirySchedule<string>({ clock: { now: () => new Date() }, expire: (item) => expired.push(`${item}@${Date.now() - T0}`) });
    schedule.add('b', T0 + 2_000);
    schedule.add('a', T0 + 1_000);
    schedule.add('c', T0 + 2_000);
    expect([vi.getTimerCount(), schedule.size]).toEqual([1, 3]);
    vi.advanceTimersByTime(5_000);
    expect(expired).toEqual(['a@1000', 'b@2000', 'c@2000']);
    expect([vi.getTimerCount(), schedule.size]).toEqual([0, 0]);
  });

  it('keeps time between expiries when the clock it is given stands still', () => {
    const expired: string[] = [];
    const schedule = createExpirySchedule<string>({ clock: { now: () => new Date(T0) }, expire: (item) => expired.push(`${item}@${Date.now() - T0}`) });
    schedule.add('a', T0 + 1_000);
    schedule.add('b', T0 + 3_000);
    vi.advanceTimersByTime(10_000);
    expect(expired).toEqual(['a@1000', 'b@3000']);
  });

  it('forgets a removed item; removing the earliest re-arms for the next', () => {
    const expire = vi.fn();
    const schedule = createExpirySchedule<string>({ clock: { now: () => new Date() }, expire });
    schedule.add('a', T0 + 1_000);
    schedule.add('b', T0 + 2_000);
    schedule.remove('a', T0 + 1_000);
    schedule.remove('x', T0 + 2_000);
    vi.advanceTimersByTime(1_999);
    expect(expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledExactlyOnceWith('b');
  });
});
