// The credit engine's storage side (SPEC §6): reserve before upstream, settle after, grant and
// debit by operators. Each operation is one database transaction built from conditional UPDATEs,
// so it is exact under any concurrency on one node or many (PostgreSQL re-checks the WHERE clause
// on the row it locked; SQLite runs one writer at a time):
//
//   reserve:  reserved += cost          WHERE balance − reserved ≥ cost AND balance > 0
//   settle:   balance −= charge + ⌊(carry + fraction) / 1⌋, carry = the rest, reserved −= held
//             (the full charge: overage is debt; the carry keeps what is not yet a whole credit)
//   grant:    balance += amount         (a debit: WHERE balance + amount ≥ reserved)
//
// Invariants: reserved ≥ 0 (a CHECK constraint); reservations never exceed the balance, so N
// concurrent requests never spend more than it under the caps they forward; the balance goes
// below zero only by usage an upstream returned beyond its cap, which is charged in full (SPEC §6)
// and refuses priced requests until a grant brings it above zero; and the ledger sum equals the
// balance, because a balance only changes in the transaction that writes its ledger entry.
// Budgets (src/credits/budget-claims.ts) ride in the same transactions: `also` at reserve,
// `settleAlso` at settle, both before the balance row, so every transaction locks rows in one order.
// On PostgreSQL a reservation that holds is one statement instead (CreditsRepository.reserveAtOnce:
// the same conditions, the same order, one round trip); one that does not is told by the transaction.
import { newId, newTimeOrderedId } from '../core/ids.js';
import type { CreditBalance, LedgerEntry, Reservation } from '../storage/credits.js';
import type { SpendLimit } from '../storage/budgets.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';

export type ReserveResult<Refusal = never> =
  | { ok: true; reservation: Reservation }
  | { ok: false; available: number }
  | { ok: false; refused: Refusal };

/**
 * More claims a reservation makes before the balance (budgets: src/credits/budget-claims.ts): the
 * spend rows it holds against, in lock order, and how to hold them in the reservation's own
 * transaction, where a refusal rolls the whole reservation back.
 */
export interface ReserveAlso<Refusal> {
  spends: readonly SpendLimit[];
  hold(tx: StorageTransaction, reservation: Reservation): Promise<Refusal | null>;
}

/**
 * Runs inside settle around the balance charge, with the whole credits asked for: it locks and
 * releases its own rows first (the order reserve takes them in), then calls `chargeBalance` — whose
 * whole credits include a carry rolling over — and counts what it returns. Returns what to run after
 * commit, if anything.
 */
export type SettleAlso = (tx: StorageTransaction, reservation: Reservation, at: string, credits: number, chargeBalance: () => Promise<number>) => Promise<(() => Promise<void>) | null>;

export interface SettleResult {
  /** Credits charged: always the requested charge, even beyond the hold (the excess is debt). */
  charged: number;
  balance: number;
}

export interface GrantInput {
  accountId: string;
  /** Positive to grant, negative to debit. */
  amount: number;
  reason: string | null;
  actorId: string | null;
  requestId: string | null;
  /** Client's Idempotency-Key, and a fingerprint of what was asked with it. */
  idempotencyKey?: string | null;
  fingerprint?: string | null;
  /** Runs inside the grant's transaction (e.g. the audit event), so both commit or neither. */
  alsoInTransaction?: (tx: StorageTransaction, entry: LedgerEntry) => Promise<void>;
}

export type GrantResult =
  | { kind: 'created'; entry: LedgerEntry }
  | { kind: 'replayed'; entry: LedgerEntry }
  | { kind: 'idempotency_mismatch' }
  | { kind: 'insufficient'; available: number };

/**
 * Watches balances going down (a charge or a debit) inside the transaction that moves them:
 * credits.low fires on a crossing only, and with the change. In two steps, so that what it reads
 * is read before the balance row is locked (a lock other requests wait for): `watch` reads what
 * watches the account (null when nothing does), and the listener it returns is told the exact
 * balance before and after the change.
 */
export type BalanceChangeHook = (tx: StorageTransaction, accountId: string) => Promise<BalanceChangeListener | null>;
export type BalanceChangeListener = (tx: StorageTransaction, before: number, after: number) => Promise<void>;

