// The pure rate-limit decision and its headers, with vectors.
import { describe, expect, it } from 'vitest';
import type { LimitRule } from '../../src/limits/limit-rules.js';
import { limitRules, scaleRules } from '../../src/limits/limit-rules.js';
import { goDuration, rateLimitHeaders } from '../../src/gateway/rate-limit-headers.js';
import { rateLimitState } from '../../src/limits/admission.js';
import { decideClaim, rateSnapshot, windowShape } from '../../src/limits/sliding-window.js';

const shape = windowShape(60_000, 60); // 1 s buckets
const rpm = (limit: number, cost = 1): LimitRule => ({ id: '{acc_a}:acct:rpm', scope: 'account', kind: 'requests', limit, cost });
const tpm = (limit: number, cost: number): LimitRule => ({ id: '{acc_a}:acct:tpm', scope: 'account', kind: 'tokens', limit, cost });

describe('sliding-window decision', () => {
  it('counts the current bucket and the N before it, so every instant of the last window is covered', () => {
    const now = 100_500; // bucket 100
    const snapshot = rateSnapshot([[39, 5], [40, 1], [100, 2]], now, shape);
    expect(snapshot.used).toBe(3); // bucket 39 is out, 40 (= 100 − 60) still counts
    expect(snapshot.releases).toEqual([
      { inMs: 101_000 - now, count: 1 }, // bucket 40 leaves when bucket 101 starts
      { inMs: 161_000 - now, count: 2 },
    ]);
  });

  it('allows a claim that fits every rule and reports what remains', () => {
    const decision = decideClaim([rpm(10), tpm(1000, 400)], [{ used: 3, releases: [{ inMs: 2_000, count: 3 }] }, { used: 600, releases: [{ inMs: 5_000, count: 600 }] }], shape, 0);
    expect(decision.kind).toBe('allowed');
    expect(decision.outcomes.map((o) => o.remaining)).toEqual([6, 0]);
  });

  it('denies the whole claim when any rule would pass its limit, with the time until enough usage leaves', () => {
    const decision = decideClaim(
      [rpm(10), tpm(1000, 500)],
      [{ used: 3, releases: [] }, { used: 800, releases: [{ inMs: 1_500, count: 200 }, { inMs: 9_000, count: 600 }] }],
      shape,
      0,
    );
    expect(decision.kind).toBe('denied');
    if (decision.kind !== 'denied') return;
    expect(decision.denied.map((rule) => rule.kind)).toEqual(['tokens']);
    expect(decision.retryAfterMs).toBe(9_000); // 800 − 200 = 600 still too many for 500 more; − 600 fits
    expect(decision.outcomes[0]!.used).toBe(3); // nothing was counted
  });

  it('refuses even a zero-cost claim once a counter is full, and a claim larger than the limit for a whole window', () => {
    expect(decideClaim([tpm(100, 0)], [{ used: 100, releases: [{ inMs: 10, count: 100 }] }], shape, 0).kind).toBe('denied');
    const tooBig = decideClaim([tpm(100, 101)], [{ used: 0, releases: [] }], shape, 0);
    expect(tooBig.kind === 'denied' && tooBig.retryAfterMs).toBe(60_000);
  });

  it('builds key rules before account rules, in one Redis hash slot per account', () => {
    const rules = limitRules({ accountId: 'acc_1', keyId: 'key_1', accountLimits: { rpm: 60, tpm: null, concurrency: 2 }, keyLimits: { rpm: 5 }, tokens: 42 });
    expect(rules.map((r) => `${r.scope}:${r.kind}:${r.limit}`)).toEqual(['key:requests:5', 'account:requests:60', 'account:concurrency:2']);
    expect(rules.every((r) => r.id.startsWith('{acc_1}:'))).toBe(true);
    expect(scaleRules(rules, 0.5).map((r) => r.limit)).toEqual([3, 30, 1]);
  });
});

describe('rate-limit headers', () => {
  it('formats resets the way OpenAI does', () => {
    expect([goDuration(20), goDuration(1_000), goDuration(1_500), goDuration(360_000), goDuration(61_250)]).toEqual(['20ms', '1s', '1.5s', '6m0s', '1m1.25s']);
  });

  it('reports the tightest rule of each kind, the IETF policy and state, and Retry-After on a denial', () => {
    const rules: LimitRule[] = [
      { id: 'k', scope: 'key', kind: 'requests', limit: 5, cost: 1 },
      { id: 'a', scope: 'account', kind: 'requests', limit: 60, cost: 1 },
      { id: 't', scope: 'account', kind: 'tokens', limit: 1000, cost: 10 },
    ];
    const allowed = decideClaim(rules, [{ used: 1, releases: [{ inMs: 30_000, count: 1 }] }, { used: 0, releases: [] }, { used: 0, releases: [] }], shape, 0);
    const headers = rateLimitHeaders(rateLimitState(allowed, 60_000));
    expect(headers).toMatchObject({
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '3',
      'x-ratelimit-reset-requests': '30s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '990',
      'ratelimit-policy': '"key-requests";q=5;w=60, "account-requests";q=60;w=60, "account-tokens";q=1000;w=60;qu="tokens"',
    });
    expect(headers['ratelimit']).toMatch(/^"key-requests";r=3;t=30, "account-requests";r=59;t=\d+, "account-tokens";r=990;t=\d+$/);
    expect(headers['retry-after']).toBeUndefined();

    const denied = decideClaim(rules, [{ used: 5, releases: [{ inMs: 2_400, count: 5 }] }, { used: 5, releases: [] }, { used: 0, releases: [] }], shape, 0);
    expect(rateLimitHeaders(rateLimitState(denied, 60_000))['retry-after']).toBe('3');
  });
});

describe('in-process limiter on a simulated clock', () => {
  it('lets exactly the limit through a 10× overload for 60 s and for 180 s with the real one-minute window', async () => {
    const { MemoryLimiterStore } = await import('../../src/limits/memory-limiter-store.js');
    for (const minutes of [1, 3]) {
      let now = 1_700_000_000_123; // not aligned to a bucket
      const store = new MemoryLimiterStore({ now: () => now });
      const rule60: LimitRule = { id: '{acc_sim}:acct:rpm', scope: 'account', kind: 'requests', limit: 60, cost: 1 };
      let allowed = 0;
      for (let i = 0; i < 600 * minutes; i++) {
        now += 100; // 600 requests a minute: 10× the limit
        if (store.claimNow({ rules: [rule60], leaseId: `l${i}` }).decision.kind === 'allowed') allowed += 1;
      }
      expect(allowed / (60 * minutes)).toBeGreaterThanOrEqual(1.0);
      expect(allowed / (60 * minutes)).toBeLessThanOrEqual(1.05);
    }
  });
});
