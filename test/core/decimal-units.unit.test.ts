import { describe, expect, it } from 'vitest';
import { decimalToUnits, unitsToDecimal } from '../../src/core/sub-credits.js';

describe('exact decimals of credits as sub-credit units', () => {
  it.each([['0', 0n], ['7', 7_000_000_000_000n], ['0.000000000001', 1n], ['12.5', 12_500_000_000_000n], ['-0.25', -250_000_000_000n], ['90071992547.409919', 90_071_992_547_409_919_000_000n]])('reads %s exactly', (text, units) => {
    expect(decimalToUnits(text)).toBe(units);
    expect(unitsToDecimal(units)).toBe(text);
  });

  it.each(['', '1.', '.5', '1e3', '0.0000000000001', 'NaN'])('refuses %j', (text) => {
    expect(() => decimalToUnits(text)).toThrow(RangeError);
  });
});
