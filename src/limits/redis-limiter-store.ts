// The shared limiter for several nodes: every claim is checked and counted by a Lua script
// (redis-scripts.ts), so the check-and-count of all of a request's rules is atomic across nodes. The
// store never decides on stale local state: if Redis cannot answer, the claim throws and the fallback
// store (fallback-limiter-store.ts) takes over — it is never silently unlimited.
//
// An account's claims that arrive while a claim script of that account is under way go together in
// the next one (lane-batches.ts), and so do its ends: under load, one round trip to Redis serves the
// requests that queued behind the one under way, instead of two round trips each. The script takes
// the claims in order, each as if alone, so a group decides exactly what the claims would one by one.
// A lane is an account: every counter of a request starts with `{accountId}` (limit-rules.ts), so one
// script's keys hash to one slot on a Redis Cluster.
import type { Redis } from 'ioredis';
import { LaneBatches } from '../core/lane-batches.js';
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

/** The most claims (or ends) one script takes: a script blocks Redis while it runs. */
const MAX_PER_SCRIPT = 64;

/** A hold to end: its counters, the bucket it was counted in, and its correction. */
interface Ending {
  rateKeys: readonly string[];
  concurrencyKeys: readonly string[];
  bucket: number;
  delta: number;
  leaseId: string;
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
  private readonly claims = new LaneBatches<ClaimRequest, ClaimResult>((requests) => this.claimAll(requests), MAX_PER_SCRIPT);
  private readonly ends = new LaneBatches<Ending, void>((endings) => this.endAll(endings), MAX_PER_SCRIPT);

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

  claim(request: ClaimRequest): Promise<ClaimResult> {
    return this.claims.submit(laneOf(request.rules), request);
  }

  /** One script for claims of one account, decided in order. */
  private async claimAll(requests: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    const keys = new Counters();
    const args: Array<string | number> = [this.shape.bucketMs, this.shape.buckets, this.leaseMs];
    for (const { rules, leaseId } of requests) {
      args.push(leaseId, rules.length);
      for (const rule of rules) args.push(keys.index(this.key(rule)), rule.kind === 'concurrency' ? 'c' : 'r', rule.limit, rule.cost);
    }
    const reply = await this.redis.tollgateClaim(keys.names.length, ...keys.names, ...args);
    const nowMs = Number(reply[0]);
    const bucket = Number(reply[1]);
    const results: ClaimResult[] = [];
    for (let i = 0; i < requests.length; i++) results.push(this.result(requests[i]!, reply[2 + i] as unknown[], nowMs, bucket));
    return results;
  }

  /** A claim's answer from its part of the script's reply: {allowed, used_1, seen_1, …}. */
  private result({ rules, leaseId }: ClaimRequest, reply: unknown[], nowMs: number, bucket: number): ClaimResult {
    const allowed = Number(reply[0]) === 1;
    const { bucketMs, buckets } = this.shape;
    const snapshots = rules.map((rule, i): RuleSnapshot => {
      const used = Number(reply[1 + i * 2]);
      if (rule.kind === 'concurrency') return { used, releases: [] };
      // Allowed: the oldest counted bucket is all a passing claim needs (its reset).
      if (allowed) {
        const oldest = Number(reply[2 + i * 2]);
        return { used, firstReleaseMs: oldest < 0 ? undefined : (oldest + buckets + 1) * bucketMs - nowMs, releases: [] };
      }
      const flat = (reply[2 + i * 2] as unknown[]).map(Number);
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

  /** One script for ends of one account. */
  private async endAll(endings: readonly Ending[]): Promise<void[]> {
    const keys = new Counters();
    const args: Array<string | number> = [this.shape.bucketMs, this.shape.buckets];
    for (const { rateKeys, concurrencyKeys, bucket, delta, leaseId } of endings) {
      args.push(bucket, delta, leaseId, rateKeys.length, concurrencyKeys.length);
      for (const key of rateKeys) args.push(keys.index(key));
      for (const key of concurrencyKeys) args.push(keys.index(key));
    }
    await this.redis.tollgateEnd(keys.names.length, ...keys.names, ...args);
    return new Array<void>(endings.length);
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
    const lane = laneOf(rules);
    return {
      end: async (tokenDelta) => {
        const delta = Math.trunc(tokenDelta);
        const rateKeys = delta === 0 ? [] : tokenKeys;
        if (rateKeys.length === 0 && concurrencyKeys.length === 0) return;
        await this.ends.submit(lane, { rateKeys, concurrencyKeys, bucket, delta, leaseId });
      },
      renew: async () => {
        if (concurrencyKeys.length === 0) return;
        await this.redis.tollgateRenew(concurrencyKeys.length, ...concurrencyKeys, leaseId, this.leaseMs);
      },
    };
  }
}

/** The keys of one script, each once, and their 1-based indexes (Lua's) in KEYS. */
class Counters {
  readonly names: string[] = [];
  private readonly indexes = new Map<string, number>();

  index(name: string): number {
    let index = this.indexes.get(name);
    if (index === undefined) {
      this.names.push(name);
      index = this.names.length;
      this.indexes.set(name, index);
    }
    return index;
  }
}

/** A request's lane: its account, the `{accountId}` its counters start with (limit-rules.ts). */
function laneOf(rules: readonly LimitRule[]): string {
  const first = rules[0]?.id ?? '';
  return first.slice(0, first.indexOf('}') + 1);
}
