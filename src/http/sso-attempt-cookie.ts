// The cookie that carries one SSO sign-in attempt (src/auth/sso-attempt.ts) from /start to
// /callback: HttpOnly, scoped to /api/v1/auth/sso, short-lived, and SameSite=Lax because the
// callback is a top-level navigation from the issuer's site, which a Strict cookie would not follow.
// Lax still keeps it off cross-site subrequests and POSTs.
import { SSO_ATTEMPT_TTL_MS } from '../auth/sso-attempt.js';
import { httpOnlyCookie } from './http-only-cookie.js';

const attemptCookie = httpOnlyCookie('tollgate_sso', { path: '/api/v1/auth/sso', sameSite: 'lax', ttlMs: SSO_ATTEMPT_TTL_MS });

export const setAttemptCookie = attemptCookie.set;
export const clearAttemptCookie = attemptCookie.clear;
export const attemptCookieOf = attemptCookie.read;
