// Pricing math (SPEC §1, §6): pure, integer credits, no I/O.
//
// Rounding rule: token costs are summed exactly (input × price + output × price, in credits per
// million tokens) and the total is rounded UP once per request, then the per-request fee is added.
// So a request never costs less than what it used, any request that used a priced token costs at
// least 1 credit, and rounding never compounds across the two token kinds. The products are done
// in BigInt: 10^7 tokens × 10^9 credits/Mtok would overflow a double's exact integers.

export interface Price {
  /** Credits per 1,000,000 input tokens. */
  inputPerMtok: number;
  /** Credits per 1,000,000 output tokens. */
  outputPerMtok: number;
  /** Credits per request, on top of the tokens. */
  perRequest: number;
  /** Output tokens a reservation covers when the client sets no max_tokens (null: the default). */
  maxOutputTokens: number | null;
}

export interface TokenCount {
  inputTokens: number;
  outputTokens: number;
}

/** Output tokens reserved for when neither the client nor the price sets a cap. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4096;

const MILLION = 1_000_000n;

function nonNegativeInteger(value: number): bigint {
  return BigInt(Math.max(0, Math.floor(Number.isFinite(value) ? value : 0)));
}

/** True when the price can charge anything at all; unpriced traffic is metered and free. */
export function isPriced(price: Price | null | undefined): price is Price {
  return !!price && (price.inputPerMtok > 0 || price.outputPerMtok > 0 || price.perRequest > 0);
}

/** Credits for the tokens alone, rounded up once. */
export function tokenCost(price: Price, tokens: TokenCount): number {
  const micro =
    nonNegativeInteger(tokens.inputTokens) * nonNegativeInteger(price.inputPerMtok) +
    nonNegativeInteger(tokens.outputTokens) * nonNegativeInteger(price.outputPerMtok);
  return Number((micro + MILLION - 1n) / MILLION);
}

/** What a finished request costs: the per-request fee plus its tokens. */
export function requestCost(price: Price, tokens: TokenCount): number {
  return Math.max(0, Math.floor(price.perRequest)) + tokenCost(price, tokens);
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
 * What a request is charged when it ends. Charged for what was delivered: with reported (or
 * counted) usage, the fee plus those tokens, whatever the outcome — an aborted stream pays for its
 * input and the chunks it received. With no usage (the upstream never answered), a successful
 * request pays the fee alone; a failed or aborted one pays nothing.
 */
export function settlementCost(price: Price, usage: TokenCount | null, outcome: 'ok' | 'failed' | 'aborted'): number {
  if (usage) return requestCost(price, usage);
  return outcome === 'ok' ? Math.max(0, Math.floor(price.perRequest)) : 0;
}

/** A route's fixed per-request cost as a price (no tokens). */
export function routePrice(cost: number): Price {
  return { inputPerMtok: 0, outputPerMtok: 0, perRequest: cost, maxOutputTokens: null };
}