export interface CreditLedgerOptions<Refusal = never> {
  /** The claims a reservation for this key (and its account) also makes: budgets (budget-claims.ts). */
  reserveAlso?: (keyId: string, accountId: string) => Promise<ReserveAlso<Refusal> | undefined>;
  /**
   * How long a reservation lives without renewal before the sweeper releases it (default 1 h).
   * A running request renews its own (renew()), so only a dead node's reservations expire.
   */
  reservationTtlMs?: number;
  now?: () => Date;
  settleAlso?: SettleAlso;
  onBalanceChange?: BalanceChangeHook;
}

class RollBack extends Error {
  constructor(readonly available: number) {
    super('roll back');
  }
}

class Refused<Refusal> extends Error {
  constructor(readonly refusal: Refusal) {
    super('refused');
  }
}

export class CreditLedger<BudgetRefusal = never> {
  readonly reservationTtlMs: number;
  private readonly reserveAlso: CreditLedgerOptions<BudgetRefusal>['reserveAlso'];
  private readonly now: () => Date;
  private readonly settleAlso: SettleAlso | undefined;
  private readonly onBalanceChange: BalanceChangeHook | undefined;

  constructor(
    private readonly storage: Storage,
    options: CreditLedgerOptions<BudgetRefusal> = {},
  ) {
    this.reserveAlso = options.reserveAlso;
    this.reservationTtlMs = options.reservationTtlMs ?? 60 * 60_000;
    this.now = options.now ?? (() => new Date());
    this.settleAlso = options.settleAlso;
    this.onBalanceChange = options.onBalanceChange;
  }

  async balance(accountId: string): Promise<CreditBalance> {
    return (await this.storage.credits.findBalance(accountId)) ?? { accountId, balance: 0, reserved: 0, carry: 0, updatedAt: new Date(0).toISOString() };
  }

  /**
   * Holds `amount` credits for one request, or says why not; with `budgetKeyId`, also what
   * `reserveAlso` claims for that key and its account (its budgets) in the same transaction.
   */
  async reserve(accountId: string, amount: number, requestId: string | null, budgetKeyId: string | null = null): Promise<ReserveResult<BudgetRefusal>> {
    // Read before the transaction: a look-up inside it would wait for the pool while holding a connection.
    const also = budgetKeyId !== null ? await this.reserveAlso?.(budgetKeyId, accountId) : undefined;
    const now = this.now();
    const at = now.toISOString();
    const reservation: Reservation = {
      id: newTimeOrderedId('led', now.getTime()),
      accountId,
      amount,
      requestId,
      createdAt: at,
      expiresAt: new Date(now.getTime() + this.reservationTtlMs).toISOString(),
    };
    // PostgreSQL holds it all in one statement; a refusal there is told in full by the transaction below.
    if (this.storage.credits.reservesAtOnce && (await this.storage.credits.reserveAtOnce(reservation, also?.spends ?? [], at))) return { ok: true, reservation };
    try {
      await this.storage.transaction(async function reserveInTransaction(tx) {
        const refusal = also ? await also.hold(tx, reservation) : null;
        if (refusal !== null) throw new Refused(refusal);
        // What `also` claimed must not outlive a refusal here: throwing rolls it back.
        if (!(await tx.credits.tryReserve(accountId, amount, at))) throw new RollBack(0);
        await tx.credits.insertReservation(reservation);
      });
      return { ok: true, reservation };
    } catch (error) {
      if (error instanceof Refused) return { ok: false, refused: error.refusal as BudgetRefusal };
      if (!(error instanceof RollBack)) throw error;
    }
    const current = await this.balance(accountId);
    return { ok: false, available: Math.max(0, current.balance - current.reserved) };
  }

  /** Keeps a running request's reservation from the sweeper; false when it is already gone. */
  async renew(reservation: Reservation): Promise<boolean> {
    const expiresAt = new Date(this.now().getTime() + this.reservationTtlMs).toISOString();
    return this.storage.credits.renewReservation(reservation.id, expiresAt);
  }

