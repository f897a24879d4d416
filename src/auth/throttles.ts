// The control plane's attempt budgets (SPEC §4: sign-in throttled per email and per client
// address, 429 + Retry-After). The per-email budget is the user's password-guess budget: sign-in,
// password change and self-deletion all spend it, so a stolen 15-minute access token is not an
// unthrottled password oracle. Registration costs an argon2id hash, so it has a per-address budget.
import { AttemptLimiter, type AttemptLimit } from './attempt-limiter.js';

export const LOGIN_LIMIT_PER_EMAIL = 10;
export const REGISTRATION_LIMIT_PER_ADDRESS = 30;

export interface ThrottleLimits {
  loginPerEmail: AttemptLimit;
  loginPerAddress: AttemptLimit;
  registrationPerAddress: AttemptLimit;
  keyRecovery: AttemptLimit;
}

export const DEFAULT_THROTTLE_LIMITS: Readonly<ThrottleLimits> = Object.freeze({
  loginPerEmail: { max: LOGIN_LIMIT_PER_EMAIL, windowMs: 15 * 60_000 },
  loginPerAddress: { max: 100, windowMs: 15 * 60_000 },
  // A shared office or campus address signs up a few dozen people an hour; a script, far more.
  registrationPerAddress: { max: REGISTRATION_LIMIT_PER_ADDRESS, windowMs: 60 * 60_000 },
  keyRecovery: { max: 10, windowMs: 60_000 },
});

export interface Throttles {
  loginByEmail: AttemptLimiter;
  loginByAddress: AttemptLimiter;
  registrationByAddress: AttemptLimiter;
  keyRecovery: AttemptLimiter;
}

export function buildThrottles(overrides: Partial<ThrottleLimits> = {}): Throttles {
  const limits = { ...DEFAULT_THROTTLE_LIMITS, ...overrides };
  return {
    loginByEmail: new AttemptLimiter(limits.loginPerEmail),
    loginByAddress: new AttemptLimiter(limits.loginPerAddress),
    registrationByAddress: new AttemptLimiter(limits.registrationPerAddress),
    keyRecovery: new AttemptLimiter(limits.keyRecovery),
  };
}
