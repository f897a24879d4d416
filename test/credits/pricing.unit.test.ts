// Pricing vectors: a request's exact price in sub-credit units, and the whole credits that cover it
// (what a reservation holds): token costs summed exactly and rounded up once per request.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RESERVED_OUTPUT_TOKENS,
  isPriced,
  requestCost,
  reservationCost,
  routePrice,
  settlementCost,
  tokenCost,
  type Price,
} from '../../src/credits/pricing.js';
import { UNITS_PER_CREDIT } from '../../src/core/sub-credits.js';

const mini: Price = { inputPerMtok: 150, outputPerMtok: 600, perRequest: 0, maxOutputTokens: null };

describe('pricing', () => {
  it.each([
    // [input, output, expected credits]
    [0, 0, 0],
    [1, 0, 1], // 150/1M of a credit rounds up to 1
    [1_000_000, 0, 150],
    [0, 1_000_000, 600],
    [1_000_000, 1_000_000, 750],
    [10_000, 5_000, 5], // 1.5 + 3 = 4.5 → 5: summed first, rounded once
    [6_667, 0, 2], // 1.00005 → 2
    [6_666, 0, 1], // 0.9999 → 1
  ])('charges %i input and %i output tokens %i credits, rounded up once', (inputTokens, outputTokens, credits) => {
    expect(tokenCost(mini, { inputTokens, outputTokens })).toBe(credits);
  });

  it('adds the per-request fee to the tokens', () => {
    expect(requestCost({ ...mini, perRequest: 3 }, { inputTokens: 10_000, outputTokens: 5_000 })).toBe(8);
  });

  it('stays exact for products beyond 2^53', () => {
    const expensive: Price = { inputPerMtok: 1_000_000_000, outputPerMtok: 999_999_999, perRequest: 0, maxOutputTokens: null };
    // 10^7 × 10^9 + 10^7 × (10^9 − 1) = 2·10^16 − 10^7 micro-credits → 19 999 999 990 credits exactly.
    expect(tokenCost(expensive, { inputTokens: 10_000_000, outputTokens: 10_000_000 })).toBe(19_999_999_990);
  });

  it('treats negative or fractional token counts as whole non-negative numbers', () => {
    expect(tokenCost(mini, { inputTokens: -5, outputTokens: 1_000_000.9 })).toBe(600);
  });

  it('reserves the input estimate plus max_tokens, else the price cap, else the default', () => {
    expect(reservationCost(mini, 1_000, 1_000)).toBe(1); // 0.15 + 0.6 → 1
    expect(reservationCost(mini, 0, 1_000_000)).toBe(600);
    expect(reservationCost({ ...mini, maxOutputTokens: 1_000_000 }, 0, null)).toBe(600);
    expect(reservationCost(mini, 0, null)).toBe(Math.ceil((DEFAULT_RESERVED_OUTPUT_TOKENS * 600) / 1_000_000));
  });

  it('charges what was delivered, exactly (sub-credit units): usage whatever the outcome, the fee alone for a success without usage, nothing for a failure without usage', () => {
    const withFee = { ...mini, perRequest: 2 };
    const credit = UNITS_PER_CREDIT;
    expect(settlementCost(withFee, { inputTokens: 1_000_000, outputTokens: 0 }, 'aborted')).toBe(152n * credit);
    expect(settlementCost(withFee, { inputTokens: 1_000_000, outputTokens: 0 }, 'failed')).toBe(152n * credit);
    expect(settlementCost(withFee, null, 'ok')).toBe(2n * credit);
    expect(settlementCost(withFee, null, 'failed')).toBe(0n);
    expect(settlementCost(withFee, null, 'aborted')).toBe(0n);
  });

  it('prices a route per request and leaves unpriced traffic free', () => {
    expect(reservationCost(routePrice(7), 0, null)).toBe(7);
    expect(isPriced(routePrice(0))).toBe(false);
    expect(isPriced(null)).toBe(false);
    expect(isPriced(mini)).toBe(true);
  });
});
