// Budget periods (SPEC §8): the calendar period an instant falls in — a day, an ISO week (from
// Monday), a month, or the whole of time — aligned to midnight in an IANA time zone. Pure: the
// zone's rules come from Intl (the runtime's tz database), so no dependency and no I/O.
//
// A day is not always 24 hours: local midnight is found from the zone's offsets either side of it,
// so Europe/Berlin's 2026-03-29 lasts 23 hours and 2026-10-25 lasts 25. Where a zone skips its
// midnight (a DST jump at 00:00), the day starts at the first instant that exists on it.

export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

export interface PeriodWindow {
  /** The period's first instant ('total': the Unix epoch, one period for ever). */
  start: Date;
  /** When the next period starts (`resets_at`); null for 'total'. */
  end: Date | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The zone's canonical name, or null when Intl does not know it (or it is a bare offset, not a name). */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) || name.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

interface Wall {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(epochMs: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** How far the zone's wall clock is ahead of UTC at this instant (ms). */
function offsetAt(epochMs: number, timeZone: string): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const w = wallClock(whole, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/**
 * The first instant of a local calendar date. The candidates are local midnight under the offset in
 * force a day before and a day after (zones change offset at most once in two days); the earlier one
 * that reads midnight wins (a repeated midnight starts at its first occurrence); if neither does,
 * midnight was skipped and the day starts where the clocks jumped to.
 */
function startOfLocalDate(year: number, month: number, day: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day);
  const before = asUtc - offsetAt(asUtc - DAY_MS, timeZone);
  const after = asUtc - offsetAt(asUtc + DAY_MS, timeZone);
  const readsMidnight = (t: number) => {
    const w = wallClock(t, timeZone);
    return w.year === year && w.month === month && w.day === day && w.hour === 0 && w.minute === 0;
  };
  const valid = [before, after].filter(readsMidnight);
  if (valid.length > 0) return Math.min(...valid);
  return before;
}

/** Calendar arithmetic on a date (no zone involved): Date.UTC normalises day and month overflow. */
function addDays(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** The last window computed per period and zone: every budgeted request asks, nearly always for the same one. */
const lastWindows = new Map<string, { startMs: number; endMs: number; window: PeriodWindow }>();

/**
 * The period `at` falls in, calendar-aligned in `timeZone` (a name canonicalTimeZone accepted). The
 * answer is shared with every caller asking about the same period: its dates are not to be changed.
 */
export function periodWindow(at: Date, period: BudgetPeriod, timeZone: string): PeriodWindow {
  if (period === 'total') return { start: new Date(0), end: null };
  // Periods do not overlap: an instant inside the last window computed is in no other. Bounded by
  // the zones there are (a few hundred) times three periods.
  const id = `${period}\n${timeZone}`;
  const atMs = at.getTime();
  const last = lastWindows.get(id);
  if (last && atMs >= last.startMs && atMs < last.endMs) return last.window;
  const window = computeWindow(atMs, period, timeZone);
  lastWindows.set(id, { startMs: window.start.getTime(), endMs: window.end!.getTime(), window });
  return window;
}

function computeWindow(atMs: number, period: Exclude<BudgetPeriod, 'total'>, timeZone: string): PeriodWindow {
  const w = wallClock(atMs, timeZone);
  let first: [number, number, number];
  let next: [number, number, number];
  if (period === 'day') {
    first = [w.year, w.month, w.day];
    next = addDays(w.year, w.month, w.day, 1);
  } else if (period === 'week') {
    // ISO 8601 weeks start on Monday: getUTCDay() is 0 for Sunday, so Sunday is 6 days in.
    const weekday = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7;
    first = addDays(w.year, w.month, w.day, -weekday);
    next = addDays(...first, 7);
  } else {
    first = [w.year, w.month, 1];
    next = w.month === 12 ? [w.year + 1, 1, 1] : [w.year, w.month + 1, 1];
  }
  return { start: new Date(startOfLocalDate(...first, timeZone)), end: new Date(startOfLocalDate(...next, timeZone)) };
}
