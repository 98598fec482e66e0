/*
 * Calendar arithmetic in an IANA time zone with Intl only (no dependency): where a user's
 * day and month begin as UTC instants. Pure functions.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's IANA name as the time zone database spells it ("america/new_york" -> "America/New_York"); undefined for no zone. */
export function canonicalTimeZone(value: string): string | undefined {
  if (value === '' || value.length > 64) return undefined;
  try {
    return formatter(value).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

/** The wall-clock date and time of `at` in `timeZone`. */
function wallClock(at: Date, timeZone: string): CalendarDay & { hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The calendar day `at` falls on in `timeZone`. */
export function dayIn(at: Date, timeZone: string): CalendarDay {
  const { year, month, day } = wallClock(at, timeZone);
  return { year, month, day };
}

/** The UTC instant of local midnight starting `day` in `timeZone` (normalises day/month overflow). */
export function startOfDay(day: CalendarDay, timeZone: string): Date {
  const guess = Date.UTC(day.year, day.month - 1, day.day);
  let at = guess;
  // Two passes settle the offset, including days that start next to a DST change.
  for (let i = 0; i < 2; i++) {
    const w = wallClock(new Date(at), timeZone);
    const offset = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - at;
    at = guess - offset;
  }
  return new Date(at);
}

/** [from, to) of a calendar month (1-12) in `timeZone`, as UTC instants. */
export function monthRange(year: number, month: number, timeZone: string): { from: Date; to: Date } {
  return { from: startOfDay({ year, month, day: 1 }, timeZone), to: startOfDay({ year, month: month + 1, day: 1 }, timeZone) };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** "YYYY-MM-DD". */
export function isoDay(d: CalendarDay): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
