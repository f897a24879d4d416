// Request ids. Every request gets Tollgate's own `req_…` id: it keys the ledger, usage records,
// audit events and logs, so a client can never make two requests share one (issue 9 item 26).
// A client-supplied X-Request-Id that is well-formed (printable, bounded) is kept for
// correlation: echoed in the response's X-Request-Id (SPEC §5) and stored beside ours.
import type { FastifyRequest } from 'fastify';
import { newId } from '../core/ids.js';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

export function newRequestId(): string {
  return newId('req', 20);
}

/** The caller's own X-Request-Id, if well-formed; never used as a key. */
export function clientRequestIdOf(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const supplied = request.headers['x-request-id'];
  return typeof supplied === 'string' && WELL_FORMED.test(supplied) ? supplied : undefined;
}
