// Whether an account has any budget at all (its own or one of its keys'), remembered per account so
// that a priced request of an account without budgets takes no budget SELECT (issue 11 item 5); and,
// for an account that has one, the budgets a key's requests are held against (the key's and the
// account's), remembered the same way, so those requests take none either. The answers change only
// when a budget is set or cleared, which tells this cache (`forget`) on this node, and the key/cache
// bus tells the other nodes.
//
// A look-up that was in flight while a budget changed is not remembered (the generation moved, or
// the account's entry is no longer the one it started from), so an answer read before the change
// never outlives it. The entries also expire after `ttlMs`, the bound for nodes that share a
// database without the Redis bus (they cannot hear each other) and for a change written to the
// database file by another process.
import { LruMap } from '../core/lru-map.js';
import { Remembered } from '../core/remembered.js';
import type { BudgetRecord } from '../storage/budgets.js';

export interface BudgetPresenceOptions {
  /** One query: does any budget name this account? */
  load: (accountId: string) => Promise<boolean>;
  /** One query: the key's budget and its account's, in that order. */
  loadForKey?: (keyId: string, accountId: string) => Promise<BudgetRecord[]>;
  ttlMs: number;
  maxAccounts?: number;
  maxKeys?: number;
  nowMs?: () => number;
}

interface Known {
  has: boolean;
  /** The account's budget alone, as most of its keys' requests are held against: one list for all of them. */
  accountOnly?: readonly BudgetRecord[];
}

/** Keys of accounts with no budget at all: one frozen list. */
const NONE: readonly BudgetRecord[] = Object.freeze([]);

export class BudgetPresence {
  private readonly known: Remembered<Known>;
  /** By key and account: the budgets, and the account's entry they were read under. */
  private readonly forKeys: LruMap<string, { budgets: readonly BudgetRecord[]; under: Known }>;

  constructor(private readonly options: BudgetPresenceOptions) {
    this.known = new Remembered({ ttlMs: options.ttlMs, maxEntries: options.maxAccounts ?? 100_000, ...(options.nowMs ? { nowMs: options.nowMs } : {}) });
    this.forKeys = new LruMap(options.maxKeys ?? 100_000);
  }

  /** True when the account or one of its keys has a budget (or might: a budget changed meanwhile). */
  async has(accountId: string): Promise<boolean> {
    return (await this.entry(accountId)).has;
  }

  /** The budgets a request of this key is held against: the key's and its account's, in that order. */
  async forKey(keyId: string, accountId: string): Promise<readonly BudgetRecord[]> {
    const load = this.options.loadForKey;
    if (!load) throw new Error('BudgetPresence: no loadForKey was given');
    const id = `${accountId}\n${keyId}`;
    const under = await this.entry(accountId);
    const known = this.forKeys.get(id);
    if (known && known.under === under) return known.budgets;
    const generation = this.known.generation;
    const loaded = await load(keyId, accountId);
    // Remembered only under the account entry it was read for, still current: a change meanwhile replaced or dropped it.
    if (generation !== this.known.generation || this.known.peek(accountId) !== under) return loaded;
    // 100k keys of one account must not hold 100k copies of its budget: keys without one of their own share a list.
    const budgets = loaded.length === 0 ? NONE : loaded.length === 1 && loaded[0]!.scope === 'account' ? (under.accountOnly ??= loaded) : loaded;
    this.forKeys.set(id, { budgets, under });
    return budgets;
  }

  /** A budget of this account changed (or of some account: no argument); the next request looks again. */
  forget(accountId?: string): void {
    this.known.forget(accountId);
  }

  /** The account's entry, read again once it is `ttlMs` old (the key budgets read under it go with it). */
  private entry(accountId: string): Promise<Known> {
    return this.known.get(accountId, async () => ({ has: await this.options.load(accountId) }));
  }
}
