// credits.low (SPEC §9): an endpoint hears it when a charge or a debit takes the account's balance
// from at or above the endpoint's `threshold` to below it. It is a crossing, decided in the
// transaction that moved the balance from the exact before and after of that one change, so it
// fires once per fall, never on every request below the line, and re-arms by itself: once a grant
// lifts the balance back over the threshold, the next fall crosses it again.
import type { BalanceChangeHook } from '../credits/credit-ledger.js';
import type { StoredEventPublisher } from './event-publisher.js';

/** The thresholds a balance change from `before` to `after` fell through. Pure. */
export function crossedThresholds(thresholds: ReadonlyArray<number | null>, before: number, after: number): number[] {
  if (after >= before) return [];
  const crossed = new Set<number>();
  for (const threshold of thresholds) if (threshold !== null && before >= threshold && after < threshold) crossed.add(threshold);
  return [...crossed].sort((a, b) => b - a);
}

export function creditsLowWatch(publisher: StoredEventPublisher): BalanceChangeHook {
  return async function watchBalance(tx, accountId) {
    const thresholds = (await tx.webhookEndpoints.listByAccount(accountId)).filter((e) => e.events.includes('credits.low')).map((e) => e.threshold);
    if (thresholds.length === 0) return null;
    return async function onBalanceChange(tx, before, after) {
      for (const threshold of crossedThresholds(thresholds, before, after)) {
        await publisher.publishTo(accountId, 'credits.low', { balance: after, previous_balance: before, threshold }, (e) => e.threshold === threshold, tx);
      }
    };
  };
}
