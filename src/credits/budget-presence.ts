// Whether an account has any budget at all (its own or one of its keys'), remembered per account so
// that a priced request of an account without budgets takes no budget SELECT (issue 11 item 5).
// Most accounts have none; the answer changes only when a budget is set or cleared, which tells
// this cache (`forget`) on this node, and the key/cache bus tells the other nodes.
//
// A look-up that was in flight while a budget changed is not remembered (the generation moved), so
// an answer read before the change never outlives it. The entries also expire after `ttlMs`, the
// bound for nodes that share a database without the Redis bus (they cannot hear each other).
import { LruMap } from '../core/lru-map.js';

export interface BudgetPresenceOptions {
  /** One query: does any budget name this account? */
  load: (accountId: string) => Promise<boolean>;
  ttlMs: number;
  maxAccounts?: number;
  nowMs?: () => number;
}

export class BudgetPresence {
  private readonly known: LruMap<string, { has: boolean; atMs: number }>;
  private generation = 0;
  private readonly nowMs: () => number;

  constructor(private readonly options: BudgetPresenceOptions) {
    this.known = new LruMap(options.maxAccounts ?? 100_000);
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** True when the account or one of its keys has a budget (or might: a budget changed meanwhile). */
  async has(accountId: string): Promise<boolean> {
    const entry = this.known.get(accountId);
    if (entry && this.nowMs() - entry.atMs < this.options.ttlMs) return entry.has;
    const generation = this.generation;
    const has = await this.options.load(accountId);
    if (generation === this.generation) this.known.set(accountId, { has, atMs: this.nowMs() });
    return has;
  }

  /** A budget of this account changed (or of some account: no argument); the next request looks again. */
  forget(accountId?: string): void {
    this.generation += 1;
    if (accountId === undefined) this.known.clear();
    else this.known.delete(accountId);
  }
}
