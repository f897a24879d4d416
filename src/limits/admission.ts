// The seam between the data plane and the limits/credits engine (SPEC §4 order: … → rate limits
// (key, then account) → credits (reserve) → … → settle). The gateway asks once per request; the
// engine answers with a decision (an expected "no" is a value, never an exception) and, when
// admitted, a ticket that must be settled exactly once when the request ends — success, upstream
// failure or client abort alike — so concurrency slots and unused reservations are released.
// The answer is codes and numbers: where the request stands against each rate-limit rule; the
// gateway renders them as headers at its edge (src/gateway/rate-limit-headers.ts).
import type { ApiError } from '../core/errors.js';
import type { PriceTarget } from '../credits/price-lookup.js';
import type { Price } from '../credits/pricing.js';
import type { KeyRateLimit } from '../storage/api-keys.js';
import type { ClaimDecision, RuleOutcome } from './sliding-window.js';

export interface AdmissionRequest {
  accountId: string;
  keyId: string;
  keyLimits: KeyRateLimit | null;
  price: PriceTarget;
  /** Estimated input tokens (0 for routes). */
  estimatedInputTokens: number;
  /** The output cap per choice the client set (the field its endpoint honours), or null for none. */
  maxOutputTokens: number | null;
  /** Choices generated upstream (`n`); the output reservation is the cap times this (default 1). */
  choices?: number;
  requestId: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface Settlement {
  /** Whole credits charged for this request (0 when unpriced, or while its fraction is carried). */
  credits: number;
  /** The price charged at and the request's exact price in sub-credit units (null: nothing priced). */
  charge?: { price: Price; exact: bigint } | null;
}

export interface AdmissionTicket {
  /**
   * Ends the request's claim: charges for `usage` (null = nothing measurable was delivered),
   * releases the rest of the reservation and the concurrency slot. Idempotent.
   */
  settle(usage: Usage | null, outcome: 'ok' | 'failed' | 'aborted'): Promise<Settlement>;
  /** Names the target that answered (after failover), so settle() charges that target's price. */
  answeredBy(target: { provider: string; model: string }): void;
}

/** Where a request stands against its rate limits, as numbers (no limits: no state at all). */
export interface RateLimitState {
  /** The window rpm and tpm are counted over. */
  windowMs: number;
  /** One per rule (key and account; requests, tokens, concurrency). */
  outcomes: readonly RuleOutcome[];
  /** When refused: how long until the refusing rules have room again. */
  retryAfterMs: number | null;
}

export function rateLimitState(decision: ClaimDecision, windowMs: number): RateLimitState {
  return { windowMs, outcomes: decision.outcomes, retryAfterMs: decision.kind === 'denied' ? decision.retryAfterMs : null };
}

/** Retry-After in whole seconds, at least 1 (RFC 9110 §10.2.3). */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

export type AdmissionDecision =
  | {
      ok: true;
      rateLimit: RateLimitState | null;
      ticket: AdmissionTicket;
      /**
       * For a priced model call: the output tokens per choice the credit reservation covers (the
       * client's cap, else the price's). The gateway forwards it, so that the charge cannot exceed
       * what was reserved unless the upstream ignores the cap (then the excess is debt).
       */
      maxOutputTokens?: number | null;
    }
  /** error is 429 rate_limited (rateLimit.retryAfterMs set), 402 insufficient_credits or 402 model_unpriced. */
  | { ok: false; error: ApiError; rateLimit: RateLimitState | null };

export interface Admission {
  /**
   * Decides once per request. Rejects (throws ApiError 503 `unavailable`) only when storage cannot
   * be reached, after undoing whatever the request had claimed.
   */
  admit(request: AdmissionRequest): Promise<AdmissionDecision>;
}
