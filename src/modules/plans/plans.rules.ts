import { LAST_YEAR, parseIsoDay } from '../../shared/calendar-input.js';
import { badUserInput } from '../../shared/errors.js';
import { checkFreeText, checkName } from '../../shared/input-rules.js';
import { dayIn as calendarDayIn, isoDay } from '../../shared/time-zone.js';

/** Pure planning rules: calendar days in a time zone, item order, goal progress. */

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;
export const MAX_BASIS_POINTS = 10_000n;

/** 'HH:MM' on a 24-hour clock, or null for none; a blank string clears it. */
export function parseTime(value: string | null | undefined, field = 'time'): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  if (!TIME.test(value.trim())) throw badUserInput([{ field, message: "must be a time of day 'HH:MM' (24-hour), e.g. '07:30'" }]);
  return value.trim();
}

/** The calendar day 'YYYY-MM-DD' of an instant in an IANA time zone (the shared, cached formatter). */
export function dayIn(instant: Date, timeZone: string): string {
  return isoDay(calendarDayIn(instant, timeZone));
}

/** The day `days` after (or before) a calendar day. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Monday ... 6 = Sunday. */
export function weekdayOf(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export function mondayOf(date: string): string {
  return addDays(date, -weekdayOf(date));
}

/** The Monday of the week holding `instant`, as the user's calendar has it. */
export function weekStartAt(instant: Date, timeZone: string): string {
  return mondayOf(dayIn(instant, timeZone));
}

/** weekStart must be a Monday: the error names the Monday of the week the date falls in. */
export function parseWeekStart(value: string, field = 'weekStart'): string {
  const date = parseIsoDay(value, field);
  if (weekdayOf(date) !== 0) throw badUserInput([{ field, message: `must be a Monday: the week of ${date} starts on ${mondayOf(date)}` }]);
  // Its seven days are all dates this API accepts.
  if (Number(addDays(date, 6).slice(0, 4)) > LAST_YEAR) throw badUserInput([{ field, message: `must be a Monday whose week ends by ${LAST_YEAR}-12-31` }]);
  return date;
}

/** The seven days of a week, Monday first. */
export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/**
 * The day's order after moving `id` to `position` (0-based): the others shift. Positions
 * outside 0..n-1 are BAD_USER_INPUT naming the range.
 */
export function moveTo(order: readonly string[], id: string, position: number): string[] {
  if (!Number.isInteger(position) || position < 0 || position >= order.length) {
    throw badUserInput([{ field: 'position', message: `must be from 0 to ${order.length - 1} (the day has ${order.length} item(s))` }]);
  }
  const rest = order.filter((x) => x !== id);
  return [...rest.slice(0, position), id, ...rest.slice(position)];
}

/** progress / target in basis points, floored, 0 for nothing saved, at most 10000; null without a positive target. */
export function progressBasisPoints(progress: bigint, target: bigint | null): number | null {
  if (target === null || target <= 0n) return null;
  if (progress <= 0n) return 0;
  const bp = (progress * MAX_BASIS_POINTS) / target;
  return Number(bp > MAX_BASIS_POINTS ? MAX_BASIS_POINTS : bp);
}

/** A title, trimmed and non-blank, at most `max` characters. */
export function title(value: string, field = 'title', max = 200): string {
  checkName(value, field);
  const t = value.trim();
  if (t === '' || t.length > max) throw badUserInput([{ field, message: `must be 1 to ${max} characters` }]);
  return t;
}

/** Optional free text: blank is none. */
export function optionalText(value: string | null | undefined, field: string, max = 2000): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  checkFreeText(value, field);
  if (value.length > max) throw badUserInput([{ field, message: `must be at most ${max} characters` }]);
  return value.trim();
}

/** The horizon a target date implies, from today: a week, a month, a quarter, a year, or longer (no date: long term). */
export function horizonFor(today: string, targetDate: string | null): 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR' | 'LONG_TERM' {
  if (targetDate === null) return 'LONG_TERM';
  const days = (Date.parse(`${targetDate}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS;
  if (days <= 7) return 'WEEK';
  if (days <= 31) return 'MONTH';
  if (days <= 92) return 'QUARTER';
  return days <= 366 ? 'YEAR' : 'LONG_TERM';
}
