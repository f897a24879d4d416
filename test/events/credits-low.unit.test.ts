// credits.low fires on a crossing of an endpoint's threshold, not on every change below it.
import { describe, expect, it } from 'vitest';
import { crossedThresholds } from '../../src/events/credits-low-watch.js';

describe('credits.low crossings', () => {
  it('names each threshold the balance fell through, once', () => {
    expect(crossedThresholds([500, 100, null, 500], 700, 50)).toEqual([500, 100]);
    expect(crossedThresholds([500], 500, 499)).toEqual([500]);
  });

  it('names none when the balance stays on one side or rises', () => {
    expect(crossedThresholds([500], 400, 100)).toEqual([]);
    expect(crossedThresholds([500], 900, 500)).toEqual([]);
    expect(crossedThresholds([500], 100, 900)).toEqual([]);
    expect(crossedThresholds([null], 900, 0)).toEqual([]);
  });
});
