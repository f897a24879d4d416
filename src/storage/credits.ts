// Credit balances, the ledger and in-flight reservations. Every method is one statement; the
// credit ledger (src/credits/credit-ledger.ts) composes them into transactions. The balance
// changes are conditional UPDATEs so that the database, not a read-then-write in the code,
// decides whether credits suffice: that is what keeps them exact across nodes.
import { CompiledQuery, PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import { BudgetsRepository, type SpendLimit } from './budgets.js';
import { INVALID_TEXT_REPRESENTATION, SHRINK_RESERVATIONS, TAKE_RESERVATIONS, UNDONE, reserveStatement, takenReservations, type TakenReservations, type TakenRow } from './credit-statements.js';
import { UNITS_PER_CREDIT } from '../core/sub-credits.js';
import { int, tableCodec } from './codec.js';
import { CompiledInsert, CompiledList, CompiledStatement } from './compiled-statement.js';
import type { Tables } from './schema.js';
import type { CreditLedgerTable } from './tables/money-tables.js';

export interface CreditBalance {
  accountId: string;
  balance: number;
  reserved: number;
  updatedAt: string;
  /** Sub-credit units used but not yet charged, in [0, 10^12) (src/core/sub-credits.ts). */
  carry: number;
}

export interface Charged {
  /** Whole credits charged. */
  charged: number;
  balance: number;
  /** The account's carry before it (sub-credit units): where a batch's own fractions start from. */
  carryBefore: bigint;
}

export type LedgerKind = CreditLedgerTable['kind'];

export interface LedgerEntry {
  id: string;
  accountId: string;
  amount: number;
  kind: LedgerKind;
  balanceAfter: number;
  requestId: string | null;
  idempotencyKey: string | null;
  fingerprint: string | null;
  actorId: string | null;
  reason: string | null;
  createdAt: string;
}

const insertLedgerRows = new CompiledInsert<LedgerEntry>((db, rows) => db.insertInto('credit_ledger').values(rows));
/** The group commit's one statement per account and batch (src/credits/group-commit.ts). */
const applyChargesStatement = new CompiledStatement();
/** `charge`'s UPDATE: each settlement's (src/credits/credit-ledger.ts), or a settlement batch's per account. */
const chargeStatement = new CompiledStatement();
/** A settlement batch's first statements: the reservations it settles, and which of them were charged already. */
const deleteReservationRows = new CompiledList((db, ids: string[]) => db.deleteFrom('credit_reservations').where('id', 'in', ids).returning('id'));
const ledgerRowIds = new CompiledList((db, ids: string[]) => db.selectFrom('credit_ledger').select('id').where('id', 'in', ids));

export interface Reservation {
  id: string;
  accountId: string;
  amount: number;
  requestId: string | null;
  createdAt: string;
  expiresAt: string;
}

const ledger = tableCodec<Selectable<Tables['credit_ledger']>, LedgerEntry>({ amount: int, balanceAfter: int });
const reservations = tableCodec<Selectable<Tables['credit_reservations']>, Reservation>({ amount: int });
const balances = tableCodec<Selectable<Tables['credit_balances']>, CreditBalance>({ balance: int, reserved: int, carry: int });

export class CreditsRepository {
  /** True on PostgreSQL, where `reserveAtOnce` holds a whole reservation in one statement and `takeReservations` takes a batch's in one. */
  readonly reservesAtOnce: boolean;

  constructor(private readonly db: Kysely<Tables>) {
    this.reservesAtOnce = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async findBalance(accountId: string): Promise<CreditBalance | undefined> {
    const row = await this.db.selectFrom('credit_balances').selectAll().where('accountId', '=', accountId).executeTakeFirst();
    return row && balances.decode(row);
  }

  /** Creates the zero balance row if the account has none (concurrent callers both succeed). */
  async ensureBalance(accountId: string, at: string): Promise<void> {
    await this.db
      .insertInto('credit_balances')
      .values({ accountId: accountId, balance: 0, reserved: 0, updatedAt: at })
      .onConflict((oc) => oc.column('accountId').doNothing())
      .execute();
  }

  /**
   * Holds `amount` if the available balance (balance − reserved) covers it and the account is not
   * in debt (balance > 0, SPEC §6: refused until positive again); false otherwise.
   */
  async tryReserve(accountId: string, amount: number, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('credit_balances')
      .set((eb) => ({ reserved: eb('reserved', '+', amount), updatedAt: at }))
      .where('accountId', '=', accountId)
      .where('balance', '>', 0)
      .where((eb) => eb(eb('balance', '-', eb.ref('reserved')), '>=', amount))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Releases `held` and charges `credits` whole credits plus `fraction` sub-credit units (< one
   * credit) added to the account's carry: the carry's whole credit, when it makes one, is charged
   * too. One statement, so concurrent settlements of one account never lose a fraction. In full:
   * usage beyond the hold is debt, so the balance may go below zero (SPEC §6). Undefined when the
   * account has no row.
   */
  async charge(accountId: string, held: number, credits: number, at: string, fraction = 0n): Promise<Charged | undefined> {
    const fractionText = fraction.toString();
    // The fraction is bound twice: the carry is added to in the balance's expression and in its own.
    const { rows } = await chargeStatement.run(this.db, 0, [credits, fractionText, fractionText, held, at, accountId], () => {
      // Both sides are cast so that SQLite divides integers (a bound number may arrive as REAL).
      const frac = sql<number>`cast(${fractionText} as bigint)`;
      const unit = sql.lit(Number(UNITS_PER_CREDIT));
      const carried = sql<number>`(carry + ${frac})`;
      return this.db
        .updateTable('credit_balances')
        .set((eb) => ({
          balance: sql<number>`balance - ${credits} - ${carried} / ${unit}`,
          carry: sql<number>`${carried} % ${unit}`,
          reserved: eb('reserved', '-', held),
          updatedAt: at,
        }))
        .where('accountId', '=', accountId)
        .returning(['balance', 'carry']);
    });
    const row = rows[0];
    if (row === undefined) return undefined;
    // carry before + fraction = whole credits made × unit + carry after, with 0 ≤ carry before < unit:
    // that fixes how many whole credits the carry made (a batch's fractions may add up to several).
    const carry = BigInt(row.carry);
    const made = fraction > carry ? (fraction - carry + UNITS_PER_CREDIT - 1n) / UNITS_PER_CREDIT : 0n;
    return { charged: credits + Number(made), balance: Number(row.balance), carryBefore: made * UNITS_PER_CREDIT + carry - fraction };
  }

  /**
   * A batch of settlements of one account, already decided in memory (src/credits/group-commit.ts):
   * subtracts the whole credits they charged and stores the carry they left. The new balance, or
   * undefined when the account has no row.
   */
  async applyCharges(accountId: string, credits: number, carry: bigint, at: string): Promise<number | undefined> {
    const carryText = carry.toString();
    const { rows } = await applyChargesStatement.run(this.db, 0, [credits, carryText, at, accountId], () =>
      this.db
        .updateTable('credit_balances')
        .set((eb) => ({ balance: eb('balance', '-', credits), carry: sql<number>`cast(${carryText} as bigint)`, updatedAt: at }))
        .where('accountId', '=', accountId)
        .returning('balance'),
    );
    return rows[0] === undefined ? undefined : Number(rows[0].balance);
  }

  /** Several ledger entries, in as few statements as their number allows. */
  async insertLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    await insertLedgerRows.run(this.db, entries);
  }

  /**
   * Adds `amount`. A grant (amount ≥ 0) always applies, even to an account in debt; a debit only
   * if it leaves the balance at or above what is held.
   */
  async tryAdjust(accountId: string, amount: number, at: string): Promise<number | undefined> {
    let query = this.db
      .updateTable('credit_balances')
      .set((eb) => ({ balance: eb('balance', '+', amount), updatedAt: at }))
      .where('accountId', '=', accountId);
    if (amount < 0) query = query.where((eb) => eb(eb('balance', '+', amount), '>=', eb.ref('reserved')));
    const row = await query.returning('balance').executeTakeFirst();
    return row === undefined ? undefined : Number(row.balance);
  }

  async insertLedgerEntry(entry: LedgerEntry): Promise<void> {
    await this.db
      .insertInto('credit_ledger')
      .values(entry)
      .execute();
  }

  async findLedgerEntryById(id: string): Promise<LedgerEntry | undefined> {
    const row = await this.db.selectFrom('credit_ledger').selectAll().where('id', '=', id).executeTakeFirst();
    return row && ledger.decode(row);
  }

  async findLedgerEntryByIdempotencyKey(key: string): Promise<LedgerEntry | undefined> {
    const row = await this.db.selectFrom('credit_ledger').selectAll().where('idempotencyKey', '=', key).executeTakeFirst();
    return row && ledger.decode(row);
  }

  /** Newest first. */
  async listLedger(accountId: string, limit: number): Promise<LedgerEntry[]> {
    const rows = await this.db.selectFrom('credit_ledger').selectAll().where('accountId', '=', accountId).orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(ledger.decode);
  }

  /** The sum of every ledger entry of the account: always equal to its balance. */
  async ledgerSum(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom('credit_ledger')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
      .where('accountId', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /**
   * PostgreSQL only: a whole reservation in one statement, so one round trip — each budget's hold
   * (the spend rows in the order given, as the reservation's transaction takes them), the balance's,
   * the reservation row and its budget holds. True when all of it was held. False when anything was
   * refused, and then nothing was: a refusal after a hold raises an error inside the statement, and
   * PostgreSQL applies all of a statement or none of it. Either way the caller's transaction says why.
   */
  async reserveAtOnce(reservation: Reservation, spends: readonly SpendLimit[], at: string): Promise<boolean> {
    const parameters: unknown[] = [reservation.amount, at, reservation.accountId, reservation.id, reservation.requestId, reservation.createdAt, reservation.expiresAt];
    for (const spend of spends) parameters.push(spend.scope, spend.ownerId, spend.periodStart, spend.limit);
    const text = reserveStatement(spends.length);
    try {
      const { rows } = await this.db.executeQuery<{ held: string | number }>(CompiledQuery.raw(text, parameters));
      return Number(rows[0]?.held ?? 0) > 0;
    } catch (error) {
      if ((error as { code?: string }).code === INVALID_TEXT_REPRESENTATION && String((error as Error).message).includes(UNDONE)) return false;
      throw error;
    }
  }

  async insertReservation(reservation: Reservation): Promise<void> {
    await this.db
      .insertInto('credit_reservations')
      .values(reservation)
      .execute();
  }

  /** Moves a live reservation's expiry; false when it is gone (settled or swept). */
  async renewReservation(id: string, expiresAt: string): Promise<boolean> {
    const result = await this.db.updateTable('credit_reservations').set({ expiresAt: expiresAt }).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * A settlement batch's first step: deletes these reservations and the budget holds of those that
   * were still there, and reads the budgets of the holds' owners. One statement on PostgreSQL (a
   * round trip of every batch); three on SQLite, which has no DELETE in a WITH clause.
   */
  async takeReservations(ids: readonly string[]): Promise<TakenReservations> {
    if (ids.length === 0) return { held: new Set(), holds: [], budgets: [] };
    if (this.reservesAtOnce) {
      const { rows } = await this.db.executeQuery(CompiledQuery.raw(TAKE_RESERVATIONS, [ids]) as CompiledQuery<TakenRow>);
      return takenReservations(rows);
    }
    const held = new Set((await deleteReservationRows.run(this.db, ids)).map((row) => row.id));
    const budgets = new BudgetsRepository(this.db);
    const holds = await budgets.takeHoldsOf([...held]);
    return { held, holds, budgets: await budgets.ofOwners(holds) };
  }

  /**
   * PostgreSQL only: group reservations give back what some of their claims held (src/credits/reservation-groups.ts),
   * their budget holds likewise; read as takeReservations reads. One statement.
   */
  async shrinkReservations(parts: readonly { id: string; amount: number }[]): Promise<TakenReservations> {
    if (parts.length === 0) return { held: new Set(), holds: [], budgets: [] };
    const parameters = [parts.map((part) => part.id), parts.map((part) => part.amount)];
    const { rows } = await this.db.executeQuery(CompiledQuery.raw(SHRINK_RESERVATIONS, parameters) as CompiledQuery<TakenRow>);
    return takenReservations(rows);
  }

  /** Which of these ids have a ledger entry. */
  async ledgerEntryIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await ledgerRowIds.run(this.db, ids);
    return new Set(rows.map((row) => row.id));
  }

  /** Removes a reservation; true only for the one caller that actually removed it. */
  async deleteReservation(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('credit_reservations').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listReservations(accountId: string): Promise<Reservation[]> {
    const rows = await this.db.selectFrom('credit_reservations').selectAll().where('accountId', '=', accountId).execute();
    return rows.map(reservations.decode);
  }

  async listExpiredReservations(now: string, limit: number): Promise<Reservation[]> {
    const rows = await this.db.selectFrom('credit_reservations').selectAll().where('expiresAt', '<=', now).orderBy('expiresAt').limit(limit).execute();
    return rows.map(reservations.decode);
  }
}
