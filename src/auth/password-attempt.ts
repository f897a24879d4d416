// One password check under the guess budgets (SPEC §4; issue 9 items 7 and 12). The attempt takes
// a slot in the user's (per-email) and the client address's windows BEFORE the password is
// verified: parallel guesses cannot all pass a check that only counts afterwards, at most `max`
// guesses per window are ever verified, and a right password arriving over the limit is refused
// unverified. A success hands its slots back (it was not a guess); a failure keeps them.
import type { Throttles } from './throttles.js';

export type PasswordAttempt = { ok: true } | { ok: false; reason: 'incorrect' } | { ok: false; reason: 'throttled'; retryAfterS: number };

export interface AttemptKeys {
  /** The account whose password is tried: its email, trimmed and lower-cased (known or not). */
  email: string;
  /** The client address (request.ip, which honours TOLLGATE_TRUST_PROXY). */
  address: string;
}

export async function attemptPassword(throttles: Throttles, keys: AttemptKeys, verify: () => Promise<boolean>): Promise<PasswordAttempt> {
  const byEmail = throttles.loginByEmail.reserve(keys.email);
  const byAddress = throttles.loginByAddress.reserve(keys.address);
  if (!byEmail.ok || !byAddress.ok) {
    // Refused unverified: whichever slot was taken is handed back, as no guess was made.
    if (byEmail.ok) byEmail.release();
    if (byAddress.ok) byAddress.release();
    const retryAfterS = Math.max(byEmail.ok ? 0 : byEmail.retryAfterS, byAddress.ok ? 0 : byAddress.retryAfterS);
    return { ok: false, reason: 'throttled', retryAfterS };
  }
  if (!(await verify())) return { ok: false, reason: 'incorrect' };
  byEmail.release();
  byAddress.release();
  return { ok: true };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
