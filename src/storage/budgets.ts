// Budgets, their spend per period and the holds of reservations in flight (migration 013). Every
// method is one statement; src/credits/budget-claims.ts composes them inside the credit ledger's
// reserve and settle transactions. The hold is a conditional UPDATE, so the database decides
// whether a budget has room, exactly as for the balance (src/storage/credits.ts).
import { CompiledQuery, PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import { int, tableCodec } from './codec.js';
import { CompiledInsert, CompiledList, CompiledStatement } from './compiled-statement.js';
import { prepared } from './prepared-statements.js';
import type { Tables } from './schema.js';
import type { BudgetsTable } from './tables/money-tables.js';

export type BudgetScope = BudgetsTable['scope'];
export type BudgetPeriodName = BudgetsTable['period'];

export interface BudgetRecord {
  scope: BudgetScope;
  ownerId: string;
  accountId: string;
  creditLimit: number;
  period: BudgetPeriodName;
  timeZone: string;
  createdAt: string;
  updatedAt: string;
}

export interface BudgetSpend {
  scope: BudgetScope;
  ownerId: string;
  periodStart: string;
  spent: number;
  reserved: number;
  announced: number;
  updatedAt: string;
}

export interface BudgetHold {
  reservationId: string;
  scope: BudgetScope;
  ownerId: string;
  periodStart: string;
  amount: number;
}

/** One owner's spend row in one period. */
export type SpendKey = Pick<BudgetHold, 'scope' | 'ownerId' | 'periodStart'>;

/** A spend row a reservation holds against, and the budget's limit. */
export interface SpendLimit extends SpendKey {
  limit: number;
}

/**
 * Settled spend added to its period's rows (created when missing), each row's announced threshold
 * raised to at least the one given: the group commit's one statement for a batch's budget spend.
 */
const addSpendRows = new CompiledInsert<BudgetSpend>((db, rows) =>
  db
    .insertInto('budget_spend')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['scope', 'ownerId', 'periodStart']).doUpdateSet({
        spent: sql<number>`budget_spend.spent + excluded.spent`,
        announced: sql<number>`case when excluded.announced > budget_spend.announced then excluded.announced else budget_spend.announced end`,
        updatedAt: sql<string>`excluded.updated_at`,
      }),
    ),
);

/** The conditional upsert of `hold`: compiled once per database. */
const holdStatement = new CompiledStatement();
const holdRows = new CompiledInsert<BudgetHold>((db, rows) => db.insertInto('budget_holds').values(rows));

// Settling's statements, in every settle and every settlement batch (src/credits/budget-claims.ts,
// src/credits/settlement-batches.ts): the budgets of the spend rows, the holds taken, each row's update.
type Owner = { scope: BudgetScope; ownerId: string };
const ownersBudgets = new CompiledList(
  (db, owners: Owner[]) =>
    db
      .selectFrom('budgets')
      .selectAll()
      .where((eb) => eb.or(owners.map((owner) => eb.and([eb('scope', '=', owner.scope), eb('ownerId', '=', owner.ownerId)])))),
  (owners) => owners.flatMap((owner) => [owner.scope, owner.ownerId]),
);
const takeHoldRows = new CompiledList((db, reservationIds: string[]) => db.deleteFrom('budget_holds').where('reservationId', 'in', reservationIds).returningAll());
const settleStatement = new CompiledStatement();
const addSpentStatement = new CompiledStatement();

/** A spend row to settle: its hold's amount given back, `charge` counted. */
export interface SpendSettlement {
  hold: SpendKey & { amount: number };
  charge: number;
}

/** The most spend rows one settleRows statement takes (so at most this many texts). */
const SETTLE_ROWS_CHUNK = 16;
/** settleRows's statement per number of rows (PostgreSQL). */
const settleRowsTexts = new Map<number, string>();

/**
 * $1 at; then per row: charge, amount held, scope, owner, period start. Each row's UPDATE first counts
 * the rows of the one before it (a condition never false, evaluated before the row is read), so the
 * rows are locked in the order given, as the reservation statement locks them (credit-statements.ts).
 */
function settleRowsText(count: number): string {
  const steps: string[] = [];
  const answers: string[] = [];
  for (let i = 0; i < count; i++) {
    const param = (field: number) => `$${2 + 5 * i + field}`;
    const after = i === 0 ? '' : ` and (select count(*) from spend_${i - 1}) >= 0`;
    steps.push(`spend_${i} as (update budget_spend set spent = spent + ${param(0)}::bigint, reserved = reserved - ${param(1)}::bigint, updated_at = $1
      where scope = ${param(2)} and owner_id = ${param(3)} and period_start = ${param(4)}${after} returning *)`);
    answers.push(`select ${i} as position, * from spend_${i}`);
  }
  return `with ${steps.join(',\n')}\n${answers.join('\nunion all\n')}`;
}

