// The PostgreSQL statements of the reservation path (CreditsRepository, src/storage/credits.ts): a
// reservation held in one statement, and a settlement batch's first statement, which takes (or, for
// group reservations, shrinks) the reservations it settles and reads their holds and budgets. Each
// is a named statement (prepared-statements.ts).
import { keyFirst, type BudgetHold, type BudgetRecord } from './budgets.js';
import { prepared } from './prepared-statements.js';

/** What TAKE_RESERVATIONS and SHRINK_RESERVATIONS answer: per reservation still held, its holds and their budgets. */
const TAKEN_ROWS = `select taken.id as taken_id, holds.scope as hold_scope, holds.owner_id as hold_owner_id, holds.period_start as hold_period_start,
    holds.amount as hold_amount, budgets.account_id as budget_account_id, budgets.credit_limit as budget_credit_limit,
    budgets.period as budget_period, budgets.time_zone as budget_time_zone, budgets.created_at as budget_created_at,
    budgets.updated_at as budget_updated_at
  from taken left join holds on holds.reservation_id = taken.id
  left join budgets on budgets.scope = holds.scope and budgets.owner_id = holds.owner_id`;

/**
 * takeReservations on PostgreSQL, in one statement: the reservations deleted, their budget holds
 * deleted with them (only those of reservations still there), and the budget of each hold's owner,
 * one row per reservation and hold. Nothing in it waits for a row a reservation takes: it deletes rows
 * only this batch settles and reads budgets.
 */
export const TAKE_RESERVATIONS = prepared(`with taken as (delete from credit_reservations where id = any($1::text[]) returning id),
  holds as (delete from budget_holds where reservation_id in (select id from taken) returning *)
  ${TAKEN_ROWS}`);

/**
 * shrinkReservations on PostgreSQL, in one statement: each group reservation ($1 ids) and its budget
 * holds give back what the claims settled in this batch held ($2 amounts), and are read as
 * TAKE_RESERVATIONS reads. Rows only this node's batches write: nothing else waits for them.
 */
export const SHRINK_RESERVATIONS = prepared(`with parts as (select * from unnest($1::text[], $2::bigint[]) as p(id, amount)),
  taken as (update credit_reservations set amount = credit_reservations.amount - parts.amount from parts
    where credit_reservations.id = parts.id and credit_reservations.amount >= parts.amount returning credit_reservations.id),
  holds as (update budget_holds set amount = budget_holds.amount - parts.amount from parts
    where budget_holds.reservation_id = parts.id and budget_holds.reservation_id in (select id from taken) returning budget_holds.*)
  ${TAKEN_ROWS}`);

/** A row of TAKE_RESERVATIONS (column names as the camel-case plugin gives them). */
export interface TakenRow {
  takenId: string;
  holdScope: BudgetHold['scope'] | null;
  holdOwnerId: string | null;
  holdPeriodStart: string | null;
  holdAmount: string | number | null;
  budgetAccountId: string | null;
  budgetCreditLimit: string | number | null;
  budgetPeriod: BudgetRecord['period'] | null;
  budgetTimeZone: string | null;
  budgetCreatedAt: string | null;
  budgetUpdatedAt: string | null;
}

/** What a settlement batch takes before it locks anything (`takeReservations`). */
export interface TakenReservations {
  /** The reservations that were still held (the others were swept, or settled already). */
  held: Set<string>;
  /** Their budget holds, key holds first. */
  holds: BudgetHold[];
  /** The budgets of those holds' owners, key budgets first. */
  budgets: BudgetRecord[];
}

