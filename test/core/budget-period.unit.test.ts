// Budget periods (SPEC §8): calendar-aligned in a time zone, right across month ends, ISO weeks and
// daylight-saving changes. Instants are fixed (an injected clock), never the machine's time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, periodWindow, type BudgetPeriod } from '../../src/core/budget-period.js';
import { thresholdsCrossed } from '../../src/core/budget-thresholds.js';

const at = (iso: string) => new Date(iso);
const window = (iso: string, period: BudgetPeriod, zone = 'UTC') => {
  const w = periodWindow(at(iso), period, zone);
  return { start: w.start.toISOString(), end: w.end?.toISOString() ?? null };
};

describe('budget periods', () => {
  it('starts a day at midnight and resets at the next one, in UTC and in a zone', () => {
    expect(window('2026-05-12T23:59:59.999Z', 'day')).toEqual({ start: '2026-05-12T00:00:00.000Z', end: '2026-05-13T00:00:00.000Z' });
    expect(window('2026-05-13T00:00:00.000Z', 'day')).toEqual({ start: '2026-05-13T00:00:00.000Z', end: '2026-05-14T00:00:00.000Z' });
    // 23:30 UTC is already the next day in Berlin (UTC+2 in summer).
    expect(window('2026-05-12T23:30:00.000Z', 'day', 'Europe/Berlin')).toEqual({ start: '2026-05-12T22:00:00.000Z', end: '2026-05-13T22:00:00.000Z' });
    expect(window('2026-05-12T03:00:00.000Z', 'day', 'America/New_York')).toEqual({ start: '2026-05-11T04:00:00.000Z', end: '2026-05-12T04:00:00.000Z' });
  });

  it('runs an ISO week from Monday: Sunday belongs to the week that began six days earlier', () => {
    // 2026-03-01 is a Sunday, 2026-03-02 a Monday.
    expect(window('2026-03-01T23:59:59.000Z', 'week')).toEqual({ start: '2026-02-23T00:00:00.000Z', end: '2026-03-02T00:00:00.000Z' });
    expect(window('2026-03-02T00:00:00.000Z', 'week')).toEqual({ start: '2026-03-02T00:00:00.000Z', end: '2026-03-09T00:00:00.000Z' });
    // A week across the new year.
    expect(window('2027-01-01T12:00:00.000Z', 'week')).toEqual({ start: '2026-12-28T00:00:00.000Z', end: '2027-01-04T00:00:00.000Z' });
  });

  it('ends a month on its last day: Jan 31 → Feb 1, Feb 28 → Mar 1, and Feb 29 in a leap year', () => {
    expect(window('2026-01-31T18:00:00.000Z', 'month')).toEqual({ start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' });
    expect(window('2026-02-01T00:00:00.000Z', 'month')).toEqual({ start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
    expect(window('2026-02-28T23:59:59.999Z', 'month')).toEqual({ start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
    expect(window('2028-02-29T12:00:00.000Z', 'month')).toEqual({ start: '2028-02-01T00:00:00.000Z', end: '2028-03-01T00:00:00.000Z' });
    expect(window('2028-02-29T12:00:00.000Z', 'day')).toEqual({ start: '2028-02-29T00:00:00.000Z', end: '2028-03-01T00:00:00.000Z' });
    expect(window('2026-12-31T23:00:00.000Z', 'month')).toEqual({ start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
  });

  it('gives Europe/Berlin a 23-hour day on 2026-03-29 and a 25-hour day on 2026-10-25', () => {
    const spring = window('2026-03-29T12:00:00.000Z', 'day', 'Europe/Berlin');
    expect(spring).toEqual({ start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' });
    expect(Date.parse(spring.end!) - Date.parse(spring.start)).toBe(23 * 3_600_000);
    const autumn = window('2026-10-25T12:00:00.000Z', 'day', 'Europe/Berlin');
    expect(autumn).toEqual({ start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z' });
    expect(Date.parse(autumn.end!) - Date.parse(autumn.start)).toBe(25 * 3_600_000);
    // The hour that repeats (02:00–03:00 local, twice) stays in the same day.
    expect(window('2026-10-25T00:30:00.000Z', 'day', 'Europe/Berlin').start).toBe('2026-10-24T22:00:00.000Z');
    expect(window('2026-10-25T01:30:00.000Z', 'day', 'Europe/Berlin').start).toBe('2026-10-24T22:00:00.000Z');
    // The month and week holding the change are an hour short.
    expect(window('2026-03-15T00:00:00.000Z', 'month', 'Europe/Berlin')).toEqual({ start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z' });
    expect(window('2026-03-29T12:00:00.000Z', 'week', 'Europe/Berlin')).toEqual({ start: '2026-03-22T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' });
  });

  it('starts a day whose midnight a zone skips at the first instant that exists', () => {
    // America/Santiago moved its clocks from 00:00 to 01:00 on 2026-09-06.
    const skipped = window('2026-09-06T12:00:00.000Z', 'day', 'America/Santiago');
    expect(skipped).toEqual({ start: '2026-09-06T04:00:00.000Z', end: '2026-09-07T03:00:00.000Z' });
  });

  it('has one period for ever for total, with no reset', () => {
    expect(window('2031-07-04T10:00:00.000Z', 'total', 'Asia/Tokyo')).toEqual({ start: '1970-01-01T00:00:00.000Z', end: null });
  });

  it('always puts the instant inside its window, the window at local midnight, and the next window right after', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago'];
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom(...zones), fc.constantFrom<BudgetPeriod>('day', 'week', 'month'), (instant, zone, period) => {
        const w = periodWindow(instant, period, zone);
        expect(w.start.getTime()).toBeLessThanOrEqual(instant.getTime());
        expect(w.end!.getTime()).toBeGreaterThan(instant.getTime());
        const following = periodWindow(w.end!, period, zone);
        expect(following.start.getTime()).toBe(w.end!.getTime());
        // The instant just before the start belongs to the previous period.
        expect(periodWindow(new Date(w.start.getTime() - 1), period, zone).end!.getTime()).toBe(w.start.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('answers every instant of a period with the window computed once, and an instant outside it with its own', () => {
    const march = periodWindow(new Date('2026-03-10T12:00:00Z'), 'month', 'Europe/Berlin');
    expect(periodWindow(new Date('2026-03-31T21:59:59.999Z'), 'month', 'Europe/Berlin')).toBe(march);
    expect(window('2026-03-31T22:00:00.000Z', 'month', 'Europe/Berlin')).toEqual({ start: '2026-03-31T22:00:00.000Z', end: '2026-04-30T22:00:00.000Z' });
    expect(window('2026-02-28T23:00:00.000Z', 'month', 'Europe/Berlin')).toEqual({ start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z' });
    expect(window('2026-02-28T22:59:59.999Z', 'month', 'Europe/Berlin')).toEqual({ start: '2026-01-31T23:00:00.000Z', end: '2026-02-28T23:00:00.000Z' });
  });

  it('accepts IANA names (canonicalised) and refuses anything else', () => {
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus', '+01:00', '', 'Europe/../etc', 'x'.repeat(80)]) expect(canonicalTimeZone(bad)).toBeNull();
  });
});

describe('budget thresholds', () => {
  it('announces each of 80, 90 and 100% once, lowest first, and nothing below', () => {
    expect(thresholdsCrossed(0, 79, 100)).toEqual([]);
    expect(thresholdsCrossed(0, 80, 100)).toEqual([80]);
    expect(thresholdsCrossed(80, 85, 100)).toEqual([]);
    expect(thresholdsCrossed(80, 100, 100)).toEqual([90, 100]);
    expect(thresholdsCrossed(0, 250, 100)).toEqual([80, 90, 100]);
    expect(thresholdsCrossed(100, 500, 100)).toEqual([]);
    expect(thresholdsCrossed(0, 7, 9)).toEqual([]); // 77.8 %
    expect(thresholdsCrossed(0, 8, 9)).toEqual([80]); // 88.9 %
  });
});
