// Credit balances, the ledger and in-flight reservations. Every method is one statement; the
// credit ledger (src/credits/credit-ledger.ts) composes them into transactions. The balance
// changes are conditional UPDATEs so that the database, not a read-then-write in the code,
// decides whether credits suffice: that is what keeps them exact across nodes.
import { sql, type Kysely, type Selectable } from 'kysely';
import { UNITS_PER_CREDIT } from '../core/sub-credits.js';
import { int, tableCodec } from './codec.js';
import { CompiledInsert, CompiledStatement } from './compiled-statement.js';
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
  /** The account's carry after it (sub-credit units). */
  carry: bigint;
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
  constructor(private readonly db: Kysely<Tables>) {}

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
    // Both sides are cast so that SQLite divides integers (a bound number may arrive as REAL).
    const frac = sql<number>`cast(${fraction.toString()} as bigint)`;
    const unit = sql.lit(Number(UNITS_PER_CREDIT));
    const carried = sql<number>`(carry + ${frac})`;
    const row = await this.db
      .updateTable('credit_balances')
      .set((eb) => ({
        balance: sql<number>`balance - ${credits} - ${carried} / ${unit}`,
        carry: sql<number>`${carried} % ${unit}`,
        reserved: eb('reserved', '-', held),
        updatedAt: at,
      }))
      .where('accountId', '=', accountId)
      .returning(['balance', 'carry'])
      .executeTakeFirst();
    if (row === undefined) return undefined;
    // carry before + fraction = whole credits made × unit + carry after, with 0 ≤ carry before < unit:
    // that fixes how many whole credits the carry made (a batch's fractions may add up to several).
    const carry = BigInt(row.carry);
    const made = fraction > carry ? (fraction - carry + UNITS_PER_CREDIT - 1n) / UNITS_PER_CREDIT : 0n;
    return { charged: credits + Number(made), balance: Number(row.balance), carry };
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

  /** Removes a reservation; true only for the one caller that actually removed it. */
  /** Deletes these reservations; the ids of those that were still there. */
  async deleteReservations(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.deleteFrom('credit_reservations').where('id', 'in', ids).returning('id').execute();
    return new Set(rows.map((row) => row.id));
  }

  /** Which of these ids have a ledger entry. */
  async ledgerEntryIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom('credit_ledger').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((row) => row.id));
  }

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
