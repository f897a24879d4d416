// Pricing math (SPEC §1, §6, §8): pure, no I/O.
//
// A request's exact price is counted in sub-credit units (src/core/sub-credits.ts: 10^12 to the
// credit): input tokens × the input price + output tokens × the output price (credits per million
// tokens, up to 6 decimals each) + the per-request fee. Nothing is rounded per request: the credit
// ledger charges the whole credits of (the account's carry + this price) and carries the rest, so
// a 7-token call at 150 credits per Mtok costs 0.00105 credits, not 1. Reservations, which must be
// whole credits, hold the price rounded up (`requestCost`). BigInt throughout: 10^7 tokens × 10^9
// credits/Mtok would overflow a double's exact integers.

import { creditsCovering, MICROS_PER_CREDIT, toMicros, UNITS_PER_CREDIT } from '../core/sub-credits.js';

/** Where a price came from; kept on every usage record (SPEC §8). */
export type PriceSource = 'operator' | 'config' | 'catalog' | 'route' | 'unpriced_ceiling';

/** Token prices from `aboveInputTokens` input tokens on (a catalogue's long-context tier). */
export interface PriceTier {
  aboveInputTokens: number;
  inputPerMtok: number;
  outputPerMtok: number;
}

export interface Price {
  /** Credits per 1,000,000 input tokens (at most 6 decimals). */
  inputPerMtok: number;
  /** Credits per 1,000,000 output tokens (at most 6 decimals). */
  outputPerMtok: number;
  /** Credits per request, on top of the tokens. */
  perRequest: number;
  /** Output tokens a reservation covers when the client sets no max_tokens (null: the default). */
  maxOutputTokens: number | null;
  /** Where the price came from (unset: an operator's, as before catalogues). */
  source?: PriceSource;
  /**
   * Dearer token prices for requests whose input exceeds a tier's start, ascending: the whole
   * request is priced at the last tier it passes (how the catalogue's providers bill long contexts).
   */
  tiers?: readonly PriceTier[];
}

export interface TokenCount {
  inputTokens: number;
  outputTokens: number;
}

/** Output tokens reserved for when neither the client nor the price sets a cap. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;

function nonNegativeInteger(value: number): bigint {
  return BigInt(Math.max(0, Math.floor(Number.isFinite(value) ? value : 0)));
}

/** True when the price can charge anything at all; unpriced traffic is metered and free. */
export function isPriced(price: Price | null | undefined): price is Price {
  return !!price && (price.inputPerMtok > 0 || price.outputPerMtok > 0 || price.perRequest > 0 || (price.tiers?.length ?? 0) > 0);
}

/** The token prices that apply to a request with this many input tokens. */
export function tokenRates(price: Price, inputTokens: number): { inputPerMtok: number; outputPerMtok: number } {
  let rates = { inputPerMtok: price.inputPerMtok, outputPerMtok: price.outputPerMtok };
  for (const tier of price.tiers ?? []) if (inputTokens > tier.aboveInputTokens) rates = tier;
  return rates;
}

/** The exact price of a request's tokens, in sub-credit units. */
export function exactTokenCost(price: Price, tokens: TokenCount): bigint {
  const rates = tokenRates(price, tokens.inputTokens);
  // micro-credits per Mtok × tokens = 10^-12 credits: the unit, exactly.
  return nonNegativeInteger(tokens.inputTokens) * toMicros(rates.inputPerMtok) + nonNegativeInteger(tokens.outputTokens) * toMicros(rates.outputPerMtok);
}

/** The per-request fee in sub-credit units. */
export function exactFee(price: Price): bigint {
  return toMicros(price.perRequest) * (UNITS_PER_CREDIT / MICROS_PER_CREDIT);
}

/** The exact price of a finished request (fee plus tokens), in sub-credit units. */
export function exactRequestCost(price: Price, tokens: TokenCount): bigint {
  return exactFee(price) + exactTokenCost(price, tokens);
}

/** Whole credits covering the tokens alone (rounded up: an upper bound, never a charge). */
export function tokenCost(price: Price, tokens: TokenCount): number {
  return creditsCovering(exactTokenCost(price, tokens));
}

/** Whole credits covering a request: what a reservation holds for it. */
export function requestCost(price: Price, tokens: TokenCount): number {
  return creditsCovering(exactRequestCost(price, tokens));
}

/** Output tokens a reservation covers: the client's max_tokens, else the price's cap, else the default. */
export function reservedOutputTokens(price: Price, maxOutputTokens: number | null): number {
  return maxOutputTokens ?? price.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS;
}

/** The most a request can cost, reserved before it goes upstream: the output cap once per choice (`n`). */
export function reservationCost(price: Price, estimatedInputTokens: number, maxOutputTokens: number | null, choices = 1): number {
  return requestCost(price, { inputTokens: estimatedInputTokens, outputTokens: reservedOutputTokens(price, maxOutputTokens) * Math.max(1, Math.floor(choices)) });
}

/**
 * The exact price of a request when it ends, in sub-credit units. Charged for what was delivered:
 * with reported (or counted) usage, the fee plus those tokens, whatever the outcome — an aborted
 * stream pays for its input and the chunks it received. With no usage (the upstream never
 * answered), a successful request pays the fee alone; a failed or aborted one pays nothing.
 */
export function settlementCost(price: Price, usage: TokenCount | null, outcome: 'ok' | 'failed' | 'aborted'): bigint {
  if (usage) return exactRequestCost(price, usage);
  return outcome === 'ok' ? exactFee(price) : 0n;
}

/** A route's fixed per-request cost as a price (no tokens); routes cost whole credits. */
export function routePrice(cost: number, source: PriceSource = 'route'): Price {
  return { inputPerMtok: 0, outputPerMtok: 0, perRequest: Math.max(0, Math.floor(cost)), maxOutputTokens: null, source };
}
