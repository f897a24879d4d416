// When a failed webhook attempt is tried again (SPEC §9), after Svix's schedule: the first retry
// 5 s after the first failure (well within SPEC's 60 s), then 5 min, 30 min, 2 h, 5 h, 10 h and
// 10 h — 27 h 35 min in all, so a receiver that is down for a day still gets the message. After
// the eighth failed attempt the message is `failed` (a manual retry can still queue it). Pure.
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];

/** The delay before the next attempt after `attemptsMade` attempts all failed, or null: give up. */
export function retryDelayMs(attemptsMade: number): number | null {
  return RETRY_DELAYS_MS[attemptsMade - 1] ?? null;
}
