// Builds the limits and credits engine from the config (called once, by the composition root):
// TOLLGATE_REDIS_URL set → shared Redis limits with a per-node fallback; unset → in-process limits.
// Credits: on one SQLite node (its database's only writer) in memory with group commit
// (src/credits/memory-credit-engine.ts); on PostgreSQL through the database's atomic path, where
// budgets ride in the same reservation and settlement transactions (src/credits/budget-claims.ts).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Config } from '../config.js';
import { BudgetClaims, type OnBudgetThreshold } from '../credits/budget-claims.js';
import { BudgetPresence } from '../credits/budget-presence.js';
import { Budgets } from '../credits/budgets.js';
import type { CreditEngine } from '../credits/credit-engine.js';
import { CreditLedger, type BalanceChangeHook } from '../credits/credit-ledger.js';
import { GroupCommit } from '../credits/group-commit.js';
import { MemoryBudgets } from '../credits/memory-budgets.js';
import { SettlementBatches } from '../credits/settlement-batches.js';
import { MemoryCreditEngine } from '../credits/memory-credit-engine.js';
import { PriceBook } from '../credits/price-book.js';
import { PriceCatalog } from '../credits/price-catalog.js';
import type { Storage } from '../storage/storage.js';
import { AccountLimits } from './account-limits.js';
import type { Admission } from './admission.js';
import { CreditAdmission } from './credit-admission.js';
import { FallbackLimiterStore, type LimiterStatus } from './fallback-limiter-store.js';
import { DEFAULT_LEASE_MS, DEFAULT_WINDOW_MS, type LimiterStore } from './limiter-store.js';
import { MemoryLimiterStore } from './memory-limiter-store.js';
import { RedisLimiterStore } from './redis-limiter-store.js';

/** What the operator and balance routes use besides the admission itself. */
export interface CreditServices {
  /** Balances, reservations and budget spend: in memory on one SQLite node, else in storage. */
  ledger: CreditEngine;
  /** The batches the in-memory engine writes (usage records join them); null with the storage ledger. */
  groupCommit: GroupCommit | null;
  prices: PriceBook;
  limits: AccountLimits;
  /** Key and account budgets: set and read (enforced inside the ledger's reserve and settle). */
  budgets: Budgets;
  /** Who has budgets at all; the key/cache bus makes it forget what other nodes changed. */
  budgetPresence: BudgetPresence;
  limiterStatus(): LimiterStatus;
  /** tollgate_unpriced_requests_total{policy}, registered with the gateway's metrics by the composition root. */
  unpricedRequests: Counter<'policy'>;
}

/**
 * How long "this account has no budget" is trusted without hearing of a change: the bound for
 * nodes sharing a database without the Redis bus. Changes on this node, and on others over the
 * bus, are heard at once.
 */
const BUDGET_PRESENCE_TTL_MS = 5_000;

export interface AdmissionEngine {
  admission: Admission;
  credits: CreditServices;
  close(): Promise<void>;
}

export interface AdmissionEngineOptions {
  /** Rate window; tests shrink it (default 60 s: rpm and tpm are per minute). */
  windowMs?: number;
  leaseMs?: number;
  /** The time budgets' periods are read at (tests move it). */
  clock?: () => Date;
  /** Told when a settlement takes a budget across 80, 90 or 100% (once per period each). */
  onBudgetThreshold?: OnBudgetThreshold;
  /** Runs in the transaction of every charge or debit (credits.low watches it). */
  onBalanceChange?: BalanceChangeHook;
  /**
   * This node is its database's only writer (SQLite): credits are claimed in memory and written by
   * group commit (memory-credit-engine.ts). Otherwise every claim is a storage transaction and
   * settlements are written in batches (settlement-batches.ts).
   */
  singleWriter?: boolean;
  /** A call the unpriced policy applied to: the caller's account and the model it asked for (model.unpriced). */
  onUnpricedCall?: (accountId: string, model: string, policy: string) => void;
}

