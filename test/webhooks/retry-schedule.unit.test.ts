// The webhook retry schedule (SPEC §9): first retry within 60 s, retries for at least 24 h, then give up.
import { describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS, retryDelayMs } from '../../src/webhooks/retry-schedule.js';

describe('the webhook retry schedule', () => {
  it('retries first after 5 s, then 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelayMs)).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, null]);
  });

  it('keeps trying for at least 24 hours after the first failure', () => {
    expect(retryDelayMs(1)!).toBeLessThanOrEqual(60_000);
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(24 * 3_600_000);
  });
});
