// Budget spend of a single SQLite node, held in memory (SPEC §8; the storage twin is
// budget-claims.ts). Each owner's spend in a period is loaded once, on first use, then claimed and
// settled in memory — synchronously, so N concurrent requests can never both see the same room —
// and written by the group commit as deltas (spent += charged; the highest threshold announced).
// Budget definitions are read only for accounts that have a budget at all, and then remembered until
// a budget of the account changes (budget-presence.ts), so a limit changed by an operator applies to
// the next request without a SELECT on every one.
import { periodWindow } from '../core/budget-period.js';
import { thresholdsCrossed } from '../core/budget-thresholds.js';
import type { BudgetRecord } from '../storage/budgets.js';
import type { Storage } from '../storage/storage.js';
import type { BudgetRefusal, BudgetThresholdData } from './budget-claims.js';

interface SpendState {
  spent: number;
  /** Held by requests in flight on this node (memory only: a restart holds nothing). */
  reserved: number;
  announced: number;
}

/** One budget a reservation holds, with the spend row it counts against. */
export interface MemoryHold {
  budget: BudgetRecord;
  periodStart: string;
  resetsAt: string | null;
  amount: number;
  state: SpendState;
}

/** What a settlement changes in one spend row, for storage. */
export interface SpendWrite {
  scope: BudgetRecord['scope'];
  ownerId: string;
  periodStart: string;
  spent: number;
  announced: number;
}

type Prepared = Omit<MemoryHold, 'amount'>;

export class MemoryBudgets {
  private readonly spends = new Map<string, SpendState>();
  private readonly loading = new Map<string, Promise<SpendState>>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: () => Date,
    /** The key's budget and its account's, in that order (remembered: BudgetPresence.forKey). */
    private readonly budgetsFor: (keyId: string, accountId: string) => Promise<readonly BudgetRecord[]>,
  ) {}

  /** The key's and the account's budgets, with their spend rows (loaded on first use only). */
  async prepare(keyId: string, accountId: string): Promise<Prepared[]> {
    const budgets = await this.budgetsFor(keyId, accountId);
    if (budgets.length === 0) return [];
    const now = this.clock();
    return Promise.all(
      budgets.map(async (budget) => {
        const window = periodWindow(now, budget.period, budget.timeZone);
        const periodStart = window.start.toISOString();
        return { budget, periodStart, resetsAt: window.end?.toISOString() ?? null, state: await this.spend(budget, periodStart) };
      }),
    );
  }

  /** Holds `amount` on every budget, or on none and says which had no room. Synchronous. */
  claim(prepared: readonly Prepared[], amount: number): MemoryHold[] | BudgetRefusal {
    for (const p of prepared) {
      const used = p.state.spent + p.state.reserved;
      if (used + amount > p.budget.creditLimit) {
        return { scope: p.budget.scope, limit: p.budget.creditLimit, available: Math.max(0, p.budget.creditLimit - used), resetsAt: p.resetsAt };
      }
    }
    return prepared.map((p) => {
      p.state.reserved += amount;
      // Field by field, not `{ ...p, amount }` (ARCHITECTURE.md, "Hot-path objects").
      return { budget: p.budget, periodStart: p.periodStart, resetsAt: p.resetsAt, amount, state: p.state };
    });
  }

  release(holds: readonly MemoryHold[]): void {
    for (const hold of holds) hold.state.reserved -= hold.amount;
  }

  /** Gives the holds back and counts `charged` in each hold's period; the rows to write and thresholds crossed. */
  settle(holds: readonly MemoryHold[], charged: number): { writes: SpendWrite[]; crossings: BudgetThresholdData[] } {
    const writes: SpendWrite[] = [];
    const crossings: BudgetThresholdData[] = [];
    for (const hold of holds) {
      const { state, budget } = hold;
      state.reserved -= hold.amount;
      state.spent += charged;
      const percents = thresholdsCrossed(state.announced, state.spent, budget.creditLimit);
      if (percents.length > 0) state.announced = percents[percents.length - 1]!;
      writes.push({ scope: budget.scope, ownerId: budget.ownerId, periodStart: hold.periodStart, spent: charged, announced: state.announced });
      for (const percent of percents) {
        crossings.push({
          scope: budget.scope,
          ...(budget.scope === 'key' ? { key_id: budget.ownerId } : {}),
          percent,
          limit: budget.creditLimit,
          spent: state.spent,
          period: budget.period,
          resets_at: hold.resetsAt,
        });
      }
    }
    return { writes, crossings };
  }

  /**
   * A period's spend as this node knows it: settled (whether or not its group commit is written
   * yet) plus held for requests in flight; undefined when the period was never loaded. On a single
   * writer node memory is ahead of storage, so a read must not add the two.
   */
  spentNow(scope: BudgetRecord['scope'], ownerId: string, periodStart: string): number | undefined {
    const state = this.spends.get(spendKey(scope, ownerId, periodStart));
    return state === undefined ? undefined : state.spent + state.reserved;
  }

  private spend(budget: BudgetRecord, periodStart: string): Promise<SpendState> | SpendState {
    const key = spendKey(budget.scope, budget.ownerId, periodStart);
    const known = this.spends.get(key);
    if (known) return known;
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.storage.budgets.listSpend(budget.scope, [budget.ownerId], [periodStart]).then(
        ([row]) => {
          this.loading.delete(key);
          // Holds a previous process left in storage were released at start (memory-credit-engine.ts).
          const state = { spent: row?.spent ?? 0, reserved: 0, announced: row?.announced ?? 0 };
          this.spends.set(key, state);
          return state;
        },
        (error: unknown) => {
          this.loading.delete(key);
          throw error;
        },
      );
      this.loading.set(key, loading);
    }
    return loading;
  }
}

function spendKey(scope: string, ownerId: string, periodStart: string): string {
  return `${scope}\u0000${ownerId}\u0000${periodStart}`;
}
