// Budgets on the request path (SPEC §8): a priced request's credit reservation also holds its cost
// against the key's budget and the account's, in the ledger's own transaction (credit-ledger.ts,
// `reserve(…, also)`), so N concurrent requests never spend past a budget, on one node or many:
//
//   hold:    reserved += cost   WHERE spent + reserved + cost ≤ limit   (key row, then account row)
//   settle:  spent += charged, reserved −= held                         (the whole credits charged)
//
// Spending is kept per period, in a row keyed by the period's first instant (budget_spend). The
// alternative — one row per owner reset when its stored period is older than the current one —
// needs a read-compare-reset that every request of a period's first moments races for; keyed rows
// make the rollover a plain INSERT … ON CONFLICT DO NOTHING and keep last period's total readable.
// A request is counted in the period it was admitted in, even if it settles after the reset.
//
// Locks are always taken in one order — key spend row, account spend row, then the balance (the
// ledger calls these before touching it) — so concurrent reserves and settles never deadlock on
// PostgreSQL, where each conditional UPDATE waits for the row and re-checks its WHERE clause.
import { periodWindow } from '../core/budget-period.js';
import { thresholdsCrossed } from '../core/budget-thresholds.js';
import type { BudgetRecord, BudgetScope, BudgetSpend, SpendKey, SpendLimit } from '../storage/budgets.js';
import type { Reservation } from '../storage/credits.js';
import type { StorageTransaction } from '../storage/storage.js';
import type { ReserveAlso, SettleAlso } from './credit-ledger.js';

/** What `budget.threshold` carries (SPEC §9); snake_case, as events are JSON. */
export interface BudgetThresholdData {
  scope: BudgetScope;
  key_id?: string;
  percent: number;
  limit: number;
  spent: number;
  period: BudgetRecord['period'];
  resets_at: string | null;
}

export type OnBudgetThreshold = (accountId: string, data: BudgetThresholdData) => unknown;

/** Why a reservation was refused: the budget that had no room. */
export interface BudgetRefusal {
  scope: BudgetScope;
  limit: number;
  /** Credits still free in the period (limit − spent − held), at least 0. */
  available: number;
  resetsAt: string | null;
}

export interface BudgetClaimsOptions {
  clock: () => Date;
  /**
   * The key's budget and its account's, in that order: read before the reservation's transaction
   * (remembered by BudgetPresence.forKey, which every change of a budget clears), so holding them
   * takes no SELECT inside it.
   */
  budgetsFor: (keyId: string, accountId: string) => Promise<readonly BudgetRecord[]>;
  onThreshold: OnBudgetThreshold;
  /** Told when announcing fails; an announcement never fails a settlement. */
  onError: (error: unknown) => void;
}

/** One period's spend row of an owner, and the row as a settlement left it. */
export interface SettledRow {
  row: SpendKey;
  spend: BudgetSpend | undefined;
}

export class BudgetClaims {
  constructor(private readonly options: BudgetClaimsOptions) {}

  /** The `also` of a reservation made for this key of this account; undefined when neither has a budget. */
  async forRequest(keyId: string, accountId: string): Promise<ReserveAlso<BudgetRefusal> | undefined> {
    const budgets = await this.options.budgetsFor(keyId, accountId);
    if (budgets.length === 0) return undefined;
    const now = this.options.clock();
    const at = now.toISOString();
    const windows = budgets.map((budget) => periodWindow(now, budget.period, budget.timeZone));
    const spends: SpendLimit[] = budgets.map((budget, i) => ({ scope: budget.scope, ownerId: budget.ownerId, periodStart: windows[i]!.start.toISOString(), limit: budget.creditLimit }));
    return {
      spends,
      async hold(tx: StorageTransaction, reservation: Reservation): Promise<BudgetRefusal | null> {
        for (const [i, spend] of spends.entries()) {
          if (!(await tx.budgets.hold(spend.scope, spend.ownerId, spend.periodStart, reservation.amount, spend.limit, at))) {
            const [row] = await tx.budgets.listSpend(spend.scope, [spend.ownerId], [spend.periodStart]);
            const used = row ? row.spent + row.reserved : 0;
            return { scope: spend.scope, limit: spend.limit, available: Math.max(0, spend.limit - used), resetsAt: windows[i]!.end?.toISOString() ?? null };
          }
        }
        await tx.budgets.insertHolds(spends.map((spend) => ({ reservationId: reservation.id, scope: spend.scope, ownerId: spend.ownerId, periodStart: spend.periodStart, amount: reservation.amount })));
        return null;
      },
    };
  }

  /** The ledger's `settleAlso`: gives back the holds, counts the charge, notes thresholds crossed. */
  readonly settle: SettleAlso = async (tx, reservation, at, credits, chargeBalance) => {
    const holds = await tx.budgets.takeHolds(reservation.id);
    // The budgets are read before the spend rows are locked, so the locks are held for writes alone.
    const budgets = await tx.budgets.ofOwners(holds);
    // Each hold is given back with the whole credits counted at once: that locks the spend rows
    // before the balance row, as reserve does.
    const rows: SettledRow[] = [];
    for (const hold of holds) rows.push({ row: hold, spend: await tx.budgets.settle(hold, credits, at) });
    const charged = await chargeBalance();
    if (holds.length === 0) return null;
    // The carry made a whole credit more (src/core/sub-credits.ts): counted too.
    if (charged !== credits) for (const settled of rows) settled.spend = await tx.budgets.addSpent(settled.row, charged - credits, at);
    return this.announcer(reservation.accountId, await this.crossed(tx, rows, budgets));
  };

  /**
   * The thresholds these spend rows crossed (each as its settlement left it) against their budgets
   * (read by the caller before it locked the rows), marked on the rows as announced.
   */
  async crossed(tx: StorageTransaction, rows: readonly SettledRow[], budgets: readonly BudgetRecord[]): Promise<BudgetThresholdData[]> {
    const crossings: BudgetThresholdData[] = [];
    for (const { row, spend } of rows) {
      const budget = budgets.find((b) => b.scope === row.scope && b.ownerId === row.ownerId);
      if (!spend || !budget) continue;
      const percents = thresholdsCrossed(spend.announced, spend.spent, budget.creditLimit);
      if (percents.length === 0) continue;
      await tx.budgets.markAnnounced(row.scope, row.ownerId, row.periodStart, percents[percents.length - 1]!);
      const resetsAt = periodWindow(new Date(row.periodStart), budget.period, budget.timeZone).end?.toISOString() ?? null;
      for (const percent of percents) {
        crossings.push({
          scope: row.scope,
          ...(row.scope === 'key' ? { key_id: row.ownerId } : {}),
          percent,
          limit: budget.creditLimit,
          spent: spend.spent,
          period: budget.period,
          resets_at: resetsAt,
        });
      }
    }
    return crossings;
  }

  /** What announces an account's crossings once their transaction has committed; null when there are none. */
  announcer(accountId: string, crossings: readonly BudgetThresholdData[]): (() => Promise<void>) | null {
    if (crossings.length === 0) return null;
    const { onThreshold, onError } = this.options;
    return async function announceThresholds() {
      for (const data of crossings) {
        try {
          await onThreshold(accountId, data);
        } catch (error) {
          onError(error);
        }
      }
    };
  }
}
