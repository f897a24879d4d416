// Issue 11 item 4 (SPEC §6 "charges are exact"), as arithmetic: a request's exact price in
// sub-credit units, charged through the account's carry. Whatever the sequence of prices, the
// whole credits charged add up to floor(sum of exact prices + the carry the account started
// with), the carry stays in [0, 1 credit), and no single charge exceeds its price plus the carry.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carryCharge, hasPriceDecimals, microsToDecimal, toMicros, unitsToDecimal, UNITS_PER_CREDIT } from '../../src/core/sub-credits.js';
import { exactRequestCost, requestCost, type Price } from '../../src/credits/pricing.js';

const mini: Price = { inputPerMtok: 150, outputPerMtok: 600, perRequest: 0, maxOutputTokens: null };

/** A price of up to 6 decimals per Mtok, as an operator or the catalogue writes it. */
const decimalPrice = fc.tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 999_999 })).map(([whole, micros]) => Number(`${whole}.${String(micros).padStart(6, '0')}`));
const priceArb = fc.record({ inputPerMtok: decimalPrice, outputPerMtok: decimalPrice, perRequest: fc.integer({ min: 0, max: 3 }), maxOutputTokens: fc.constant(null) });
const call = fc.record({ price: priceArb, inputTokens: fc.integer({ min: 0, max: 2_000_000 }), outputTokens: fc.integer({ min: 0, max: 200_000 }) });

describe('exact charges through a carry', () => {
  it('charges 1,000 calls of 7 in / 4 out at 150/600 per Mtok 3 credits in all, not 1,000', () => {
    const exact = exactRequestCost(mini, { inputTokens: 7, outputTokens: 4 });
    expect(unitsToDecimal(exact)).toBe('0.00345');
    let carry = 0n;
    let charged = 0n;
    for (let i = 0; i < 1_000; i++) {
      const step = carryCharge(carry, exact);
      charged += step.charged;
      carry = step.carry;
    }
    expect(charged).toBe(3n); // floor(1000 × 0.00345) = floor(3.45)
    expect(unitsToDecimal(carry)).toBe('0.45');
    // A reservation still holds a whole-credit upper bound.
    expect(requestCost(mini, { inputTokens: 7, outputTokens: 4 })).toBe(1);
  });

  it('sums the whole charges to floor(sum of exact prices + initial carry), the carry staying in [0, 1)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: UNITS_PER_CREDIT - 1n }), fc.array(call, { maxLength: 60 }), (initial, calls) => {
        let carry = initial;
        let charged = 0n;
        let exactSum = 0n;
        for (const c of calls) {
          const exact = exactRequestCost(c.price, c);
          const step = carryCharge(carry, exact);
          // Never more than this price plus what was carried; never a negative charge.
          expect(step.charged * UNITS_PER_CREDIT).toBeLessThanOrEqual(exact + carry);
          expect(step.charged).toBeGreaterThanOrEqual(0n);
          expect(step.carry).toBeGreaterThanOrEqual(0n);
          expect(step.carry).toBeLessThan(UNITS_PER_CREDIT);
          charged += step.charged;
          carry = step.carry;
          exactSum += exact;
        }
        expect(charged).toBe((exactSum + initial) / UNITS_PER_CREDIT);
        expect(charged * UNITS_PER_CREDIT + carry).toBe(exactSum + initial);
      }),
      { numRuns: 300 },
    );
  });

  it('prices a decimal per Mtok exactly: price × tokens lands on the sub-credit grid without rounding', () => {
    fc.assert(
      fc.property(decimalPrice, fc.integer({ min: 0, max: 10_000_000 }), (perMtok, tokens) => {
        const exact = exactRequestCost({ inputPerMtok: perMtok, outputPerMtok: 0, perRequest: 0, maxOutputTokens: null }, { inputTokens: tokens, outputTokens: 0 });
        // The same product in decimal text: perMtok × tokens / 10^6 credits.
        expect(exact).toBe(toMicros(String(perMtok)) * BigInt(tokens));
        expect(Number(toMicros(perMtok)) / 1e6).toBe(perMtok);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decimal prices', () => {
  it.each([
    ['0.15', 150_000n],
    ['150', 150_000_000n],
    ['0.000001', 1n],
    ['0.0000004', 0n], // beyond the 6th decimal: rounded half up
    ['0.0000005', 1n],
    ['1.5e-7', 0n],
    ['2.5e3', 2_500_000_000n],
  ])('reads %s credits as %i micro-credits', (text, micros) => {
    expect(toMicros(text)).toBe(micros);
  });

  it('converts dollars with a scale, exactly (0.15 $/Mtok × 1,000,000 credits/$ = 150,000 credits/Mtok)', () => {
    expect(toMicros(0.15, 1_000_000n)).toBe(150_000_000_000n);
    expect(microsToDecimal(toMicros(0.075, 1_000_000n))).toBe('75000');
  });

  it('accepts at most 6 decimal places', () => {
    expect(hasPriceDecimals(0.15)).toBe(true);
    expect(hasPriceDecimals(123_456_789.123456)).toBe(true);
    expect(hasPriceDecimals(0.1234567)).toBe(false);
    expect(hasPriceDecimals(-1)).toBe(false);
  });

  it('writes sub-credit units as exact decimals', () => {
    expect(unitsToDecimal(0n)).toBe('0');
    expect(unitsToDecimal(3n * UNITS_PER_CREDIT + 450_000_000_000n)).toBe('3.45');
    expect(unitsToDecimal(1n)).toBe('0.000000000001');
  });
});
