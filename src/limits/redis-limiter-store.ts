// The shared limiter for several nodes: every claim is one Lua script (redis-scripts.ts), so the
// check-and-count of all of a request's rules is atomic across nodes. The store never decides on
// stale local state: if Redis cannot answer, the claim throws and the fallback store
// (fallback-limiter-store.ts) takes over — it is never silently unlimited.
import type { Redis } from 'ioredis';
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
import { CLAIM_SCRIPT, END_SCRIPT, RENEW_SCRIPT } from './redis-scripts.js';
import { decideClaim, rateSnapshot, windowShape, type RuleSnapshot, type WindowShape } from './sliding-window.js';

interface ScriptedRedis extends Redis {
  tollgateClaim(numKeys: number, ...args: Array<string | number>): Promise<unknown[]>;
  tollgateEnd(numKeys: number, ...args: Array<string | number>): Promise<number>;
  tollgateRenew(numKeys: number, ...args: Array<string | number>): Promise<number>;
}

export interface RedisLimiterOptions extends LimiterStoreOptions {
  /** Prefix of every key this store writes (default `tg:rl:`). */
  keyPrefix?: string;
}

export class RedisLimiterStore implements LimiterStore {
  readonly backend = 'redis' as const;
  private readonly redis: ScriptedRedis;
  private readonly shape: WindowShape;
  private readonly leaseMs: number;
  private readonly prefix: string;

  constructor(redis: Redis, options: RedisLimiterOptions = {}) {
    this.shape = windowShape(options.windowMs ?? DEFAULT_WINDOW_MS, options.buckets);
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.prefix = options.keyPrefix ?? 'tg:rl:';
    redis.defineCommand('tollgateClaim', { lua: CLAIM_SCRIPT });
    redis.defineCommand('tollgateEnd', { lua: END_SCRIPT });
    redis.defineCommand('tollgateRenew', { lua: RENEW_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  /** True while the connection is up (the fallback store polls it to switch back). */
  isReady(): boolean {
    return this.redis.status === 'ready';
  }

  async claim({ rules, leaseId }: ClaimRequest): Promise<ClaimResult> {
    const args: Array<string | number> = [this.shape.bucketMs, this.shape.buckets, leaseId, this.leaseMs];
    for (const rule of rules) args.push(rule.kind === 'concurrency' ? 'c' : 'r', rule.limit, rule.cost);
    const reply = await this.redis.tollgateClaim(rules.length, ...rules.map((rule) => this.key(rule)), ...args);
    const nowMs = Number(reply[1]);
    const bucket = Number(reply[2]);
    const allowed = Number(reply[0]) === 1;
    const { bucketMs, buckets } = this.shape;
    const snapshots = rules.map((rule, i): RuleSnapshot => {
      const used = Number(reply[3 + i * 2]);
      if (rule.kind === 'concurrency') return { used, releases: [] };
      // Allowed: the oldest counted bucket is all a passing claim needs (its reset).
      if (allowed) {
        const oldest = Number(reply[4 + i * 2]);
        return { used, firstReleaseMs: oldest < 0 ? undefined : (oldest + buckets + 1) * bucketMs - nowMs, releases: [] };
      }
      const flat = (reply[4 + i * 2] as unknown[]).map(Number);
      const pairs: Array<[number, number]> = [];
      for (let j = 0; j + 1 < flat.length; j += 2) pairs.push([flat[j]!, flat[j + 1]!]);
      return rateSnapshot(pairs, nowMs, this.shape);
    });
    // The script already applied (or refused) the claim; the same pure function explains it.
    const decision = decideClaim(rules, snapshots, this.shape, nowMs);
    if (allowed !== (decision.kind === 'allowed')) throw new Error('limiter script and decision disagree');
    if (decision.kind === 'denied') return { decision, hold: null };
    return { decision, hold: this.hold(rules, leaseId, bucket) };
  }

  async close(): Promise<void> {
    // The connection belongs to whoever built it (the composition root, src/services.ts, closes it).
  }

  private key(rule: LimitRule): string {
    return `${this.prefix}${rule.id}`;
  }

  private hold(rules: LimitRule[], leaseId: string, bucket: number): LimiterHold {
    const concurrencyKeys = rules.filter((rule) => rule.kind === 'concurrency').map((rule) => this.key(rule));
    const tokenKeys = rules.filter((rule) => rule.kind === 'tokens').map((rule) => this.key(rule));
    return {
      end: async (tokenDelta) => {
        const delta = Math.trunc(tokenDelta);
        const rates = delta === 0 ? [] : tokenKeys;
        if (rates.length === 0 && concurrencyKeys.length === 0) return;
        await this.redis.tollgateEnd(rates.length + concurrencyKeys.length, ...rates, ...concurrencyKeys, this.shape.bucketMs, this.shape.buckets, bucket, delta, rates.length, leaseId);
      },
      renew: async () => {
        if (concurrencyKeys.length === 0) return;
        await this.redis.tollgateRenew(concurrencyKeys.length, ...concurrencyKeys, leaseId, this.leaseMs);
      },
    };
  }
}
