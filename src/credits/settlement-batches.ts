// Settlements of the storage ledger (PostgreSQL, any number of nodes) written together: the requests
// that ended while the last batch was committing are settled in one transaction instead of one each.
// Reserving stays one statement per request (credit-ledger.ts): that is what keeps N concurrent
// requests on any number of nodes from spending past a balance or a budget. Settling only gives back
// what a reservation held and charges what was used, so it can wait for the batch:
//
//   reservations deleted (those still there were held), their budget holds taken, the holds' budgets read;
//   each spend row: reserved −= what its holds held, spent += the whole credits    (key rows, then account rows)
//   each balance:   reserved −= held, balance −= whole credits and what the carry makes  (accounts in id order)
//   one ledger entry per charged request, its id the reservation's (so settling twice charges once).
//
// Rows are locked in one order on every node — spend rows (key rows before account rows, each in id
// order), then balances in account id order — the order a reservation takes its own rows in, so
// batches and reservations never wait on each other in a circle.
//
// A batch that fails (an account deleted meanwhile, a deadlock PostgreSQL broke) is settled again
// one request at a time, each as a batch of its own, so one bad settlement never loses the others.
// On PostgreSQL, requests of an account that arrive together are reserved together (reservation-groups.ts);
// each settles as a claim on its group's row.
// Batches follow each other: the next starts when the one being written commits, with everything
// that ended meanwhile. What a SIGKILL loses: the settlements not yet committed (the batch under way
// and those that ended during its commit). Their reservations stay in storage until the sweeper
// releases them without a charge: the customer is charged less, never more, and the ledger still
// sums to the balance. SIGTERM flushes.
import type { Logger } from 'pino';
import { UNITS_PER_CREDIT } from '../core/sub-credits.js';
import { keyFirst, type BudgetHold, type SpendKey } from '../storage/budgets.js';
import type { TakenReservations } from '../storage/credit-statements.js';
import type { CreditBalance, LedgerEntry, Reservation } from '../storage/credits.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import type { BudgetClaims, BudgetRefusal, SettledRow } from './budget-claims.js';
import type { CreditEngine } from './credit-engine.js';
import type { BalanceChangeHook, BalanceChangeListener, CreditLedger, GrantInput, GrantResult, ReserveResult, SettleResult } from './credit-ledger.js';
import { ReservationGroups } from './reservation-groups.js';

interface Settlement {
  reservation: Reservation;
  /** Whole credits asked for. */
  credits: number;
  /** Sub-credit units through the account's carry. */
  fraction: bigint;
  resolve: (result: SettleResult | null) => void;
  reject: (error: unknown) => void;
}

interface SpendRow extends SettledRow {
  accountId: string;
  held: number;
  credits: number;
  settlements: Settlement[];
}

export interface SettlementBatchesParts {
  storage: Storage;
  /** Reserves, grants, sweeps, and settles one by one when a batch fails. */
  ledger: CreditLedger<BudgetRefusal>;
  claims: BudgetClaims;
  logger: Logger;
  onBalanceChange?: BalanceChangeHook | undefined;
  now?: () => Date;
}

