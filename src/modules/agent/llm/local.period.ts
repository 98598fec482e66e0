/** Periods and months the offline assistant hears ("last month", "in October"), as UTC dates; all its month arithmetic. */
import { formatMonth, type Month } from '../../../shared/calendar-input.js';
import { daysInMonth, isoDay } from '../../../shared/time-zone.js';
import { addMonths } from '../../budget/budget.rules.js';

export type Period = 'today' | 'yesterday' | 'this_week' | 'last_week' | 'this_month' | 'last_month' | { lastDays: number };

const DAY = 86_400_000;
export const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The month `offset` months from `now`'s (UTC). */
function monthFrom(now: Date, offset: number): Month {
  return addMonths({ year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 }, offset);
}

/** "2026-10" for `offset` -1 in November 2026. */
export function monthText(now: Date, offset: number): string {
  return formatMonth(monthFrom(now, offset));
}

/** "YYYY-MM" `offset` months after the "YYYY-MM" given. */
export function shiftMonth(month: string, offset: number): string {
  return formatMonth(addMonths({ year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) }, offset));
}

/** "october" -> the latest October not after this month; "last month"/"this month" relative to now. */
export function monthNamed(word: string, now: Date): string {
  if (word === 'this month') return monthText(now, 0);
  if (word === 'last month') return monthText(now, -1);
  const back = (now.getUTCMonth() - MONTH_NAMES.indexOf(word) + 12) % 12;
  return monthText(now, -back);
}

/** The last day of a month (1-12) as "YYYY-MM-DD". */
export function monthEnd(year: number, month: number): string {
  return isoDay({ year, month, day: daysInMonth(year, month) });
}

/** "2026-10" -> "October 2026". */
export function monthName(month: string): string {
  const date = /^\d{4}-\d{2}$/.test(month) ? new Date(`${month}-01T00:00:00Z`) : undefined;
  return date ? date.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }) : month;
}

export function periodOf(text: string): Period | undefined {
  if (/\btoday\b/i.test(text)) return 'today';
  if (/\byesterday\b/i.test(text)) return 'yesterday';
  if (/\bthis week\b/i.test(text)) return 'this_week';
  if (/\blast week\b/i.test(text)) return 'last_week';
  if (/\bthis month\b/i.test(text)) return 'this_month';
  if (/\blast month\b/i.test(text)) return 'last_month';
  const days = /\b(?:last|past)\s+(\d{1,3})\s+days?\b/i.exec(text);
  return days ? { lastDays: Math.min(366, Math.max(1, Number(days[1]))) } : undefined;
}

/** UTC bounds of a period as ISO date-times: `from` inclusive, `to` exclusive. */
export function periodRange(period: Period, now: Date): { from: string; to: string } {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const weekStart = day - ((now.getUTCDay() + 6) % 7) * DAY;
  const monthStart = (offset: number) => {
    const m = monthFrom(now, offset);
    return Date.UTC(m.year, m.month - 1, 1);
  };
  const range = (from: number, to: number) => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  if (typeof period === 'object') return range(day - (period.lastDays - 1) * DAY, day + DAY);
  switch (period) {
    case 'today':
      return range(day, day + DAY);
    case 'yesterday':
      return range(day - DAY, day);
    case 'this_week':
      return range(weekStart, day + DAY);
    case 'last_week':
      return range(weekStart - 7 * DAY, weekStart);
    case 'this_month':
      return range(monthStart(0), day + DAY);
    case 'last_month':
      return range(monthStart(-1), monthStart(0));
  }
}

/** "last month (2026-10)", "this month (2026-11)", "in the last 7 days". */
export function periodWords(period: Period | undefined, now: Date): string {
  if (period === undefined || period === 'this_month') return `this month (${monthText(now, 0)})`;
  if (period === 'last_month') return `last month (${monthText(now, -1)})`;
  if (typeof period === 'object') return `in the last ${period.lastDays} days`;
  return period.replace('_', ' ');
}
