// The credit engine of a single SQLite node (issue 11 item 1): this node is the only writer of its
// database, so balances, budget spend and reservations live in its memory — loaded per account on
// first use — and a priced request takes no storage round trip to reserve or settle. Claims are
// synchronous once the account is loaded, so N concurrent requests never spend past a balance or
// a budget. Settlements are made durable by the group commit (group-commit.ts): one transaction
// per few milliseconds for every request that ended, a ledger entry per charge, usage records
// beside them. SIGTERM flushes it all (the composition root awaits it); a SIGKILL loses at most
// the charges of the last batch window, which only ever leaves the customer the richer.
//
// The exact sub-credit carry is kept as in storage (src/core/sub-credits.ts carryCharge).
// Grants and debits still go through the storage ledger (they are rare and audited), then move
// the balance held in memory by the same amount.
import { newTimeOrderedId } from '../core/ids.js';
import { LruMap } from '../core/lru-map.js';
import { carryCharge } from '../core/sub-credits.js';
import type { CreditBalance, Reservation } from '../storage/credits.js';
import type { Storage } from '../storage/storage.js';
import type { BudgetRefusal, OnBudgetThreshold } from './budget-claims.js';
import type { CreditEngine } from './credit-engine.js';
import type { CreditLedger, GrantInput, GrantResult, ReserveResult, SettleResult } from './credit-ledger.js';
import type { GroupCommit } from './group-commit.js';
import type { MemoryBudgets, MemoryHold } from './memory-budgets.js';

interface AccountState {
  balance: number;
  reserved: number;
  carry: bigint;
  updatedAt: string;
  /** Settlements of this account not yet stored. */
  unstored: number;
  loadedAtMs: number;
}

/**
 * An idle account (nothing held, nothing unstored) is read again after this long: what another
 * process wrote meanwhile (a grant by the command line against the same file) is then seen.
 */
const IDLE_RELOAD_MS = 1_000;
/**
 * Reservations recently ended, so a second settle of one is a no-op even before storage has it:
 * storage has it once its batch commits (at most 500 settlements, a few milliseconds), and from then
 * on the ledger entry answers. 10,000 is twenty batches; 100,000 ids kept 28 MB alive, all of
 * it churned through the old generation.
 */
const ENDED_REMEMBERED = 10_000;

export interface MemoryCreditEngineParts {
  storage: Storage;
  /** The storage ledger: grants, and reservations a previous process left behind. */
  stored: CreditLedger<BudgetRefusal>;
  budgets: MemoryBudgets;
  commits: GroupCommit;
  onThreshold: OnBudgetThreshold;
  onError: (error: unknown) => void;
  now?: () => Date;
}

export class MemoryCreditEngine implements CreditEngine {
  readonly reservationTtlMs: number;
  private readonly accounts = new Map<string, AccountState>();
  private readonly loading = new Map<string, Promise<AccountState>>();
  private readonly held = new Map<string, { reservation: Reservation; holds: MemoryHold[] }>();
  private readonly ended = new LruMap<string, true>(ENDED_REMEMBERED);
  /** Grants under way per account: a load waits for them, so it never counts one twice. */
  private readonly granting = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;

  constructor(private readonly parts: MemoryCreditEngineParts) {
    this.reservationTtlMs = parts.stored.reservationTtlMs;
    this.now = parts.now ?? (() => new Date());
  }

  /**
   * Releases what a previous process held in storage (it is gone: on SQLite this node is the only
   * writer), so storage and memory start with nothing reserved. Call once, before serving.
   */
  async start(): Promise<void> {
    const sweeper = this.parts.stored;
    while ((await sweeper.sweepExpired(500, new Date(8.64e15))) > 0);
  }

  async balance(accountId: string): Promise<CreditBalance> {
    const state = this.accounts.get(accountId);
    if (!state) return this.parts.stored.balance(accountId);
    return { accountId, balance: state.balance, reserved: state.reserved, carry: Number(state.carry), updatedAt: state.updatedAt };
  }

