// Who may read /metrics (SPEC §7, issue 9 item 16). Metrics describe traffic, accounts' upstream
// outcomes and the process; they are not public.
// - TOLLGATE_METRICS_TOKEN set: `Authorization: Bearer <token>` is required, compared in constant
//   time (both sides hashed first, so neither the length nor a prefix leaks through timing).
// - Unset: only loopback clients, judged by the socket's own peer address (never by
//   X-Forwarded-For, which a client writes). A loopback connection relaying a request for
//   someone else (a reverse proxy on the same host adds Forwarded / X-Forwarded-For / X-Real-IP)
//   is refused too: behind such a proxy, set the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { presentedCredential } from './authenticate.js';

const RELAY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function tokenMatches(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

/** Throws 401 (wrong or missing token) or 403 (not loopback) unless the caller may read metrics. */
export function assertMetricsAccess(request: FastifyRequest, token: string | undefined): void {
  if (token !== undefined) {
    if (!tokenMatches(presentedCredential(request), token)) throw new ApiError('invalid_token', { message: 'A valid metrics token is required.', suggestion: 'Send TOLLGATE_METRICS_TOKEN as a bearer token.' });
    return;
  }
  const relayed = RELAY_HEADERS.some((name) => request.headers[name] !== undefined);
  if (!isLoopbackAddress(request.socket.remoteAddress) || relayed) {
    throw new ApiError('forbidden', { message: 'Metrics are served to loopback clients only.', suggestion: 'Set TOLLGATE_METRICS_TOKEN to scrape from elsewhere.' });
  }
}
