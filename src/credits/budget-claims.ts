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
import type { BudgetRecord, BudgetScope } from '../storage/budgets.js';
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
  onThreshold: OnBudgetThreshold;
  /** Told when announcing fails; an announcement never fails a settlement. */
  onError: (error: unknown) => void;
}

export class BudgetClaims {
  constructor(private readonly options: BudgetClaimsOptions) {}

  /** The `also` of a reservation made for this key of this account. */
  forRequest(keyId: string, accountId: string): ReserveAlso<BudgetRefusal> {
    const { clock } = this.options;
    return async function holdBudgets(tx: StorageTransaction, reservation: Reservation): Promise<BudgetRefusal | null> {
      const budgets = await tx.budgets.forRequest(keyId, accountId);
      if (budgets.length === 0) return null;
      const now = clock();
      const at = now.toISOString();
      for (const budget of budgets) {
        const window = periodWindow(now, budget.period, budget.timeZone);
        const periodStart = window.start.toISOString();
        await tx.budgets.ensureSpend(budget.scope, budget.ownerId, periodStart, at);
        if (!(await tx.budgets.tryHold(budget.scope, budget.ownerId, periodStart, reservation.amount, budget.creditLimit, at))) {
          const [spend] = await tx.budgets.listSpend(budget.scope, [budget.ownerId], [periodStart]);
          const used = spend ? spend.spent + spend.reserved : 0;
          return { scope: budget.scope, limit: budget.creditLimit, available: Math.max(0, budget.creditLimit - used), resetsAt: window.end?.toISOString() ?? null };
        }
        await tx.budgets.insertHold({ reservationId: reservation.id, scope: budget.scope, ownerId: budget.ownerId, periodStart, amount: reservation.amount });
      }
      return null;
    };
  }

  /** The ledger's `settleAlso`: gives back the holds, counts the charge, notes thresholds crossed. */
  readonly settle: SettleAlso = async (tx, reservation, at, chargeBalance) => {
    const holds = await tx.budgets.takeHolds(reservation.id);
    // Give the holds back first: that locks the spend rows before the balance row, as reserve does.
    for (const hold of holds) await tx.budgets.settle(hold, 0, at);
    const charged = await chargeBalance();
    const crossings: BudgetThresholdData[] = [];
    for (const hold of holds) {
      const spend = await tx.budgets.addSpent(hold, charged, at);
      const budget = await tx.budgets.find(hold.scope, hold.ownerId);
      if (!spend || !budget) continue;
      const percents = thresholdsCrossed(spend.announced, spend.spent, budget.creditLimit);
      if (percents.length === 0) continue;
      await tx.budgets.markAnnounced(hold.scope, hold.ownerId, hold.periodStart, percents[percents.length - 1]!);
      const resetsAt = periodWindow(new Date(hold.periodStart), budget.period, budget.timeZone).end?.toISOString() ?? null;
      for (const percent of percents) {
        crossings.push({
          scope: hold.scope,
          ...(hold.scope === 'key' ? { key_id: hold.ownerId } : {}),
          percent,
          limit: budget.creditLimit,
          spent: spend.spent,
          period: budget.period,
          resets_at: resetsAt,
        });
      }
    }
    if (crossings.length === 0) return null;
    const { onThreshold, onError } = this.options;
    return async function announceThresholds() {
      for (const data of crossings) {
        try {
          await onThreshold(reservation.accountId, data);
        } catch (error) {
          onError(error);
        }
      }
    };
  };
}