export async function buildAdmissionEngine(
  config: Config,
  storage: Storage,
  logger: Logger,
  /** The limits connection (built and closed by the composition root); null: this node's memory only. */
  redis: Redis | null,
  options: AdmissionEngineOptions = {},
): Promise<AdmissionEngine> {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const memory = new MemoryLimiterStore({ windowMs, leaseMs });
  let store: LimiterStore = memory;
  let status = (): LimiterStatus => ({ backend: 'memory', fallback: false, fallbackSince: null, fallbackSwitches: 0, fallbackShare: null });

  if (redis) {
    redis.on('error', (error: Error) => logger.debug({ err: { message: error.message } }, 'redis (limits) connection error'));
    const share = config.file.limits.fallback_share;
    const fallback = new FallbackLimiterStore(new RedisLimiterStore(redis, { windowMs, leaseMs }), memory, { share, logger });
    await redis.connect().catch((error: unknown) => fallback.startDegraded(error));
    store = fallback;
    status = () => fallback.status();
  }

  const clock = options.clock ?? (() => new Date());
  const onThreshold = options.onBudgetThreshold ?? (() => undefined);
  const onError = (error: unknown) => logger.warn({ err: error }, 'could not announce a budget threshold');
  const budgetPresence = new BudgetPresence({
    load: (accountId) => storage.budgets.anyForAccount(accountId),
    loadForKey: (keyId, accountId) => storage.budgets.forRequest(keyId, accountId),
    ttlMs: BUDGET_PRESENCE_TTL_MS,
  });
  const budgetsFor = (keyId: string, accountId: string) => budgetPresence.forKey(keyId, accountId);
  const budgetClaims = new BudgetClaims({ clock, budgetsFor, onThreshold, onError });
  const onBalanceChange = options.onBalanceChange ? { onBalanceChange: options.onBalanceChange } : {};
  const stored = new CreditLedger(storage, { settleAlso: budgetClaims.settle, reserveAlso: (keyId, accountId) => budgetClaims.forRequest(keyId, accountId), ...onBalanceChange });
  const memoryBudgets = options.singleWriter ? new MemoryBudgets(storage, clock, budgetsFor) : null;
  // One SQLite node claims in memory and writes by group commit; otherwise every claim is a storage
  // transaction, and settlements are written in batches.
  let ledger: CreditEngine;
  let groupCommit: GroupCommit | null = null;
  let settlements: SettlementBatches | null = null;
  if (memoryBudgets) {
    groupCommit = new GroupCommit(storage, logger, options.onBalanceChange);
    const engine = new MemoryCreditEngine({ storage, stored, budgets: memoryBudgets, commits: groupCommit, onThreshold, onError });
    await engine.start();
    ledger = engine;
  } else {
    ledger = settlements = new SettlementBatches({ storage, ledger: stored, claims: budgetClaims, logger, onBalanceChange: options.onBalanceChange });
  }
  const budgets = new Budgets(storage, clock, budgetPresence, memoryBudgets ? (scope, ownerId, start) => memoryBudgets.spentNow(scope, ownerId, start) : undefined);
  const pricing = config.file.pricing;
  const catalog = pricing.catalog ? new PriceCatalog({ creditsPerUsd: pricing.credits_per_usd }) : null;
  const prices = new PriceBook(storage, { file: config.file, unpriced: config.unpriced, catalog });
  const limits = new AccountLimits(storage, config.file.limits.default);
  // One label, the policy applied (free, block, ceiling): never the model name, which is unbounded.
  const unpricedRequests = new Counter({ name: 'tollgate_unpriced_requests_total', help: 'Requests whose target had no price, by the unpriced policy applied (SPEC §8).', labelNames: ['policy'], registers: [] });
  const onUnpriced = (policy: string, call: { accountId: string; model: string }) => {
    unpricedRequests.inc({ policy });
    options.onUnpricedCall?.(call.accountId, call.model, policy);
  };
  const admission = new CreditAdmission({ store, accountLimits: limits, prices, ledger, budgetPresence, logger, windowMs, leaseMs, onUnpriced });

  return {
    admission,
    credits: { ledger, groupCommit, prices, limits, budgets, budgetPresence, limiterStatus: () => status(), unpricedRequests },
    async close() {
      await groupCommit?.flush();
      await settlements?.flush();
      await store.close();
    },
  };
}
