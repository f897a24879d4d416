// Budgets as users see and set them (SPEC §8): `{limit, period, time_zone}` on a key or an account,
// read back with what the current period has used. Enforcement is budget-claims.ts.
//
// `spent` is the settled charges of the current period plus the holds of requests still in flight:
// then `remaining` is exactly what the next request may reserve, the same sum admission checks, and
// it never goes up and down between a read and a refusal. Once requests settle, their holds turn
// into their actual charges.
import { ChangeEvents } from '../core/change-events.js';
import { canonicalTimeZone, periodWindow, type BudgetPeriod } from '../core/budget-period.js';
import { invalidField } from '../core/validation-error.js';
import type { BudgetRecord, BudgetScope } from '../storage/budgets.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import type { BudgetPresence } from './budget-presence.js';

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

export type BudgetsChangedListener = (accountId: string) => void;

export class Budgets {
  private readonly changes = new ChangeEvents();

  constructor(
    private readonly storage: Storage,
    private readonly clock: () => Date,
    /** What admission remembers of who has budgets: told of every change (budget-presence.ts). */
    private readonly presence?: BudgetPresence,
    /** The in-memory engine's view of a period's spend (settled + held), ahead of storage; undefined when unknown. */
    private readonly spentInMemory?: (scope: BudgetScope, ownerId: string, periodStart: string) => number | undefined,
  ) {}

  /** Hears committed budget changes of this node (the Redis bus tells the other nodes); returns the unsubscribe. */
  onChanged(listener: BudgetsChangedListener): () => void {
    return this.changes.onChanged(listener);
  }

  /**
   * A budget of this account was set or cleared and committed: admission looks again, here and,
   * through the listeners, on every node. `set` forgets too, inside its transaction, but only
   * after the commit can no reader still see the old rows.
   */
  changed(accountId: string): void {
    this.presence?.forget(accountId);
    this.changes.changed(accountId);
  }

  /** Checks the time zone (422 naming `field`) before anything is written. */
  static check(input: BudgetInput | null | undefined, field = 'budget'): void {
    if (input?.time_zone !== undefined && canonicalTimeZone(input.time_zone) === null) {
      throw invalidField(`${field}/time_zone`, 'must be an IANA time zone name such as Europe/Berlin or UTC');
    }
  }

  /** Sets (an object) or clears (null) the budget of a key or account; undefined leaves it. */
  async set(tx: StorageTransaction, scope: BudgetScope, ownerId: string, accountId: string, input: BudgetInput | null | undefined): Promise<void> {
    if (input === undefined) return;
    this.presence?.forget(accountId);
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
    this.changed(accountId);
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
      const stored = spend ? spend.spent + spend.reserved : 0;
      const inMemory = this.spentInMemory?.(scope, budget.ownerId, window.start.toISOString());
      views.set(budget.ownerId, budgetView(budget, inMemory ?? stored, window.end));
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
