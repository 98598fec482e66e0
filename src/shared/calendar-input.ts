import { badUserInput } from './errors.js';
import { DATE_RANGE } from './input-rules.js';
import { daysInMonth, isoDay, type CalendarDay } from './time-zone.js';

/*
 * The one reader of "YYYY-MM" and "YYYY-MM-DD" arguments, for every module and the import.
 * Years stop at 9998 (DATE_RANGE): a month's end, a week's last day or a month's end in a
 * time zone east or west of UTC then still falls in a year PostgreSQL and ISO strings hold.
 */

export const FIRST_YEAR = DATE_RANGE.from.getUTCFullYear();
export const LAST_YEAR = DATE_RANGE.to.getUTCFullYear() - 1;

export interface Month {
  year: number;
  month: number;
}

const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

const MONTH_PROBLEM = `must be a month "YYYY-MM" from ${FIRST_YEAR}-01 to ${LAST_YEAR}-12, e.g. "2026-10"`;
const DAY_PROBLEM = `must be a calendar day "YYYY-MM-DD" from ${FIRST_YEAR}-01-01 to ${LAST_YEAR}-12-31, e.g. "2026-11-30"`;

/** The month `value` names, or why it is not one this API accepts. */
export function monthProblem(value: string): { problem: string } | { month: Month } {
  const m = MONTH.exec(value.trim());
  const month = m ? { year: Number(m[1]), month: Number(m[2]) } : null;
  if (!month || month.month < 1 || month.month > 12 || !inYears(month.year)) return { problem: MONTH_PROBLEM };
  return { month };
}

/** The day `value` names (one that exists: no 2026-02-30), or why it is not one this API accepts. */
export function dayProblem(value: string): { problem: string } | { day: CalendarDay } {
  const m = DAY.exec(value.trim());
  const day = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  if (!day || day.month < 1 || day.month > 12 || day.day < 1 || day.day > daysInMonth(day.year, day.month) || !inYears(day.year)) {
    return { problem: DAY_PROBLEM };
  }
  return { day };
}

function inYears(year: number): boolean {
  return year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** "YYYY-MM" -> Month; BAD_USER_INPUT naming the field otherwise. */
export function parseMonth(value: string, field = 'month'): Month {
  const result = monthProblem(value);
  if ('problem' in result) throw badUserInput([{ field, message: result.problem }]);
  return result.month;
}

/** "YYYY-MM-DD" (a day that exists) -> CalendarDay; BAD_USER_INPUT naming the field otherwise. */
export function parseDay(value: string, field = 'date'): CalendarDay {
  const result = dayProblem(value);
  if ('problem' in result) throw badUserInput([{ field, message: result.problem }]);
  return result.day;
}

/** The same check, answering the day as "YYYY-MM-DD" (trimmed, as stored). */
export function parseIsoDay(value: string, field = 'date'): string {
  return isoDay(parseDay(value, field));
}

export function formatMonth(m: Month): string {
  return `${String(m.year).padStart(4, '0')}-${String(m.month).padStart(2, '0')}`;
}
