// What a credit is made of (SPEC §6, §8: "charges are exact"). Balances and the ledger hold whole
// credits; a request's exact price is counted in sub-credit units, 10^12 to the credit, and what
// does not make a whole credit is carried per account to its next charge. Prices are decimals of
// at most 6 places in credits per million tokens (micro-credits per Mtok), so price × tokens is an
// exact integer number of units: no request is rounded, and the sum of the whole credits charged
// is floor(sum of exact prices + the carry the account started with). Pure; BigInt throughout,
// because 10^7 tokens × 10^15 micro-credits per Mtok is far beyond a double's exact integers.

/** Sub-credit units per credit: micro-credits per Mtok × tokens lands exactly on this grid. */
export const UNITS_PER_CREDIT = 1_000_000_000_000n;
/** Micro-credits per credit: prices keep at most 6 decimal places. */
export const MICROS_PER_CREDIT = 1_000_000n;
/** Digits after the point a price may carry. */
export const PRICE_DECIMALS = 6;

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;
/** Prices as numbers already read, by value (bounded: emptied when full). */
const MICROS_OF = new Map<number, bigint>();
const MICROS_REMEMBERED = 4096;

/**
 * A non-negative decimal (a number's shortest round-trip text, or a decimal string) in micro-
 * credits, exactly, times `scale` (dollars × credits per dollar); digits beyond the 6th decimal
 * are rounded half up. A double written with at
 * most 15 significant digits (≤ 9 before the point, ≤ 6 after) reads back as the decimal it was
 * written as, which is why numbers can carry prices without losing a unit.
 */
export function toMicros(value: number | string, scale = 1n): bigint {
  if (typeof value !== 'number' || scale !== 1n) return parseMicros(value, scale);
  // Prices are few and read on every request: each number is parsed once.
  let micros = MICROS_OF.get(value);
  if (micros === undefined) {
    if (MICROS_OF.size >= MICROS_REMEMBERED) MICROS_OF.clear();
    micros = parseMicros(value, 1n);
    MICROS_OF.set(value, micros);
  }
  return micros;
}

function parseMicros(value: number | string, scale: bigint): bigint {
  const text = typeof value === 'number' ? (Number.isFinite(value) && value > 0 ? String(value) : '0') : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a non-negative decimal: ${JSON.stringify(text)}`);
  const digits = match[1]! + (match[2] ?? '');
  // The decimal as digits × 10^exponent.
  const exponent = Number(match[3] ?? 0) - (match[2]?.length ?? 0) + PRICE_DECIMALS;
  const scaled = BigInt(digits) * scale;
  if (exponent >= 0) return scaled * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  return (scaled + divisor / 2n) / divisor;
}

/** True when the decimal fits a price exactly: at most 6 places, so nothing is rounded. */
export function hasPriceDecimals(value: number): boolean {
  if (!Number.isFinite(value) || value < 0) return false;
  const micros = toMicros(value);
  return Number(micros) / 1e6 === value;
}

/** Micro-credits as a number of credits (the nearest double: exactly the decimal's own). */
export function microsToCredits(micros: bigint): number {
  return Number(micros) / 1e6;
}

/** Sub-credit units as an exact decimal string of credits ("0.00345"). */
export function unitsToDecimal(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const whole = abs / UNITS_PER_CREDIT;
  const fraction = (abs % UNITS_PER_CREDIT).toString().padStart(12, '0').replace(/0+$/, '');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

/** Micro-credits as an exact decimal string of credits ("0.15"). */
export function microsToDecimal(micros: bigint): string {
  return unitsToDecimal(micros * (UNITS_PER_CREDIT / MICROS_PER_CREDIT));
}

export interface CarriedCharge {
  /** Whole credits charged now. */
  charged: bigint;
  /** What stays carried, in [0, one credit). */
  carry: bigint;
}

/**
 * One settlement against the account's carry: the whole credits in (carry + exact price) are
 * charged and the rest carried. Never more than the price plus the carry, and short of it by
 * less than one credit: the customer is never charged for a fraction they have not used.
 * The same arithmetic runs in SQL in the settle statement (storage/credits.ts); this is its spec.
 */
export function carryCharge(carry: bigint, exact: bigint): CarriedCharge {
  const total = carry + (exact > 0n ? exact : 0n);
  return { charged: total / UNITS_PER_CREDIT, carry: total % UNITS_PER_CREDIT };
}

/** Whole credits that cover `units` (a reservation's upper bound). */
export function creditsCovering(units: bigint): number {
  return Number((units + UNITS_PER_CREDIT - 1n) / UNITS_PER_CREDIT);
}

/** An exact decimal string of credits ("0.00345", as unitsToDecimal writes it) as sub-credit units. */
export function decimalToUnits(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,12}))?$/.exec(text);
  if (!match) throw new RangeError(`not a decimal of at most 12 places: ${JSON.stringify(text)}`);
  const units = BigInt(match[2]!) * UNITS_PER_CREDIT + BigInt((match[3] ?? '').padEnd(12, '0'));
  return match[1] ? -units : units;
}
