// Budgets as users see and set them (SPEC §8): `{limit, period, time_zone}` on a key or an account,
// read back with what the current period has used. Enforcement is budget-claims.ts.
//
// `spent` is the settled charges of the current period plus the holds of requests still in flight:
// then `remaining` is exactly what the next request may reserve, the same sum admission checks, and
// it never goes up and down between a read and a refusal. Once requests settle, their holds turn
// into their actual charges.
import { canonicalTimeZone, periodWindow, type BudgetPeriod } from '../core/budget-period.js';
import { invalidField } from '../core/validation-error.js';
import type { BudgetRecord, BudgetScope } from '../storage/budgets.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';

export interface BudgetInput {
  limit: number;
  period: BudgetPeriod;
  time_zone?: string | undefined;
}

export interface BudgetView {
  limit: number;
  period: BudgetPeriod;
  time_zone: string;
  spent: number;
  remaining: number;
  resets_at: string | null;
}

export class Budgets {
  constructor(
    private readonly storage: Storage,
    private readonly clock: () => Date,
  ) {}

  /** Checks the time zone (422 naming `field`) before anything is written. */
  static check(input: BudgetInput | null | undefined, field = 'budget'): void {
    if (input?.time_zone !== undefined && canonicalTimeZone(input.time_zone) === null) {
      throw invalidField(`${field}/time_zone`, 'must be an IANA time zone name such as Europe/Berlin or UTC');
    }
  }

  /** Sets (an object) or clears (null) the budget of a key or account; undefined leaves it. */
  async set(tx: StorageTransaction, scope: BudgetScope, ownerId: string, accountId: string, input: BudgetInput | null | undefined): Promise<void> {
    if (input === undefined) return;
    if (input === null) {
      await tx.budgets.remove(scope, ownerId);
      return;
    }
    Budgets.check(input);
    const at = this.clock().toISOString();
    const timeZone = canonicalTimeZone(input.time_zone ?? 'UTC')!;
    await tx.budgets.upsert({ scope, ownerId, accountId, creditLimit: input.limit, period: input.period, timeZone, createdAt: at, updatedAt: at });
  }

  /**
   * An account's budget set (an object) or cleared (null) by a user — an owner, an admin or an
   * operator — with its audit entry in the same transaction; answers the budget as read now.
   */
  async setForAccount(accountId: string, input: BudgetInput | null, by: { userId: string; requestId: string }): Promise<{ account_id: string; budget: BudgetView | null }> {
    Budgets.check(input);
    await this.storage.transaction(async (tx) => {
      await this.set(tx, 'account', accountId, accountId, input);
      const action = input ? 'budget.set' : 'budget.cleared';
      await tx.audit.record({ accountId, actorType: 'user', actorId: by.userId, action, targetType: 'account', targetId: accountId, data: input ? { ...input } : null, requestId: by.requestId });
    });
    return { account_id: accountId, budget: await this.view('account', accountId) };
  }

  async view(scope: BudgetScope, ownerId: string): Promise<BudgetView | null> {
    return (await this.viewMany(scope, [ownerId])).get(ownerId) ?? null;
  }

  /** Each owner's budget with the current period's spend; owners without one are absent. Two queries. */
  async viewMany(scope: BudgetScope, ownerIds: readonly string[]): Promise<Map<string, BudgetView>> {
    const budgets = await this.storage.budgets.list(scope, ownerIds);
    const views = new Map<string, BudgetView>();
    if (budgets.length === 0) return views;
    const now = this.clock();
    const windows = new Map(budgets.map((b) => [b.ownerId, periodWindow(now, b.period, b.timeZone)]));
    const starts = [...new Set([...windows.values()].map((w) => w.start.toISOString()))];
    const spends = await this.storage.budgets.listSpend(scope, budgets.map((b) => b.ownerId), starts);
    for (const budget of budgets) {
      const window = windows.get(budget.ownerId)!;
      const spend = spends.find((s) => s.ownerId === budget.ownerId && s.periodStart === window.start.toISOString());
      views.set(budget.ownerId, budgetView(budget, spend ? spend.spent + spend.reserved : 0, window.end));
    }
    return views;
  }
}

function budgetView(budget: BudgetRecord, spent: number, end: Date | null): BudgetView {
  return {
    limit: budget.creditLimit,
    period: budget.period,
    time_zone: budget.timeZone,
    spent,
    remaining: Math.max(0, budget.creditLimit - spent),
    resets_at: end?.toISOString() ?? null,
  };
}
