// X-Request-Id: a client-supplied id is kept if it is well-formed (printable, bounded), so a
// caller can trace its own request through our logs; otherwise we mint `req_…`.
import type { IncomingMessage } from 'node:http';
import { newId } from '../core/ids.js';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(request: IncomingMessage): string {
  const supplied = request.headers['x-request-id'];
  return typeof supplied === 'string' && WELL_FORMED.test(supplied) ? supplied : newId('req', 20);
}
