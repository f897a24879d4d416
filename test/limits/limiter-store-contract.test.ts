// One contract for both rate-limit backends (SPEC §6: "both pass one contract suite"): every
// rule of a claim is counted or none is, slots come back, token counts are corrected, and a 10×
// overload lets through 1.00–1.05× the limit — across two nodes too, on Redis.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { limitRules, type LimitRule } from '../../src/limits/limit-rules.js';
import type { LimiterStore, LimiterStoreOptions } from '../../src/limits/limiter-store.js';
import { storeFactories } from './limiter-stores.js';

const account = () => `acc_${randomBytes(6).toString('hex')}`;
const rule = (id: string, kind: LimitRule['kind'], limit: number, cost = 1, scope: LimitRule['scope'] = 'account'): LimitRule => ({ id, scope, kind, limit, cost });

/** Claims at 10× the limit's rate for `windows` windows, spread over the stores; returns how many passed. */
async function overload(stores: LimiterStore[], rules: (i: number) => LimitRule[], limit: number, windowMs: number, windows: number): Promise<number> {
  const perWindow = limit * 10;
  const gapMs = windowMs / perWindow;
  const total = perWindow * windows;
  const start = performance.now();
  const claims: Array<Promise<boolean>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * gapMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (performance.now() - start >= windowMs * windows) break; // bounded: never past the span
    const store = stores[i % stores.length]!;
    claims.push(store.claim({ rules: rules(i), leaseId: `l${i}` }).then((r) => r.decision.kind === 'allowed'));
  }
  return (await Promise.all(claims)).filter(Boolean).length;
}

/** Counts the scripts a Redis store sends: the ioredis commands its Lua scripts are defined as. */
function countScripts(store: LimiterStore): { claims: number; ends: number } {
  const counts = { claims: 0, ends: 0 };
  const redis = (store as unknown as { redis: Record<string, (...args: unknown[]) => Promise<unknown>> }).redis;
  const claim = redis.tollgateClaim!.bind(redis);
  const end = redis.tollgateEnd!.bind(redis);
  redis.tollgateClaim = (...args) => ((counts.claims += 1), claim(...args));
  redis.tollgateEnd = (...args) => ((counts.ends += 1), end(...args));
  return counts;
}

