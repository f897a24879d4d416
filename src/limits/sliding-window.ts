// The rate-limit decision, pure (better-auth style: a decision value that a store applies
// atomically). Windows are sliding and conservative:
//
// A window of W ms is cut into N buckets of W/N ms. A claim at time t counts the bucket holding t
// and the N buckets before it, so every instant of (t − W, t] is covered. Nothing ever passes more
// than `limit` within any W-long span — unlike fixed windows, which let 2× through across a
// boundary, or token buckets, which let a full bucket burst on top of the refill. The price is at
// most one bucket (W/N) of extra wait, so with N = 60 a sustained overload gets 1.00×, never more,
// and at worst ~1.6 % less than the limit over one window.
//
// The Redis store runs the same arithmetic in Lua (redis-scripts.ts); the contract suite holds the
// two to the same answers.
import type { LimitRule } from './limit-rules.js';

export interface WindowShape {
  bucketMs: number;
  /** N: buckets per window. */
  buckets: number;
}

export const DEFAULT_BUCKETS = 60;

export function windowShape(windowMs: number, buckets = DEFAULT_BUCKETS): WindowShape {
  // bucketMs may be fractional (60 000 / 60 is not, 1 000 / 60 is): the window stays exactly W.
  const n = Math.max(1, Math.floor(buckets));
  return { bucketMs: Math.max(1, windowMs) / n, buckets: n };
}

export function windowMsOf(shape: WindowShape): number {
  return shape.bucketMs * shape.buckets;
}

export function bucketAt(nowMs: number, shape: WindowShape): number {
  return Math.floor(nowMs / shape.bucketMs);
}

/** The oldest bucket still counted at `nowMs`. */
export function oldestCountedBucket(nowMs: number, shape: WindowShape): number {
  return bucketAt(nowMs, shape) - shape.buckets;
}

/** Counted usage that will leave the window: `count` units, `inMs` from now. Oldest first. */
export interface Release {
  inMs: number;
  count: number;
}

/** What a store saw for one rule, before this claim. */
export interface RuleSnapshot {
  used: number;
  /**
   * When the oldest counted usage leaves the window (undefined: read from `releases`). A store that
   * knows it sets it, so that a claim that passes never needs the whole list.
   */
  firstReleaseMs?: number | undefined;
  /** Rate rules: counted buckets, oldest first. Concurrency: empty (slots free on release). */
  readonly releases: Release[];
}

/** A rate rule's snapshot from its buckets (bucket index → count). */
export function rateSnapshot(buckets: Iterable<readonly [number, number]>, nowMs: number, shape: WindowShape): RuleSnapshot {
  const oldest = oldestCountedBucket(nowMs, shape);
  const counted = [...buckets].filter(([index, count]) => index >= oldest && count > 0).sort((a, b) => a[0] - b[0]);
  return {
    used: counted.reduce((sum, [, count]) => sum + count, 0),
    releases: counted.map(([index, count]) => ({ inMs: (index + shape.buckets + 1) * shape.bucketMs - nowMs, count })),
  };
}

export interface RuleOutcome {
  rule: LimitRule;
  /** Usage after the claim when allowed, before it when denied. */
  used: number;
  remaining: number;
  /** Milliseconds until some counted usage leaves the window (0: nothing counted). */
  resetMs: number;
}

export type ClaimDecision =
  | { kind: 'allowed'; outcomes: RuleOutcome[] }
  | { kind: 'denied'; denied: LimitRule[]; retryAfterMs: number; outcomes: RuleOutcome[] };

/** Whether one rule lets this claim through. A full counter refuses even a zero-cost claim. */
export function rulePasses(rule: LimitRule, used: number): boolean {
  return used < rule.limit && used + rule.cost <= rule.limit;
}

/** When enough usage will have left the window for this claim to pass. */
export function retryAfterMs(rule: LimitRule, snapshot: RuleSnapshot, windowMs: number, concurrencyRetryMs = 1_000): number {
  if (rule.kind === 'concurrency') return concurrencyRetryMs;
  if (rule.cost > rule.limit) return windowMs; // never fits in one window: say "a window"
  let used = snapshot.used;
  for (const release of snapshot.releases) {
    used -= release.count;
    if (rulePasses(rule, used)) return Math.max(1, release.inMs);
  }
  return windowMs;
}

/** All rules pass, or the claim is denied as a whole: no partial consumption. */
export function decideClaim(rules: LimitRule[], snapshots: RuleSnapshot[], shape: WindowShape, nowMs: number): ClaimDecision {
  const windowMs = windowMsOf(shape);
  // What this claim counts leaves the window with the bucket holding `nowMs`.
  const ownReleaseMs = (bucketAt(nowMs, shape) + shape.buckets + 1) * shape.bucketMs - nowMs;
  const denied = rules.filter((rule, i) => !rulePasses(rule, snapshots[i]!.used));
  const allowed = denied.length === 0;
  const outcomes = rules.map((rule, i): RuleOutcome => {
    const snapshot = snapshots[i]!;
    const used = allowed ? snapshot.used + rule.cost : snapshot.used;
    const counted = 'firstReleaseMs' in snapshot ? snapshot.firstReleaseMs : snapshot.releases[0]?.inMs;
    const firstRelease = counted ?? (allowed && rule.kind !== 'concurrency' && rule.cost > 0 ? ownReleaseMs : 0);
    return { rule, used, remaining: Math.max(0, rule.limit - used), resetMs: Math.max(0, firstRelease) };
  });
  if (allowed) return { kind: 'allowed', outcomes };
  const retry = Math.max(...rules.map((rule, i) => (denied.includes(rule) ? retryAfterMs(rule, snapshots[i]!, windowMs) : 0)));
  return { kind: 'denied', denied, retryAfterMs: retry, outcomes };
}