const budgetCodec = tableCodec<Selectable<Tables['budgets']>, BudgetRecord>({ creditLimit: int });
const spendCodec = tableCodec<Selectable<Tables['budget_spend']>, BudgetSpend>({ spent: int, reserved: int, announced: int });
const holdCodec = tableCodec<Selectable<Tables['budget_holds']>, BudgetHold>({ amount: int });

export class BudgetsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async find(scope: BudgetScope, ownerId: string): Promise<BudgetRecord | undefined> {
    const row = await this.db.selectFrom('budgets').selectAll().where('scope', '=', scope).where('ownerId', '=', ownerId).executeTakeFirst();
    return row && budgetCodec.decode(row);
  }

  async list(scope: BudgetScope, ownerIds: readonly string[]): Promise<BudgetRecord[]> {
    if (ownerIds.length === 0) return [];
    const rows = await this.db.selectFrom('budgets').selectAll().where('scope', '=', scope).where('ownerId', 'in', ownerIds).execute();
    return rows.map(budgetCodec.decode);
  }

  /** True when the account or any of its keys has a budget (one indexed look-up). */
  async anyForAccount(accountId: string): Promise<boolean> {
    const row = await this.db.selectFrom('budgets').select('scope').where('accountId', '=', accountId).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** The key's budget and its account's, in that order (the order their spend rows are locked in). */
  async forRequest(keyId: string, accountId: string): Promise<BudgetRecord[]> {
    return this.ofOwners([
      { scope: 'key', ownerId: keyId },
      { scope: 'account', ownerId: accountId },
    ]);
  }

  /** The budgets of these owners (one query per 32 owners), key budgets first. */
  async ofOwners(owners: readonly Owner[]): Promise<BudgetRecord[]> {
    if (owners.length === 0) return [];
    // An owner comes once per period a batch has spend rows in: each is named once, or two chunks of
    // a long list could both return its budget.
    const rows = await ownersBudgets.run(this.db, distinctOwners(owners));
    return rows.map(budgetCodec.decode).sort(keyFirst);
  }

  async upsert(budget: BudgetRecord): Promise<void> {
    await this.db
      .insertInto('budgets')
      .values(budget)
      .onConflict((oc) =>
        oc.columns(['scope', 'ownerId']).doUpdateSet({ creditLimit: budget.creditLimit, period: budget.period, timeZone: budget.timeZone, updatedAt: budget.updatedAt }),
      )
      .execute();
  }

  async remove(scope: BudgetScope, ownerId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('budgets').where('scope', '=', scope).where('ownerId', '=', ownerId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Spend rows of these owners, any of these periods (a listing's owners may differ in zone). */
  async listSpend(scope: BudgetScope, ownerIds: readonly string[], periodStarts: readonly string[]): Promise<BudgetSpend[]> {
    if (ownerIds.length === 0 || periodStarts.length === 0) return [];
    const rows = await this.db
      .selectFrom('budget_spend')
      .selectAll()
      .where('scope', '=', scope)
      .where('ownerId', 'in', ownerIds)
      .where('periodStart', 'in', periodStarts)
      .execute();
    return rows.map(spendCodec.decode);
  }

  /**
   * Holds `amount` against the period's row if spent + held + amount stays within `limit`, creating
   * the row when missing: one statement, so a request's hold is one round trip. False: no room.
   */
  async hold(scope: BudgetScope, ownerId: string, periodStart: string, amount: number, limit: number, at: string): Promise<boolean> {
    // PostgreSQL types untyped parameters in a SELECT list as text: the numbers are cast.
    const { rows } = await holdStatement.run(this.db, 0, [scope, ownerId, periodStart, amount, at, amount, limit, limit], () => ({
      compile: () =>
        sql`insert into budget_spend (scope, owner_id, period_start, spent, reserved, announced, updated_at)
          select ${scope}, ${ownerId}, ${periodStart}, 0, cast(${amount} as bigint), 0, ${at} where cast(${amount} as bigint) <= cast(${limit} as bigint)
          on conflict (scope, owner_id, period_start) do update set reserved = budget_spend.reserved + excluded.reserved, updated_at = excluded.updated_at
          where budget_spend.spent + budget_spend.reserved + excluded.reserved <= cast(${limit} as bigint)
          returning scope`.compile(this.db),
    }));
    return rows.length > 0;
  }

  /** A reservation's holds, one statement for all of them. */
  async insertHolds(holds: readonly BudgetHold[]): Promise<void> {
    await holdRows.run(this.db, holds);
  }

  /** Removes a reservation's holds and returns them: only the one caller that removed them gets them. */
  async takeHolds(reservationId: string): Promise<BudgetHold[]> {
    const rows = await this.db.deleteFrom('budget_holds').where('reservationId', '=', reservationId).returningAll().execute();
    return rows.map(holdCodec.decode).sort(keyFirst);
  }

  /** Removes the holds of these reservations and returns them, key holds first. */
  async takeHoldsOf(reservationIds: readonly string[]): Promise<BudgetHold[]> {
    if (reservationIds.length === 0) return [];
    const rows = await takeHoldRows.run(this.db, reservationIds);
    return rows.map(holdCodec.decode).sort(keyFirst);
  }

  /** Releases the hold and adds `charge` (in full, even beyond the limit); the row after it. */
  async settle(hold: SpendKey & { amount: number }, charge: number, at: string): Promise<BudgetSpend | undefined> {
    const { rows } = await settleStatement.run(this.db, 0, [charge, hold.amount, at, hold.scope, hold.ownerId, hold.periodStart], () =>
      this.spendRow(hold)
        .set((eb) => ({ spent: eb('spent', '+', charge), reserved: eb('reserved', '-', hold.amount), updatedAt: at }))
        .returningAll(),
    );
    const row = rows[0];
    return row && spendCodec.decode(row);
  }

  /**
   * Settles spend rows as `settle` does, in the order given — the order their rows are locked in —
   * and answers each row's spend after (undefined: no such row). One statement for up to
   * SETTLE_ROWS_CHUNK rows on PostgreSQL (a settlement batch's key and account rows in one round trip).
   */
  async settleRows(rows: readonly SpendSettlement[], at: string): Promise<(BudgetSpend | undefined)[]> {
    const spends: (BudgetSpend | undefined)[] = [];
    if (rows.length < 2 || !(this.db.getExecutor().adapter instanceof PostgresAdapter)) {
      for (const { hold, charge } of rows) spends.push(await this.settle(hold, charge, at));
      return spends;
    }
    for (let start = 0; start < rows.length; start += SETTLE_ROWS_CHUNK) {
      const chunk = rows.slice(start, start + SETTLE_ROWS_CHUNK);
      let text = settleRowsTexts.get(chunk.length);
      if (text === undefined) settleRowsTexts.set(chunk.length, (text = prepared(settleRowsText(chunk.length))));
      const parameters: unknown[] = [at];
      for (const { hold, charge } of chunk) parameters.push(charge, hold.amount, hold.scope, hold.ownerId, hold.periodStart);
      const result = await this.db.executeQuery(CompiledQuery.raw(text, parameters) as CompiledQuery<Selectable<Tables['budget_spend']> & { position: number }>);
      const settled = new Array<BudgetSpend | undefined>(chunk.length).fill(undefined);
      for (const { position, ...row } of result.rows) settled[Number(position)] = spendCodec.decode(row);
      spends.push(...settled);
    }
    return spends;
  }

  /** An update of one owner's spend row in one period. */
  private spendRow(key: SpendKey) {
    return this.db.updateTable('budget_spend').where('scope', '=', key.scope).where('ownerId', '=', key.ownerId).where('periodStart', '=', key.periodStart);
  }

  /** Adds more of a settled charge to the period its hold was taken in (the row is locked by `settle` already). */
  async addSpent(hold: SpendKey, charge: number, at: string): Promise<BudgetSpend | undefined> {
    const { rows } = await addSpentStatement.run(this.db, 0, [charge, at, hold.scope, hold.ownerId, hold.periodStart], () =>
      this.spendRow(hold)
        .set((eb) => ({ spent: eb('spent', '+', charge), updatedAt: at }))
        .returningAll(),
    );
    const row = rows[0];
    return row && spendCodec.decode(row);
  }

  /**
   * Adds each period's settled spend (creating its row) and raises its announced threshold to at
   * least the one given (never lowers it), in one statement. One entry per row: the same row twice
   * in one statement is an error on PostgreSQL.
   */
  async addSpends(spends: ReadonlyArray<{ scope: BudgetScope; ownerId: string; periodStart: string; spent: number; announced: number }>, at: string): Promise<void> {
    await addSpendRows.run(
      this.db,
      spends.map((s) => ({ scope: s.scope, ownerId: s.ownerId, periodStart: s.periodStart, spent: s.spent, reserved: 0, announced: s.announced, updatedAt: at })),
    );
  }

  /** Records the highest threshold announced this period (never lowers it). */
  async markAnnounced(scope: BudgetScope, ownerId: string, periodStart: string, percent: number): Promise<void> {
    await this.spendRow({ scope, ownerId, periodStart })
      .set({ announced: percent })
      .where('announced', '<', percent)
      .execute();
  }
}

/** Orders budgets, holds and spend rows key scope first (the order their rows are locked in). */
export function keyFirst(a: { scope: BudgetScope }, b: { scope: BudgetScope }): number {
  return a.scope === b.scope ? 0 : a.scope === 'key' ? -1 : 1;
}

/** Each owner once, in the order first given. */
function distinctOwners(owners: readonly Owner[]): Owner[] {
  const seen = new Set<string>();
  return owners.filter((owner) => {
    const key = `${owner.scope}\u0000${owner.ownerId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
