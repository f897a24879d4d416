// credits.low (SPEC §9): an endpoint hears it when a charge or a debit takes the account's balance
// from at or above the endpoint's `threshold` to below it. It is a crossing, decided in the
// transaction that moved the balance from the exact before and after of that one change, so it
// fires once per fall, never on every request below the line, and re-arms by itself: once a grant
// lifts the balance back over the threshold, the next fall crosses it again.
//
// Every settlement batch asks which thresholds watch each balance it charges, so the answer is
// remembered per account (CreditsLowThresholds): read once, inside the transaction that asked, then
// kept until an endpoint of the account is created, changed or deleted (`forget`, on this node and,
// over the Redis bus, on the others) or `ttlMs` passes — the bound for nodes that share a database
// without the bus. A read that was under way when an endpoint changed is not remembered.
import { Remembered, type RememberedOptions } from '../core/remembered.js';
import type { BalanceChangeHook } from '../credits/credit-ledger.js';
import type { StorageTransaction } from '../storage/storage.js';
import type { StoredEventPublisher } from './event-publisher.js';

/** The thresholds a balance change from `before` to `after` fell through. Pure. */
export function crossedThresholds(thresholds: ReadonlyArray<number | null>, before: number, after: number): number[] {
  if (after >= before) return [];
  const crossed = new Set<number>();
  for (const threshold of thresholds) if (threshold !== null && before >= threshold && after < threshold) crossed.add(threshold);
  return [...crossed].sort((a, b) => b - a);
}

/** Accounts without a credits.low endpoint (most of them): one frozen list. */
const NONE: readonly number[] = Object.freeze([]);

/** Each account's credits.low thresholds, as its endpoints last said. */
export class CreditsLowThresholds {
  private readonly known: Remembered<readonly number[]>;

  constructor(options: Omit<RememberedOptions, 'maxEntries'> & { maxAccounts?: number }) {
    this.known = new Remembered({ ...options, maxEntries: options.maxAccounts ?? 10_000 });
  }

  /** The account's thresholds: remembered, else read through `tx`. */
  of(tx: StorageTransaction, accountId: string): Promise<readonly number[]> {
    return this.known.get(accountId, async () => {
      const thresholds: number[] = [];
      for (const endpoint of await tx.webhookEndpoints.listByAccount(accountId)) {
        if (endpoint.threshold !== null && endpoint.events.includes('credits.low')) thresholds.push(endpoint.threshold);
      }
      return thresholds.length === 0 ? NONE : thresholds;
    });
  }

  /** An endpoint of this account (of any account: no argument) was created, changed or deleted. */
  forget(accountId?: string): void {
    this.known.forget(accountId);
  }
}

export function creditsLowWatch(publisher: StoredEventPublisher, watched: CreditsLowThresholds): BalanceChangeHook {
  return async function watchBalance(tx, accountId) {
    const thresholds = await watched.of(tx, accountId);
    if (thresholds.length === 0) return null;
    return async function onBalanceChange(tx, before, after) {
      for (const threshold of crossedThresholds(thresholds, before, after)) {
        await publisher.publishTo(accountId, 'credits.low', { balance: after, previous_balance: before, threshold }, (e) => e.threshold === threshold, tx);
      }
    };
  };
}