export class SettlementBatches implements CreditEngine {
  readonly reservationTtlMs: number;
  /** PostgreSQL: concurrent requests of an account reserved together (reservation-groups.ts). */
  private readonly groups: ReservationGroups | null;
  private pending: Settlement[] = [];
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly parts: SettlementBatchesParts) {
    this.reservationTtlMs = parts.ledger.reservationTtlMs;
    this.now = parts.now ?? (() => new Date());
    this.groups = parts.storage.credits.reservesAtOnce ? new ReservationGroups(parts.ledger, this.now) : null;
  }

  balance(accountId: string): Promise<CreditBalance> {
    return this.parts.ledger.balance(accountId);
  }

  reserve(accountId: string, amount: number, requestId: string | null, budgetKeyId: string | null = null): Promise<ReserveResult<BudgetRefusal>> {
    return this.groups ? this.groups.reserve(accountId, amount, requestId, budgetKeyId) : this.parts.ledger.reserve(accountId, amount, requestId, budgetKeyId);
  }

  /** A claim of a group reservation renews its group's row. */
  renew(reservation: Reservation): Promise<boolean> {
    return this.parts.ledger.renew(this.groups?.stored(reservation) ?? reservation);
  }

  grant(input: GrantInput): Promise<GrantResult> {
    return this.parts.ledger.grant(input);
  }

  sweepExpired(limit?: number): Promise<number> {
    return this.parts.ledger.sweepExpired(limit);
  }

  /** Queues the settlement into the next batch; resolves once that batch is committed. */
  settle(reservation: Reservation, charge: number, fraction = 0n): Promise<SettleResult | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ reservation, credits: Math.max(0, Math.floor(charge)), fraction: fraction > 0n ? fraction : 0n, resolve, reject });
      this.schedule();
    });
  }

  /**
   * The next batch starts as soon as the one being written is committed: under load, settlements
   * gather while a batch commits; on an idle node one is written at once, so it waits for nothing.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void this.writing.then(() => {
      this.scheduled = false;
      return this.flush();
    });
  }

  /** Writes everything queued so far; resolves when it is stored (shutdown awaits it). */
  flush(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return this.writing;
    this.pending = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: Settlement[]): Promise<void> {
    try {
      await this.commit(batch);
    } catch (error) {
      this.parts.logger.warn({ err: error, settlements: batch.length }, 'a settlement batch failed; settling its requests one by one');
      for (const settlement of batch) {
        try {
          await this.commit([settlement]);
        } catch (failure) {
          settlement.reject(failure);
        }
      }
    }
  }

  private async commit(batch: Settlement[]): Promise<void> {
    const at = this.now().toISOString();
    const settled = await this.parts.storage.transactionNotWaitingForDisk((tx) => this.writeIn(tx, batch, at));
    for (const settlement of batch) this.groups?.settled(settlement.reservation.id);
    // Announced before the settlements resolve, so whoever waits for them (shutdown) waits for these too.
    for (const announce of settled.after) await announce();
    for (const settlement of batch) settlement.resolve(settled.results.get(settlement) ?? null);
  }

  private async writeIn(tx: StorageTransaction, batch: readonly Settlement[], at: string) {
    const results = new Map<Settlement, SettleResult | null>();
    // A reservation settled twice in one batch: the first settlement counts, the others are no-ops.
    const byId = new Map<string, Settlement>();
    for (const settlement of batch) if (!byId.has(settlement.reservation.id)) byId.set(settlement.reservation.id, settlement);
    // The reservations and their holds taken, and the holds' budgets read, in one round trip on PostgreSQL.
    const { held, holds, budgets } = await this.take(tx, byId);
    // Not held any more: released by a sweep (charged all the same, never free) or settled already.
    // One that charges nothing has nothing left to do; one already in the ledger was charged once.
    const charging: string[] = [];
    for (const [id, s] of byId) {
      if (held.has(id)) continue;
      if (charges(s)) charging.push(id);
      else byId.delete(id);
    }
    for (const id of await tx.credits.ledgerEntryIds(charging)) byId.delete(id);

    const accounts = byAccount(byId.values());
    // What is read is read before any row is locked (reservations on every node wait for those
    // locks): the budgets (above), and who watches each balance charged.
    const listeners = new Map<string, BalanceChangeListener>();
    for (const [accountId, settlements] of accounts) {
      if (!settlements.some(charges)) continue;
      const listener = await this.parts.onBalanceChange?.(tx, accountId);
      if (listener) listeners.set(accountId, listener);
    }
    const rows = await this.releaseHolds(tx, byId, holds, at);
    const entries: LedgerEntry[] = [];
    const extraCredits = new Map<Settlement, number>();
    const after: (() => Promise<void>)[] = [];
    for (const [accountId, settlements] of accounts) {
      const heldSum = settlements.reduce((sum, s) => sum + (held.has(s.reservation.id) ? s.reservation.amount : 0), 0);
      const credits = settlements.reduce((sum, s) => sum + s.credits, 0);
      const fraction = settlements.reduce((sum, s) => sum + s.fraction, 0n);
      const charge = await tx.credits.charge(accountId, heldSum, credits, at, fraction);
      if (charge === undefined) throw new Error(`a settlement batch found no balance for account ${accountId}`);
      // Each settlement's own whole credits, in order: from the carry before the batch, each fraction in turn.
      let carry = charge.carryBefore;
      const before = charge.balance + charge.charged;
      let balance = before;
      for (const settlement of settlements) {
        carry += settlement.fraction;
        const extra = carry >= UNITS_PER_CREDIT ? 1 : 0;
        carry -= BigInt(extra) * UNITS_PER_CREDIT;
        if (extra > 0) extraCredits.set(settlement, extra);
        const charged = settlement.credits + extra;
        balance -= charged;
        results.set(settlement, { charged, balance });
        if (charged > 0) {
          const { reservation } = settlement;
          entries.push({ id: reservation.id, accountId, amount: -charged, kind: 'usage', balanceAfter: balance, requestId: reservation.requestId, idempotencyKey: null, fingerprint: null, actorId: null, reason: null, createdAt: at });
        }
      }
      if (charge.charged > 0) await listeners.get(accountId)?.(tx, before, charge.balance);
    }
    // The whole credits a carry made count towards budgets too (the spend rows are locked already).
    for (const row of rows) {
      const extra = row.settlements.reduce((sum, s) => sum + (extraCredits.get(s) ?? 0), 0);
      if (extra > 0) row.spend = await tx.budgets.addSpent(row.row, extra, at);
    }
    await tx.credits.insertLedgerEntries(entries);
    for (const [accountId, accountRows] of groupBy(rows, (row) => row.accountId)) {
      const announce = this.parts.claims.announcer(accountId, await this.parts.claims.crossed(tx, accountRows, budgets));
      if (announce) after.push(announce);
    }
    return { results, after };
  }

  /**
   * Takes what these settlements held: their reservations deleted, their holds and the holds' budgets
   * read. A claim of a group reservation (reservation-groups.ts) gives its amount back from the
   * group's row and holds instead, and the group's last claims delete them; each claim is then held,
   * with holds of its own amount, when its group was.
   */
  private async take(tx: StorageTransaction, byId: ReadonlyMap<string, Settlement>): Promise<TakenReservations> {
    const own: string[] = [];
    const claimed: Settlement[] = [];
    for (const [id, settlement] of byId) {
      if (this.groups?.groupOf(id)) claimed.push(settlement);
      else own.push(id);
    }
    if (claimed.length === 0) return tx.credits.takeReservations(own);
    const claimsOf = groupBy(claimed, (settlement) => this.groups!.groupOf(settlement.reservation.id)!);
    const shrinking: { id: string; amount: number }[] = [];
    const taking: string[] = [];
    for (const [group, claims] of claimsOf) {
      if (claims.length >= group.open) taking.push(group.reservation.id);
      else shrinking.push({ id: group.reservation.id, amount: claims.reduce((sum, s) => sum + s.reservation.amount, 0) });
    }
    const taken = await tx.credits.takeReservations([...own, ...taking]);
    const shrunk = await tx.credits.shrinkReservations(shrinking);
    const held = new Set(own.filter((id) => taken.held.has(id)));
    const holds = taken.holds.filter((hold) => held.has(hold.reservationId));
    const holdsOf = groupBy([...taken.holds, ...shrunk.holds], (hold) => hold.reservationId);
    for (const [group, claims] of claimsOf) {
      const groupId = group.reservation.id;
      if (!taken.held.has(groupId) && !shrunk.held.has(groupId)) continue;
      for (const { reservation } of claims) {
        held.add(reservation.id);
        for (const hold of holdsOf.get(groupId) ?? []) holds.push({ reservationId: reservation.id, scope: hold.scope, ownerId: hold.ownerId, periodStart: hold.periodStart, amount: reservation.amount });
      }
    }
    const budgets = new Map([...taken.budgets, ...shrunk.budgets].map((budget) => [`${budget.scope}\u0000${budget.ownerId}`, budget]));
    return { held, holds: holds.sort(keyFirst), budgets: [...budgets.values()].sort(keyFirst) };
  }

  /**
   * Gives back the budget holds of the reservations still held and counts their whole credits, each
   * spend row once, locked key rows first, then account rows, each in id order (one statement on PostgreSQL).
   */
  private async releaseHolds(tx: StorageTransaction, byId: ReadonlyMap<string, Settlement>, holds: readonly BudgetHold[], at: string): Promise<SpendRow[]> {
    const rows = new Map<string, SpendRow>();
    for (const hold of holds) {
      const settlement = byId.get(hold.reservationId);
      if (!settlement) continue;
      const id = spendRowId(hold);
      let row = rows.get(id);
      if (!row) rows.set(id, (row = { row: { scope: hold.scope, ownerId: hold.ownerId, periodStart: hold.periodStart }, spend: undefined, accountId: settlement.reservation.accountId, held: 0, credits: 0, settlements: [] }));
      row.held += hold.amount;
      row.credits += settlement.credits;
      row.settlements.push(settlement);
    }
    const ordered = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
    const spends = await tx.budgets.settleRows(ordered.map((row) => ({ hold: Object.assign({}, row.row, { amount: row.held }), charge: row.credits })), at);
    for (let i = 0; i < ordered.length; i++) ordered[i]!.spend = spends[i];
    return ordered;
  }
}

/** A settlement that charges something: whole credits, or a fraction through the carry. */
function charges(settlement: Settlement): boolean {
  return settlement.credits > 0 || settlement.fraction > 0n;
}

/** Key rows sort before account rows ("k" < "a" is false, so the scope is spelled as a rank). */
function spendRowId(key: SpendKey): string {
  return `${key.scope === 'key' ? 0 : 1}\u0000${key.ownerId}\u0000${key.periodStart}`;
}

/** Settlements by account, accounts in id order (the order their balance rows are locked in). */
function byAccount(settlements: Iterable<Settlement>): [string, Settlement[]][] {
  return [...groupBy(settlements, (s) => s.reservation.accountId)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
