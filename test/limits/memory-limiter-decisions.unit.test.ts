// The in-process limiter reads its buckets in one pass that allocates nothing per bucket, and builds
// the list of releases only for a refusal. Its decisions must be exactly those of the pure decision
// over the full snapshot (sliding-window.ts, which the Redis store uses too): checked here against
// that reference over random sequences of claims, adjustments and clock steps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LimitRule } from '../../src/limits/limit-rules.js';
import { MemoryLimiterStore } from '../../src/limits/memory-limiter-store.js';
import { bucketAt, decideClaim, oldestCountedBucket, rateSnapshot, windowShape } from '../../src/limits/sliding-window.js';

const WINDOW_MS = 60_000;
const SHAPE = windowShape(WINDOW_MS);

/** The reference: buckets in a Map, every snapshot built in full by rateSnapshot. */
class ReferenceLimiter {
  private readonly rates = new Map<string, Map<number, number>>();

  claim(rules: LimitRule[], nowMs: number) {
    const snapshots = rules.map((rule) => {
      const buckets = this.rates.get(rule.id) ?? new Map<number, number>();
      const oldest = oldestCountedBucket(nowMs, SHAPE);
      for (const index of [...buckets.keys()]) if (index < oldest) buckets.delete(index);
      return rateSnapshot(buckets, nowMs, SHAPE);
    });
    const decision = decideClaim(rules, snapshots, SHAPE, nowMs);
    if (decision.kind === 'allowed') for (const rule of rules) if (rule.cost > 0) this.add(rule.id, bucketAt(nowMs, SHAPE), rule.cost);
    return decision;
  }

  add(id: string, bucket: number, delta: number): void {
    const buckets = this.rates.get(id) ?? new Map<number, number>();
    this.rates.set(id, buckets);
    const next = (buckets.get(bucket) ?? 0) + delta;
    if (next > 0) buckets.set(bucket, next);
    else buckets.delete(bucket);
  }
}

const rules = (tokens: number): LimitRule[] => [
  { id: 'k:rpm', scope: 'key', kind: 'requests', limit: 7, cost: 1 },
  { id: 'k:tpm', scope: 'key', kind: 'tokens', limit: 500, cost: tokens },
  { id: 'a:rpm', scope: 'account', kind: 'requests', limit: 11, cost: 1 },
];

describe('the in-process limiter', () => {
  it('decides every claim exactly as the full snapshot does: outcomes, reset and Retry-After', async () => {
    const step = fc.record({ advanceMs: fc.integer({ min: 0, max: 9_000 }), tokens: fc.integer({ min: 0, max: 300 }), adjust: fc.integer({ min: -150, max: 150 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 80 }), async (steps) => {
        let nowMs = 1_700_000_000_000;
        const store = new MemoryLimiterStore({ windowMs: WINDOW_MS, now: () => nowMs });
        const reference = new ReferenceLimiter();
        for (const [i, { advanceMs, tokens, adjust }] of steps.entries()) {
          nowMs += advanceMs;
          const { decision, hold } = store.claimNow({ rules: rules(tokens), leaseId: `lease-${i}` });
          expect(decision).toEqual(reference.claim(rules(tokens), nowMs));
          // Settling corrects the tokens counted (more or fewer than estimated), in the claim's bucket.
          if (hold && adjust !== 0) {
            await hold.end(adjust);
            reference.add('k:tpm', bucketAt(nowMs, SHAPE), adjust);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
