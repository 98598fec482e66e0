import { describe, expect, it } from 'vitest';
import { dayIn, moveTo, parseTime, parseWeekStart, progressBasisPoints, weekDays, weekStartAt } from '../../src/modules/plans/plans.rules.js';
import { parseIsoDay } from '../../src/shared/calendar-input.js';

describe('week boundaries in a time zone', () => {
  it('puts Sunday 23:30 UTC in the next week in Tokyo and in the same week in UTC', () => {
    const sundayNight = new Date('2026-12-06T23:30:00Z');
    expect(weekStartAt(sundayNight, 'UTC')).toBe('2026-11-30');
    expect(weekStartAt(sundayNight, 'Asia/Tokyo')).toBe('2026-12-07');
  });

  it('puts Monday 02:00 UTC in the previous week in Los Angeles', () => {
    const mondayEarly = new Date('2026-12-07T02:00:00Z');
    expect(dayIn(mondayEarly, 'America/Los_Angeles')).toBe('2026-12-06');
    expect(weekStartAt(mondayEarly, 'America/Los_Angeles')).toBe('2026-11-30');
    expect(weekStartAt(mondayEarly, 'Europe/Paris')).toBe('2026-12-07');
  });

  it('crosses a month and a year boundary', () => {
    expect(weekDays('2026-12-28')).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']);
    expect(weekStartAt(new Date('2027-01-01T12:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-12-28');
  });

  it('accepts only a Monday, naming the Monday of the week otherwise', () => {
    expect(parseWeekStart('2026-11-30')).toBe('2026-11-30');
    expect(() => parseWeekStart('2026-12-06')).toThrow(/starts on 2026-11-30/);
    expect(() => parseWeekStart('2027-01-01')).toThrow(/starts on 2026-12-28/);
  });
});

describe('dates and times', () => {
  it('refuses impossible dates and times', () => {
    expect(parseIsoDay('2028-02-29')).toBe('2028-02-29');
    expect(() => parseIsoDay('2027-02-29')).toThrow(/YYYY-MM-DD/);
    expect(() => parseIsoDay('tomorrow')).toThrow(/YYYY-MM-DD/);
    expect(parseTime('07:05')).toBe('07:05');
    expect(parseTime('')).toBeNull();
    expect(() => parseTime('7:5')).toThrow(/HH:MM/);
    expect(() => parseTime('24:00')).toThrow(/HH:MM/);
  });
});

describe('item order', () => {
  it('moves an item and shifts the others', () => {
    expect(moveTo(['a', 'b', 'c', 'd'], 'd', 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveTo(['a', 'b', 'c', 'd'], 'a', 3)).toEqual(['b', 'c', 'd', 'a']);
    expect(moveTo(['a', 'b', 'c'], 'b', 1)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a position outside 0..n-1', () => {
    expect(() => moveTo(['a', 'b'], 'a', 2)).toThrow(/from 0 to 1/);
    expect(() => moveTo(['a', 'b'], 'a', -1)).toThrow(/from 0 to 1/);
  });
});

describe('progress basis points', () => {
  it('is exact integer arithmetic, floored and capped at 10000', () => {
    expect(progressBasisPoints(1n, 3n)).toBe(3333);
    expect(progressBasisPoints(2n, 3n)).toBe(6666);
    expect(progressBasisPoints(10n ** 18n - 1n, 10n ** 18n)).toBe(9999);
    expect(progressBasisPoints(7000n, 5000n)).toBe(10000);
    expect(progressBasisPoints(-50n, 5000n)).toBe(0);
    expect(progressBasisPoints(100n, null)).toBeNull();
  });
});
