// The cookie that carries one SSO sign-in attempt (src/auth/sso-attempt.ts) from /start to
// /callback: HttpOnly, scoped to /api/v1/auth/sso, short-lived, and SameSite=Lax because the
// callback is a top-level navigation from the issuer's site, which a Strict cookie would not follow.
// Lax still keeps it off cross-site subrequests and POSTs.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SSO_ATTEMPT_TTL_MS } from '../auth/sso-attempt.js';

export const SSO_ATTEMPT_COOKIE = 'tollgate_sso';
export const SSO_ATTEMPT_PATH = '/api/v1/auth/sso';

function cookieOptions(request: FastifyRequest) {
  // SameSite=Lax, not Strict: the callback is a top-level navigation coming from the issuer's
  // site, which a Strict cookie would not accompany. Lax still keeps it off cross-site subrequests.
  return { path: SSO_ATTEMPT_PATH, httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' };
}

export function setAttemptCookie(request: FastifyRequest, reply: FastifyReply, sealed: string): void {
  reply.setCookie(SSO_ATTEMPT_COOKIE, sealed, { ...cookieOptions(request), maxAge: SSO_ATTEMPT_TTL_MS / 1000 });
}

export function clearAttemptCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SSO_ATTEMPT_COOKIE, cookieOptions(request));
}

export function attemptCookieOf(request: FastifyRequest): string | undefined {
  return request.server.parseCookie(request.headers.cookie ?? '')[SSO_ATTEMPT_COOKIE];
}
