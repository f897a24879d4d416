// The seam between the data plane and the limits/credits engine (SPEC §4 order: … → rate limits
// (key, then account) → credits (reserve) → … → settle). The gateway asks once per request; the
// engine answers with a decision (an expected "no" is a value, never an exception) and, when
// admitted, a ticket that must be settled exactly once when the request ends — success, upstream
// failure or client abort alike — so concurrency slots and unused reservations are released.
import type { ApiError } from '../core/errors.js';
import type { PriceTarget } from '../credits/price-lookup.js';
import type { KeyRateLimit } from '../storage/api-keys.js';

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
  /** Credits charged for this request (0 when unpriced). */
  credits: number;
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

export type AdmissionDecision =
  | {
      ok: true;
      headers: Record<string, string>;
      ticket: AdmissionTicket;
      /**
       * For a priced model call: the output tokens per choice the credit reservation covers (the
       * client's cap, else the price's). The gateway forwards it, so that the charge cannot exceed
       * what was reserved unless the upstream ignores the cap (then the excess is debt).
       */
      maxOutputTokens?: number | null;
    }
  /** error is 429 rate_limited (with Retry-After in error.headers), 402 insufficient_credits or 402 model_unpriced. */
  | { ok: false; error: ApiError; headers: Record<string, string> };

export interface Admission {
  /**
   * Decides once per request. Rejects (throws ApiError 503 `unavailable`) only when storage cannot
   * be reached, after undoing whatever the request had claimed.
   */
  admit(request: AdmissionRequest): Promise<AdmissionDecision>;
}