  async reserve(accountId: string, amount: number, requestId: string | null, budgetKeyId: string | null = null): Promise<ReserveResult<BudgetRefusal>> {
    const [account, prepared] = await Promise.all([this.account(accountId), budgetKeyId !== null ? this.parts.budgets.prepare(budgetKeyId, accountId) : []]);
    // From here to the return nothing awaits: the claim is atomic.
    const holds = this.parts.budgets.claim(prepared, amount);
    if (!Array.isArray(holds)) return { ok: false, refused: holds };
    const available = account.balance - account.reserved;
    if (account.balance <= 0 || available < amount) {
      this.parts.budgets.release(holds);
      return { ok: false, available: Math.max(0, available) };
    }
    account.reserved += amount;
    const now = this.now();
    const reservation: Reservation = { id: newTimeOrderedId('led', now.getTime()), accountId, amount, requestId, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + this.reservationTtlMs).toISOString() };
    this.held.set(reservation.id, { reservation, holds });
    return { ok: true, reservation };
  }

  /** A reservation in memory never expires while this process lives. */
  async renew(reservation: Reservation): Promise<boolean> {
    return this.held.has(reservation.id);
  }

  async settle(reservation: Reservation, charge: number, fraction = 0n): Promise<SettleResult | null> {
    const amount = Math.max(0, Math.floor(charge));
    const part = fraction > 0n ? fraction : 0n;
    if (this.ended.get(reservation.id)) return null;
    this.ended.set(reservation.id, true);
    const held = this.held.get(reservation.id);
    if (held) this.held.delete(reservation.id);
    else if ((amount === 0 && part === 0n) || (await this.parts.storage.credits.findLedgerEntryById(reservation.id))) return null;
    // Not held here (a storage reservation a sweep released): charged all the same, never free.
    const account = held ? this.accounts.get(reservation.accountId)! : await this.account(reservation.accountId);
    if (held) account.reserved -= reservation.amount;
    const carried = carryCharge(account.carry, part);
    const charged = amount + Number(carried.charged);
    account.balance -= charged;
    account.carry = carried.carry;
    const at = this.now().toISOString();
    account.updatedAt = at;
    const { writes, crossings } = this.parts.budgets.settle(held?.holds ?? [], charged);
    if (charged === 0 && part === 0n && writes.length === 0) return { charged, balance: account.balance };
    const entry =
      charged > 0
        ? { id: reservation.id, accountId: reservation.accountId, amount: -charged, kind: 'usage' as const, balanceAfter: account.balance, requestId: reservation.requestId, idempotencyKey: null, fingerprint: null, actorId: null, reason: null, createdAt: at }
        : null;
    const balance = account.balance;
    account.unstored += 1;
    try {
      await this.parts.commits.settlement({ accountId: reservation.accountId, credits: charged, carry: account.carry, entry, spends: writes, after: crossings.length > 0 ? () => this.announce(reservation.accountId, crossings) : null });
    } finally {
      account.unstored -= 1;
    }
    return { charged, balance };
  }

  /**
   * A grant or debit through the storage ledger (its transaction, idempotency and audit), after
   * the settlements queued so far are stored; then the balance in memory moves by as much. A
   * debit holds its amount in memory first, so requests admitted meanwhile cannot spend it too.
   */
  async grant(input: GrantInput): Promise<GrantResult> {
    const run = async (): Promise<GrantResult> => {
      await this.loading.get(input.accountId)?.catch(() => undefined);
      const state = this.accounts.get(input.accountId);
      const debit = input.amount < 0 ? -input.amount : 0;
      if (state && debit > 0) {
        if (state.balance - state.reserved < debit) return { kind: 'insufficient', available: Math.max(0, state.balance - state.reserved) };
        state.reserved += debit;
      }
      try {
        await this.parts.commits.flush();
        const result = await this.parts.stored.grant(input);
        if (state && result.kind === 'created') state.balance += input.amount;
        return result;
      } finally {
        if (state) state.reserved -= debit;
      }
    };
    const previous = this.granting.get(input.accountId) ?? Promise.resolve();
    const result = previous.then(run, run);
    const settled = result.catch(() => undefined);
    this.granting.set(input.accountId, settled);
    void settled.then(() => this.granting.get(input.accountId) === settled && this.granting.delete(input.accountId));
    return result;
  }

  /** Reservations in storage (a previous process's): released through the storage ledger. */
  sweepExpired(limit = 500): Promise<number> {
    return this.parts.stored.sweepExpired(limit);
  }

  /** The account's state, loaded on first use (and again when idle for a while), one load at a time. */
  private account(accountId: string): Promise<AccountState> | AccountState {
    const known = this.accounts.get(accountId);
    if (known && (known.reserved > 0 || known.unstored > 0 || Date.now() - known.loadedAtMs < IDLE_RELOAD_MS)) return known;
    let loading = this.loading.get(accountId);
    if (!loading) {
      loading = (async () => {
        await this.granting.get(accountId);
        const row = await this.parts.storage.credits.findBalance(accountId);
        const fresh = { balance: row?.balance ?? 0, carry: BigInt(row?.carry ?? 0), updatedAt: row?.updatedAt ?? new Date(0).toISOString(), loadedAtMs: Date.now() };
        const state = this.accounts.get(accountId);
        if (!state) {
          const loaded = { balance: fresh.balance, carry: fresh.carry, updatedAt: fresh.updatedAt, loadedAtMs: fresh.loadedAtMs, reserved: 0, unstored: 0 };
          this.accounts.set(accountId, loaded);
          return loaded;
        }
        // Read again while idle: storage is the whole truth unless something started meanwhile.
        if (state.reserved === 0 && state.unstored === 0) Object.assign(state, fresh);
        return state;
      })().finally(() => this.loading.delete(accountId));
      this.loading.set(accountId, loading);
    }
    return loading;
  }

  private async announce(accountId: string, crossings: Parameters<OnBudgetThreshold>[1][]): Promise<void> {
    for (const data of crossings) {
      try {
        await this.parts.onThreshold(accountId, data);
      } catch (error) {
        this.parts.onError(error);
      }
    }
  }
}
