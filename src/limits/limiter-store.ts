// The one interface both rate-limit backends implement (in-process and Redis), run through one
// contract suite (test/limits/limiter-store-contract.test.ts). A store takes the rules of one
// request, applies the pure decision of sliding-window.ts atomically — every rule counted or none —
// and hands back a hold that lets the request correct its token count and free its slots.
import type { LimitRule } from './limit-rules.js';
import type { ClaimDecision } from './sliding-window.js';

export interface ClaimRequest {
  rules: LimitRule[];
  /** Unique per request: names the concurrency slots it holds. */
  leaseId: string;
}

/** What an admitted request holds in the store until it ends. */
export interface LimiterHold {
  /**
   * Ends the hold, once, when the request is over: adds `tokenDelta` (may be negative: the tokens
   * used minus those counted at the claim) to each tokens rule's count, in the bucket the claim was
   * counted in, and frees the request's concurrency slots. One round trip on Redis.
   */
  end(tokenDelta: number): Promise<void>;
  /** Extends the slots' lease (a store may expire slots of a node that died). */
  renew(): Promise<void>;
}

export type ClaimResult =
  | { decision: Extract<ClaimDecision, { kind: 'allowed' }>; hold: LimiterHold }
  | { decision: Extract<ClaimDecision, { kind: 'denied' }>; hold: null };

export interface LimiterStore {
  readonly backend: 'memory' | 'redis';
  claim(request: ClaimRequest): Promise<ClaimResult>;
  close(): Promise<void>;
}

export interface LimiterStoreOptions {
  /** Rate window (default 60 000 ms: per minute). Tests shrink it. */
  windowMs?: number;
  /** Buckets per window (default 60). */
  buckets?: number;
  /** How long a concurrency slot lives without renewal (default 120 000 ms). */
  leaseMs?: number;
}

export const DEFAULT_WINDOW_MS = 60_000;
export const DEFAULT_LEASE_MS = 120_000;
