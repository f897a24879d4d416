// An account's effective limits: the operator's override where set, else the configured default
// (config file `limits.default`), else none. Read on every data-plane request, so cached per
// account for `ttlMs`; a change is seen at once on the node that made it and within `ttlMs`
// on the others.
import type { ConfigFile } from '../config-file.js';
import type { LimitOverride } from '../storage/account-limits.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import type { Limits } from './limit-rules.js';

export interface AccountLimitsView {
  accountId: string;
  /** What applies now. */
  effective: Limits;
  /** The operator's overrides (null: the default applies). */
  overrides: LimitOverride;
  defaults: Limits;
}

export interface AccountLimitsOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

const NONE: LimitOverride = { rpm: null, tpm: null, concurrency: null };

export class AccountLimits {
  readonly defaults: Limits;
  private readonly cache = new Map<string, { view: AccountLimitsView; at: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly storage: Storage,
    defaults: ConfigFile['limits']['default'],
    options: AccountLimitsOptions = {},
  ) {
    this.defaults = Object.freeze({ rpm: defaults?.rpm ?? null, tpm: defaults?.tpm ?? null, concurrency: defaults?.concurrency ?? null });
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  async view(accountId: string): Promise<AccountLimitsView> {
    const cached = this.cache.get(accountId);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.view;
    let overrides: LimitOverride;
    try {
      const row = await this.storage.accountLimits.find(accountId);
      overrides = row ? { rpm: row.rpm, tpm: row.tpm, concurrency: row.concurrency } : NONE;
    } catch (error) {
      // A database blip: keep enforcing what we last knew rather than refusing every request.
      if (cached) return cached.view;
      throw error;
    }
    const view = this.compose(accountId, overrides);
    this.cache.delete(accountId);
    this.cache.set(accountId, { view, at: this.now() });
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return view;
  }

  async effective(accountId: string): Promise<Limits> {
    return (await this.view(accountId)).effective;
  }

  /**
   * Applies an operator's change: a number sets an override, null clears it, undefined keeps it.
   * `alsoInTransaction` (e.g. the audit event) commits with the change or not at all.
   */
  async update(accountId: string, patch: Partial<LimitOverride>, alsoInTransaction?: (tx: StorageTransaction) => Promise<unknown>): Promise<AccountLimitsView> {
    const at = new Date().toISOString();
    const overrides = await this.storage.transaction(async function updateLimits(tx) {
      const current = (await tx.accountLimits.find(accountId)) ?? NONE;
      const next: LimitOverride = {
        rpm: patch.rpm === undefined ? current.rpm : patch.rpm,
        tpm: patch.tpm === undefined ? current.tpm : patch.tpm,
        concurrency: patch.concurrency === undefined ? current.concurrency : patch.concurrency,
      };
      await tx.accountLimits.upsert({ accountId, ...next, updatedAt: at });
      await alsoInTransaction?.(tx);
      return next;
    });
    this.cache.delete(accountId);
    return this.compose(accountId, overrides);
  }

  private compose(accountId: string, overrides: LimitOverride): AccountLimitsView {
    return {
      accountId,
      overrides,
      defaults: this.defaults,
      effective: {
        rpm: overrides.rpm ?? this.defaults.rpm,
        tpm: overrides.tpm ?? this.defaults.tpm,
        concurrency: overrides.concurrency ?? this.defaults.concurrency,
      },
    };
  }
}