for (const factory of storeFactories()) {
  describe(`limiter store contract: ${factory.name}`, () => {
    let close: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await close?.();
      close = undefined;
    });
    async function open(options: LimiterStoreOptions, nodes = 1): Promise<LimiterStore[]> {
      const opened = await factory.open(options, nodes);
      close = opened.close;
      return opened.stores;
    }

    it('counts every rule of a claim or none of them', async () => {
      const [store] = await open({ windowMs: 60_000 });
      const acc = account();
      const wide = rule(`{${acc}}:wide`, 'requests', 3);
      const narrow = rule(`{${acc}}:narrow`, 'requests', 1);
      expect((await store!.claim({ rules: [wide, narrow], leaseId: 'a' })).decision.kind).toBe('allowed');
      const refused = await store!.claim({ rules: [wide, narrow], leaseId: 'b' });
      expect(refused.decision.kind).toBe('denied');
      expect(refused.hold).toBeNull();
      // The refused claim did not count against `wide`: two more fit in it alone.
      expect((await store!.claim({ rules: [wide], leaseId: 'c' })).decision.outcomes[0]!.used).toBe(2);
      expect((await store!.claim({ rules: [wide], leaseId: 'd' })).decision.outcomes[0]!.used).toBe(3);
      expect((await store!.claim({ rules: [wide], leaseId: 'e' })).decision.kind).toBe('denied');
    });

    it('tells an allowed claim when its oldest counted usage leaves the window, not its own', async () => {
      // 60 buckets of 20 ms: the second claim lands buckets after the first, whose usage leaves first.
      const [store] = await open({ windowMs: 1_200 });
      const requests = rule(`{${account()}}:rpm`, 'requests', 10);
      const first = (await store!.claim({ rules: [requests], leaseId: 'a' })).decision.outcomes[0]!;
      await sleep(300);
      const second = (await store!.claim({ rules: [requests], leaseId: 'b' })).decision.outcomes[0]!;
      expect(second.used).toBe(2);
      expect(first.resetMs).toBeGreaterThan(1_150);
      expect(second.resetMs).toBeLessThan(first.resetMs - 200);
      expect(second.resetMs).toBeGreaterThan(0);
    });

    it('holds a concurrency slot until it is released', async () => {
      const [store] = await open({ windowMs: 60_000 });
      const slots = rule(`{${account()}}:conc`, 'concurrency', 2);
      const first = await store!.claim({ rules: [slots], leaseId: 'a' });
      await store!.claim({ rules: [slots], leaseId: 'b' });
      const third = await store!.claim({ rules: [slots], leaseId: 'c' });
      expect(third.decision.kind).toBe('denied');
      expect(third.decision.kind === 'denied' && third.decision.retryAfterMs).toBeGreaterThan(0);
      await first.hold!.end(0);
      await first.hold!.end(0); // ending twice frees one slot, not two
      expect((await store!.claim({ rules: [slots], leaseId: 'c' })).decision.kind).toBe('allowed');
      expect((await store!.claim({ rules: [slots], leaseId: 'd' })).decision.kind).toBe('denied');
    });

    it("expires a slot whose lease is not renewed (a dead node's requests), and keeps a renewed one", async () => {
      const [store] = await open({ windowMs: 60_000, leaseMs: 300 });
      const slots = rule(`{${account()}}:conc`, 'concurrency', 2);
      const kept = await store!.claim({ rules: [slots], leaseId: 'kept' });
      await store!.claim({ rules: [slots], leaseId: 'lost' });
      for (let i = 0; i < 4; i++) {
        await sleep(100);
        await kept.hold!.renew();
      }
      const after = await store!.claim({ rules: [slots], leaseId: 'new' });
      expect(after.decision.kind).toBe('allowed');
      expect(after.decision.outcomes[0]!.used).toBe(2); // kept + new; lost expired
    });

    it('corrects a token count to what was used', async () => {
      const [store] = await open({ windowMs: 60_000 });
      const tokens = (cost: number) => rule(`{${account()}}:tpm`, 'tokens', 1000, cost);
      const acc = tokens(0).id;
      const first = await store!.claim({ rules: [{ ...tokens(900), id: acc }], leaseId: 'a' });
      expect((await store!.claim({ rules: [{ ...tokens(200), id: acc }], leaseId: 'b' })).decision.kind).toBe('denied');
      await first.hold!.end(-700); // it used 200, not 900
      const second = await store!.claim({ rules: [{ ...tokens(200), id: acc }], leaseId: 'c' });
      expect(second.decision.outcomes[0]!.used).toBe(400);
    });

    it('ends a hold in one call: both tokens rules corrected, the slot freed', async () => {
      const [store] = await open({ windowMs: 60_000 });
      const acc = account();
      const keyTokens = rule(`{${acc}}:k:tpm`, 'tokens', 1000, 900, 'key');
      const accountTokens = rule(`{${acc}}:tpm`, 'tokens', 2000, 900);
      const slot = rule(`{${acc}}:conc`, 'concurrency', 1);
      const first = await store!.claim({ rules: [keyTokens, accountTokens, slot], leaseId: 'a' });
      expect(first.decision.kind).toBe('allowed');
      expect((await store!.claim({ rules: [slot], leaseId: 'b' })).decision.kind).toBe('denied');
      await first.hold!.end(-600); // it used 300, not 900
      const next = await store!.claim({ rules: [{ ...keyTokens, cost: 100 }, { ...accountTokens, cost: 100 }, slot], leaseId: 'c' });
      expect(next.decision.kind).toBe('allowed');
      expect(next.decision.outcomes.map((o) => o.used)).toEqual([400, 400, 1]);
    });

    it('lets two keys of one account share its limit and holds each key to its own limit on top', async () => {
      const [store] = await open({ windowMs: 60_000 });
      const acc = account();
      const rulesFor = (keyId: string) =>
        limitRules({ accountId: acc, keyId, accountLimits: { rpm: 5, tpm: null, concurrency: null }, keyLimits: keyId === 'key_b' ? { rpm: 2 } : null, tokens: 0 });
      const results: Record<string, number> = { key_a: 0, key_b: 0 };
      for (let i = 0; i < 20; i++) {
        const keyId = i % 2 === 0 ? 'key_a' : 'key_b';
        if ((await store!.claim({ rules: rulesFor(keyId), leaseId: `l${i}` })).decision.kind === 'allowed') results[keyId]! += 1;
      }
      expect(results).toEqual({ key_a: 3, key_b: 2 }); // 5 for the account in all; key_b stopped at 2
    });

    it('answers a denial with a Retry-After that, once waited, lets the claim through', async () => {
      const [store] = await open({ windowMs: 1_000, buckets: 10 });
      const limited = rule(`{${account()}}:rpm`, 'requests', 2);
      await store!.claim({ rules: [limited], leaseId: 'a' });
      await store!.claim({ rules: [limited], leaseId: 'b' });
      const denied = await store!.claim({ rules: [limited], leaseId: 'c' });
      if (denied.decision.kind !== 'denied') throw new Error('expected a denial');
      expect(denied.decision.retryAfterMs).toBeGreaterThan(900);
      expect(denied.decision.retryAfterMs).toBeLessThanOrEqual(1_100);
      await sleep(denied.decision.retryAfterMs + 20);
      expect((await store!.claim({ rules: [limited], leaseId: 'c' })).decision.kind).toBe('allowed');
    });

    it('decides 100 claims of one account sent at once as it would one at a time', async () => {
      const [store] = await open({ windowMs: 60_000 });
      const acc = account();
      const requests = rule(`{${acc}}:rpm`, 'requests', 37);
      const tokens = rule(`{${acc}}:tpm`, 'tokens', 1_000_000, 10);
      const slots = rule(`{${acc}}:conc`, 'concurrency', 50);
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store!.claim({ rules: [requests, tokens, slots], leaseId: `l${i}` })));
      const allowed = results.filter((r) => r.decision.kind === 'allowed');
      expect(allowed).toHaveLength(37);
      // Each allowed claim counted on top of the ones before it: no two saw the same count.
      expect(allowed.map((r) => r.decision.outcomes[0]!.used).sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, i) => i + 1));
      expect(allowed.map((r) => r.decision.outcomes[1]!.used).sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, i) => (i + 1) * 10));
      for (const refused of results.filter((r) => r.decision.kind === 'denied')) {
        expect(refused.decision.kind === 'denied' && refused.decision.retryAfterMs).toBeGreaterThan(0);
        expect(refused.decision.outcomes[0]!.used).toBe(37);
      }
      // Ended all at once: every slot back, every correction counted (each used 4 tokens of its 10).
      await Promise.all(allowed.map((r) => r.hold!.end(-6)));
      const after = await store!.claim({ rules: [tokens, slots], leaseId: 'after' });
      expect(after.decision.outcomes.map((o) => o.used)).toEqual([37 * 4 + 10, 1]);
    });

    it('lets 1.00–1.05× the limit through under a 10× overload for three windows', async () => {
      const [store] = await open({ windowMs: 1_000 });
      const limited = [rule(`{${account()}}:rpm`, 'requests', 20)];
      const allowed = await overload([store!], () => limited, 20, 1_000, 3);
      console.log(`${factory.name}: 10× overload over 3 windows of 20 → ${allowed} allowed (${(allowed / 60).toFixed(3)}×)`);
      expect(allowed / 60).toBeGreaterThanOrEqual(1.0);
      expect(allowed / 60).toBeLessThanOrEqual(1.05);
    });

    if (factory.name === 'redis') {
      it("sends an account's claims and ends that queue behind its script under way in one script, and a lone claim at once", async () => {
        const [store] = await open({ windowMs: 60_000 });
        const scripts = countScripts(store!);
        const acc = account();
        const rules = [rule(`{${acc}}:rpm`, 'requests', 1_000), rule(`{${acc}}:conc`, 'concurrency', 1_000)];
        const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store!.claim({ rules, leaseId: `l${i}` })));
        expect(results.every((r) => r.decision.kind === 'allowed')).toBe(true);
        // The first alone, then the 99 that queued behind it in scripts of at most 64 claims.
        expect(scripts.claims).toBe(3);
        await Promise.all(results.map((r) => r.hold!.end(0)));
        expect(scripts.ends).toBe(3);
        // Another account's claim does not wait for this one's script.
        const other = store!.claim({ rules: [rule(`{${account()}}:rpm`, 'requests', 1)], leaseId: 'other' });
        const lone = store!.claim({ rules, leaseId: 'lone' });
        expect((await other).decision.kind).toBe('allowed');
        expect((await lone).decision.outcomes[1]!.used).toBe(1);
        expect(scripts.claims).toBe(5);
      });

      it('lets 0.95–1.2× the limit through two nodes sharing Redis under a 10× overload', async () => {
        const stores = await open({ windowMs: 1_000 }, 2);
        const limited = [rule(`{${account()}}:rpm`, 'requests', 20)];
        const allowed = await overload(stores, () => limited, 20, 1_000, 3);
        console.log(`redis, 2 nodes: 10× overload over 3 windows of 20 → ${allowed} allowed (${(allowed / 60).toFixed(3)}×)`);
        expect(allowed / 60).toBeGreaterThanOrEqual(0.95);
        expect(allowed / 60).toBeLessThanOrEqual(1.2);
      });
    }
  });
}