export function takenReservations(rows: readonly TakenRow[]): TakenReservations {
  const held = new Set<string>();
  const holds: BudgetHold[] = [];
  const budgets = new Map<string, BudgetRecord>();
  for (const row of rows) {
    held.add(row.takenId);
    if (row.holdScope === null || row.holdOwnerId === null || row.holdPeriodStart === null) continue;
    holds.push({ reservationId: row.takenId, scope: row.holdScope, ownerId: row.holdOwnerId, periodStart: row.holdPeriodStart, amount: Number(row.holdAmount) });
    const owner = `${row.holdScope}\u0000${row.holdOwnerId}`;
    if (row.budgetAccountId === null || budgets.has(owner)) continue;
    budgets.set(owner, {
      scope: row.holdScope,
      ownerId: row.holdOwnerId,
      accountId: row.budgetAccountId,
      creditLimit: Number(row.budgetCreditLimit),
      period: row.budgetPeriod!,
      timeZone: row.budgetTimeZone!,
      createdAt: row.budgetCreatedAt!,
      updatedAt: row.budgetUpdatedAt!,
    });
  }
  return { held, holds: holds.sort(keyFirst), budgets: [...budgets.values()].sort(keyFirst) };
}

/** reserveAtOnce's statement per number of budgets. */
const reserveTexts = new Map<number, string>();

/**
 * The text of the error that undoes a reservation held in part: a cast that cannot succeed, of a CASE
 * on the statement's own results (a constant would be cast, and fail, when the statement is planned).
 */
export const UNDONE = 'tollgate: a reservation held in part is undone';
export const INVALID_TEXT_REPRESENTATION = '22P02';

/**
 * $1 amount, $2 at, $3 account, $4 reservation id, $5 request id, $6 created, $7 expires; then per
 * budget: scope, owner, period start, limit. Each step runs only if the one before it held (it reads
 * that step's output), so the rows are locked in the order given, then the balance.
 */
function reserveText(budgets: number): string {
  const steps: string[] = [];
  const param = (i: number, field: number) => `$${8 + 4 * i + field}`;
  for (let i = 0; i < budgets; i++) {
    const after = i === 0 ? '' : ` and exists (select 1 from hold_${i - 1})`;
    steps.push(`hold_${i} as (
      insert into budget_spend (scope, owner_id, period_start, spent, reserved, announced, updated_at)
      select ${param(i, 0)}, ${param(i, 1)}, ${param(i, 2)}, 0, $1::bigint, 0, $2 where $1::bigint <= ${param(i, 3)}::bigint${after}
      on conflict (scope, owner_id, period_start) do update set reserved = budget_spend.reserved + excluded.reserved, updated_at = excluded.updated_at
      where budget_spend.spent + budget_spend.reserved + excluded.reserved <= ${param(i, 3)}::bigint
      returning 1)`);
  }
  const afterBudgets = budgets === 0 ? '' : ` and exists (select 1 from hold_${budgets - 1})`;
  steps.push(`balance as (
    update credit_balances set reserved = reserved + $1::bigint, updated_at = $2
    where account_id = $3 and balance > 0 and balance - reserved >= $1::bigint${afterBudgets}
    returning 1)`);
  steps.push(`reservation as (
    insert into credit_reservations (id, account_id, amount, request_id, created_at, expires_at)
    select $4, $3, $1::bigint, $5, $6, $7 where exists (select 1 from balance)
    returning 1)`);
  if (budgets > 0) {
    const rows = Array.from({ length: budgets }, (_, i) => `(${param(i, 0)}, ${param(i, 1)}, ${param(i, 2)})`).join(', ');
    steps.push(`holds as (
      insert into budget_holds (reservation_id, scope, owner_id, period_start, amount)
      select $4, v.scope, v.owner_id, v.period_start, $1::bigint from (values ${rows}) as v(scope, owner_id, period_start)
      where exists (select 1 from balance)
      returning 1)`);
  }
  const undo = budgets === 0 ? '' : `,
    cast(case when (select count(*) from balance) = 0 and (select count(*) from hold_0) > 0 then '${UNDONE}' end as integer) as undone`;
  return `with ${steps.join(',\n')}
    select (select count(*) from balance) as held, (select count(*) from reservation) as reserved${budgets > 0 ? ', (select count(*) from holds) as holds' : ''}${undo}`;
}


/** reserveAtOnce's statement for this many budgets, registered as a named statement. */
export function reserveStatement(budgets: number): string {
  let text = reserveTexts.get(budgets);
  if (text === undefined) reserveTexts.set(budgets, (text = prepared(reserveText(budgets))));
  return text;
}

