// The in-process limiter (the embedded default, and each node's fallback while Redis is down).
// JavaScript runs one claim at a time, so "check every rule, then count every rule" in one
// synchronous step is atomic without locks. Memory stays bounded: stale buckets are dropped on
// each touch and idle counters by a sweep every `sweepEvery` claims.
import type { LimitRule } from './limit-rules.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_WINDOW_MS,
  type ClaimRequest,
  type ClaimResult,
  type LimiterHold,
  type LimiterStore,
  type LimiterStoreOptions,
} from './limiter-store.js';
import { bucketAt, decideClaim, oldestCountedBucket, rateSnapshot, windowShape, type Release, type RuleSnapshot, type WindowShape } from './sliding-window.js';

export interface MemoryLimiterOptions extends LimiterStoreOptions {
  now?: () => number;
  sweepEvery?: number;
}

const NO_RELEASES: Release[] = Object.freeze([]) as unknown as Release[];
const NOTHING_COUNTED: RuleSnapshot = Object.freeze({ used: 0, releases: NO_RELEASES });

/**
 * A rate rule's snapshot whose list of releases is only built if a refusal asks for it (its
 * Retry-After). A class, not an object literal with a `get releases()`: V8 built a hidden class of
 * its own for every such literal, slowly, and kept what its getter reached alive through the young
 * generation's collections until the next full one (ARCHITECTURE.md, "Hot-path objects").
 */
class CountedRate implements RuleSnapshot {
  constructor(
    readonly used: number,
    readonly firstReleaseMs: number,
    private readonly buckets: Map<number, number>,
    private readonly nowMs: number,
    private readonly shape: WindowShape,
  ) {}

  get releases(): Release[] {
    return rateSnapshot(this.buckets, this.nowMs, this.shape).releases;
  }
}

export class MemoryLimiterStore implements LimiterStore {
  readonly backend = 'memory' as const;
  private readonly rates = new Map<string, Map<number, number>>();
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly shape: WindowShape;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly sweepEvery: number;
  private claims = 0;

  constructor(options: MemoryLimiterOptions = {}) {
    this.shape = windowShape(options.windowMs ?? DEFAULT_WINDOW_MS, options.buckets);
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = options.now ?? Date.now;
    this.sweepEvery = options.sweepEvery ?? 10_000;
  }

  async claim(request: ClaimRequest): Promise<ClaimResult> {
    return this.claimNow(request);
  }

  /** Synchronous on purpose: nothing can interleave between the decision and its application. */
  claimNow({ rules, leaseId }: ClaimRequest): ClaimResult {
    const nowMs = this.now();
    if (++this.claims % this.sweepEvery === 0) this.sweep(nowMs);
    const snapshots = rules.map((rule) => this.snapshot(rule, nowMs));
    const decision = decideClaim(rules, snapshots, this.shape, nowMs);
    if (decision.kind === 'denied') return { decision, hold: null };
    const bucket = bucketAt(nowMs, this.shape);
    for (const rule of rules) {
      if (rule.kind === 'concurrency') this.slotsOf(rule.id).set(leaseId, nowMs + this.leaseMs);
      else if (rule.cost > 0) this.add(rule.id, bucket, rule.cost);
    }
    return { decision, hold: this.hold(rules, leaseId, bucket) };
  }

  async close(): Promise<void> {
    this.rates.clear();
    this.slots.clear();
  }

  private hold(rules: LimitRule[], leaseId: string, bucket: number): LimiterHold {
    const concurrency = rules.filter((rule) => rule.kind === 'concurrency').map((rule) => rule.id);
    return {
      end: async (tokenDelta) => {
        if (tokenDelta !== 0 && bucket >= oldestCountedBucket(this.now(), this.shape)) {
          for (const rule of rules) if (rule.kind === 'tokens') this.add(rule.id, bucket, tokenDelta);
        }
        for (const id of concurrency) this.slots.get(id)?.delete(leaseId);
      },
      renew: async () => {
        const until = this.now() + this.leaseMs;
        for (const id of concurrency) {
          const slots = this.slots.get(id);
          if (slots?.has(leaseId)) slots.set(leaseId, until);
        }
      },
    };
  }

  /**
   * One pass over the rule's buckets, allocating nothing per bucket: the count and when the oldest
   * leaves the window. The list of every release (for a refusal's Retry-After) is built only if read.
   */
  private snapshot(rule: LimitRule, nowMs: number): RuleSnapshot {
    if (rule.kind === 'concurrency') {
      const slots = this.slots.get(rule.id);
      if (!slots) return NOTHING_COUNTED;
      slots.forEach((expiresAt, lease) => expiresAt <= nowMs && slots.delete(lease));
      return { used: slots.size, releases: NO_RELEASES };
    }
    const buckets = this.rates.get(rule.id);
    if (!buckets) return NOTHING_COUNTED;
    const { shape } = this;
    const oldest = oldestCountedBucket(nowMs, shape);
    let used = 0;
    let first = Number.POSITIVE_INFINITY;
    // forEach, not for…of: no iterator result per bucket (a Map may lose entries while it is walked).
    buckets.forEach((count, index) => {
      if (index < oldest) buckets.delete(index);
      else {
        used += count;
        if (index < first) first = index;
      }
    });
    if (used === 0) return NOTHING_COUNTED;
    return new CountedRate(used, (first + shape.buckets + 1) * shape.bucketMs - nowMs, buckets, nowMs, shape);
  }

  private add(ruleId: string, bucket: number, delta: number): void {
    let buckets = this.rates.get(ruleId);
    if (!buckets) this.rates.set(ruleId, (buckets = new Map()));
    const next = (buckets.get(bucket) ?? 0) + delta;
    if (next > 0) buckets.set(bucket, next);
    else buckets.delete(bucket);
  }

  private slotsOf(ruleId: string): Map<string, number> {
    let slots = this.slots.get(ruleId);
    if (!slots) this.slots.set(ruleId, (slots = new Map()));
    return slots;
  }

  private sweep(nowMs: number): void {
    const oldest = oldestCountedBucket(nowMs, this.shape);
    for (const [id, buckets] of this.rates) {
      for (const index of buckets.keys()) if (index < oldest) buckets.delete(index);
      if (buckets.size === 0) this.rates.delete(id);
    }
    for (const [id, slots] of this.slots) {
      for (const [lease, expiresAt] of slots) if (expiresAt <= nowMs) slots.delete(lease);
      if (slots.size === 0) this.slots.delete(id);
    }
  }
}