  /**
   * Ends a reservation: charges `charge` whole credits in full (0 releases it all) plus `fraction`
   * sub-credit units (< one credit, src/core/sub-credits.ts) through the account's carry, and
   * writes the usage entry, whose id is the reservation's, for the whole credits charged. Returns
   * null if it was already settled, so settling twice never charges twice. A reservation the
   * sweeper already released (its node stalled past the TTL) is still charged — never free — just
   * without a hold to release.
   */
  async settle(reservation: Reservation, charge: number, fraction = 0n): Promise<SettleResult | null> {
    const at = this.now().toISOString();
    const amount = Math.max(0, Math.floor(charge));
    const part = fraction > 0n ? fraction : 0n;
    const settleAlso = this.settleAlso;
    const onBalanceChange = this.onBalanceChange;
    let afterCommit: (() => Promise<void>) | null = null;
    const result = await this.storage.transaction(async function settleInTransaction(tx) {
      const held = (await tx.credits.deleteReservation(reservation.id)) ? reservation.amount : 0;
      if (held === 0 && ((amount === 0 && part === 0n) || (await tx.credits.findLedgerEntryById(reservation.id)))) return null;
      const listener = amount > 0 || part > 0n ? await onBalanceChange?.(tx, reservation.accountId) : null;
      let balance = 0;
      const chargeBalance = async () => {
        const charge = await tx.credits.charge(reservation.accountId, held, amount, at, part);
        if (charge === undefined) throw new Error(`credit settlement found no balance for reservation ${reservation.id}`);
        balance = charge.balance;
        return charge.charged;
      };
      let charged = 0;
      if (settleAlso) afterCommit = await settleAlso(tx, reservation, at, amount, async () => (charged = await chargeBalance()));
      else charged = await chargeBalance();
      if (charged > 0) {
        await tx.credits.insertLedgerEntry({
          id: reservation.id,
          accountId: reservation.accountId,
          amount: -charged,
          kind: 'usage',
          balanceAfter: balance,
          requestId: reservation.requestId,
          idempotencyKey: null,
          fingerprint: null,
          actorId: null,
          reason: null,
          createdAt: at,
        });
        await listener?.(tx, balance + charged, balance);
      }
      return { charged, balance };
    });
    // (TypeScript cannot see the closure assign it, hence the cast.)
    // Awaited, so whoever waits for a settlement (the usage flush, shutdown) also waits for what it announces.
    await (afterCommit as (() => Promise<void>) | null)?.();
    return result;
  }

  /** An operator's grant (amount > 0) or debit (amount < 0), idempotent by Idempotency-Key. */
  async grant(input: GrantInput): Promise<GrantResult> {
    const key = input.idempotencyKey ? `operator:${input.idempotencyKey}` : null;
    if (key) {
      const earlier = await this.replay(key, input.fingerprint ?? null);
      if (earlier) return earlier;
    }
    const at = this.now().toISOString();
    const entry: LedgerEntry = {
      id: newId('led'),
      accountId: input.accountId,
      amount: input.amount,
      kind: input.amount >= 0 ? 'grant' : 'debit',
      balanceAfter: 0,
      requestId: input.requestId,
      idempotencyKey: key,
      fingerprint: input.fingerprint ?? null,
      actorId: input.actorId,
      reason: input.reason,
      createdAt: at,
    };
    const onBalanceChange = this.onBalanceChange;
    try {
      await this.storage.transaction(async function grantInTransaction(tx) {
        await tx.credits.ensureBalance(input.accountId, at);
        const listener = input.amount < 0 ? await onBalanceChange?.(tx, input.accountId) : null;
        const balance = await tx.credits.tryAdjust(input.accountId, input.amount, at);
        if (balance === undefined) {
          const current = (await tx.credits.findBalance(input.accountId))!;
          throw new RollBack(current.balance - current.reserved);
        }
        entry.balanceAfter = balance;
        await tx.credits.insertLedgerEntry(entry);
        await listener?.(tx, balance - input.amount, balance);
        await input.alsoInTransaction?.(tx, entry);
      });
      return { kind: 'created', entry };
    } catch (error) {
      if (error instanceof RollBack) return { kind: 'insufficient', available: Math.max(0, error.available) };
      // A concurrent request with the same key won the unique index: answer as it did.
      const earlier = key ? await this.replay(key, input.fingerprint ?? null) : undefined;
      if (earlier) return earlier;
      throw error;
    }
  }

  /** Releases reservations whose node never settled them (crashed mid-request). */
  async sweepExpired(limit = 500, at = this.now()): Promise<number> {
    const expired = await this.storage.credits.listExpiredReservations(at.toISOString(), limit);
    let released = 0;
    for (const reservation of expired) if (await this.settle(reservation, 0)) released += 1;
    return released;
  }

  private async replay(key: string, fingerprint: string | null): Promise<GrantResult | undefined> {
    const earlier = await this.storage.credits.findLedgerEntryByIdempotencyKey(key);
    if (!earlier) return undefined;
    return earlier.fingerprint === fingerprint ? { kind: 'replayed', entry: earlier } : { kind: 'idempotency_mismatch' };
  }
}
