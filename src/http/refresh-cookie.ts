// The browser's refresh token: an HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth, so that
// a page (the console) keeps its session across reloads while no script can read the token
// (OWASP Session Management: HttpOnly, Secure, SameSite; RFC 6265bis §5.4.7 for SameSite).
//
// A client asks for it with `"use_cookie": true` on sign-in; refresh and logout then read the
// cookie when their body names no token. Reading the cookie needs a same-origin `Origin` header:
// SameSite=Strict already keeps other sites' requests from carrying it, and the Origin check closes
// what SameSite does not cover (a sibling subdomain, an old browser). API clients that send the
// token in the body are unaffected.
import type { FastifyRequest } from 'fastify';
import { REFRESH_TOKEN_TTL_MS } from '../auth/refresh-tokens.js';
import { ApiError } from '../core/errors.js';
import { httpOnlyCookie } from './http-only-cookie.js';

const refreshCookie = httpOnlyCookie('tollgate_refresh', { path: '/api/v1/auth', sameSite: 'strict', ttlMs: REFRESH_TOKEN_TTL_MS });

export const setRefreshCookie = refreshCookie.set;
export const clearRefreshCookie = refreshCookie.clear;

/** True when the request's Origin header names this server itself (scheme and host). */
export function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    const url = new URL(origin);
    return url.protocol === `${request.protocol}:` && url.host === request.host;
  } catch {
    return false;
  }
}

/**
 * The refresh token a cookie-mode request carries. Refused (403) from another origin or without an
 * Origin header; 401 when there is no cookie (unless `optional`).
 */
export function refreshTokenFromCookie(request: FastifyRequest): string;
export function refreshTokenFromCookie(request: FastifyRequest, options: { optional: true }): string | undefined;
export function refreshTokenFromCookie(request: FastifyRequest, options?: { optional: true }): string | undefined {
  if (!isSameOrigin(request)) {
    throw new ApiError('forbidden', {
      message: 'A refresh with the session cookie must come from this server\'s own origin.',
      suggestion: 'Send {"refresh_token": "…"} in the body, or call from the console\'s page.',
    });
  }
  const token = refreshCookie.read(request);
  if (!token && options?.optional) return undefined;
  if (!token) {
    throw new ApiError('invalid_token', { message: 'No refresh token: the body names none and no session cookie was sent.', suggestion: 'Sign in again.' });
  }
  return token;
}
