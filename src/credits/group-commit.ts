// Group commit for the in-memory credit engine (memory-credit-engine.ts): settlements decided in
// memory are written together with the batch's usage records in one transaction every FLUSH_MS
// milliseconds, or at once when MAX_ENTRIES are waiting — one balance UPDATE per account and one
// commit per batch instead of two transactions per request. One batch is written at a time; what arrives
// meanwhile waits for the next. A settlement's promise resolves once its batch is committed (and
// what it announces is published).
//
// What a SIGKILL can lose is what has not been committed yet: the settlements of the last
// FLUSH_MS (plus the duration of one commit). Those are charges not yet taken — the balance in
// storage is then higher, never lower, than it should be — and their usage records.
import type { Logger } from 'pino';
import type { LedgerEntry } from '../storage/credits.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import { storeUsageRecords, type UsageRecord } from '../storage/usage-records.js';
import type { BalanceChangeHook } from './credit-ledger.js';
import type { SpendWrite } from './memory-budgets.js';

/** The batch window: the most a SIGKILL can lose (README "Credits", ARCHITECTURE.md). */
export const GROUP_COMMIT_FLUSH_MS = 5;
const MAX_ENTRIES = 500;

/** One settlement as storage must record it. */
export interface SettlementWrite {
  accountId: string;
  /** Whole credits charged (≥ 0). */
  credits: number;
  /** The account's carry after it (absolute: this node is the only writer). */
  carry: bigint;
  entry: LedgerEntry | null;
  spends: readonly SpendWrite[];
  /** Runs after the batch is committed (budget threshold announcements). */
  after: (() => Promise<void>) | null;
}

class Batch {
  readonly accounts = new Map<string, { credits: number; carry: bigint; entries: LedgerEntry[] }>();
  readonly spends = new Map<string, SpendWrite>();
  readonly usage: UsageRecord[] = [];
  readonly after: (() => Promise<void>)[] = [];
  size = 0;
  readonly committed: Promise<void>;
  resolve!: () => void;

  constructor() {
    this.committed = new Promise((resolve) => (this.resolve = resolve));
  }
}

export class GroupCommit {
  private pending = new Batch();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    private readonly onBalanceChange?: BalanceChangeHook,
  ) {}

  /** Queues a settlement; resolves once it is stored. */
  settlement(write: SettlementWrite): Promise<void> {
    const batch = this.pending;
    const account = batch.accounts.get(write.accountId);
    if (account) {
      account.credits += write.credits;
      account.carry = write.carry;
      if (write.entry) account.entries.push(write.entry);
    } else {
      batch.accounts.set(write.accountId, { credits: write.credits, carry: write.carry, entries: write.entry ? [write.entry] : [] });
    }
    for (const spend of write.spends) {
      const key = `${spend.scope}\u0000${spend.ownerId}\u0000${spend.periodStart}`;
      const known = batch.spends.get(key);
      if (known) {
        known.spent += spend.spent;
        known.announced = Math.max(known.announced, spend.announced);
      } else batch.spends.set(key, Object.assign({}, spend));
    }
    if (write.after) batch.after.push(write.after);
    this.added(batch);
    return batch.committed;
  }

  /** Queues a usage record into the next batch. */
  usage(record: UsageRecord): void {
    this.pending.usage.push(record);
    this.added(this.pending);
  }

  /** Writes everything queued so far; resolves when it is stored (or given up on, logged). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (batch.size === 0) return this.writing;
    this.pending = new Batch();
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private added(batch: Batch): void {
    batch.size += 1;
    if (batch.size >= MAX_ENTRIES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), GROUP_COMMIT_FLUSH_MS);
  }

  private async write(batch: Batch): Promise<void> {
    const at = new Date().toISOString();
    try {
      await this.storage.transaction(async (tx) => {
        await this.writeIn(tx, batch, at);
        await storeUsageRecords(tx, batch.usage);
      });
    } catch (error) {
      // One bad part (an account deleted meanwhile) must not lose the others: each part alone.
      this.logger.warn({ err: error }, 'a group commit failed; writing its parts one by one');
      await this.writeParts(batch, at);
      await this.writeUsage(batch.usage);
    }
    // Announced before the settlements resolve, so whoever waits for them (shutdown) waits for these too.
    for (const after of batch.after) await after();
    batch.resolve();
  }

  private async writeIn(tx: StorageTransaction, batch: Batch, at: string): Promise<void> {
    for (const [accountId, account] of batch.accounts) await this.writeAccount(tx, accountId, account, at);
    await tx.budgets.addSpends([...batch.spends.values()], at);
  }

  /** The usage records of a batch whose commit failed, on their own; a bad one is written around, row by row. */
  private async writeUsage(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await storeUsageRecords(this.storage, records);
    } catch {
      for (const record of records) {
        try {
          await storeUsageRecords(this.storage, [record]);
        } catch (error) {
          this.logger.warn({ err: { message: (error as Error).message }, requestId: record.requestId }, 'could not write a usage record');
        }
      }
    }
  }

  private async writeAccount(tx: StorageTransaction, accountId: string, account: { credits: number; carry: bigint; entries: LedgerEntry[] }, at: string): Promise<void> {
    const listener = account.credits > 0 ? await this.onBalanceChange?.(tx, accountId) : null;
    const balance = await tx.credits.applyCharges(accountId, account.credits, account.carry, at);
    if (balance === undefined) throw new Error(`group commit found no balance for account ${accountId}`);
    await tx.credits.insertLedgerEntries(account.entries);
    await listener?.(tx, balance + account.credits, balance);
  }

  private async writeParts(batch: Batch, at: string): Promise<void> {
    const parts: [string, (tx: StorageTransaction) => Promise<void>][] = [];
    for (const [accountId, account] of batch.accounts) parts.push([`charges of ${accountId}`, (tx) => this.writeAccount(tx, accountId, account, at)]);
    for (const spend of batch.spends.values()) parts.push([`budget spend of ${spend.ownerId}`, (tx) => tx.budgets.addSpends([spend], at)]);
    for (const [what, part] of parts) {
      try {
        await this.storage.transaction(part);
      } catch (error) {
        this.logger.error({ err: error }, `could not store the ${what}`);
      }
    }
  }
}
