// Errors Node's HTTP parser raises before a request reaches Fastify — headers too large (431,
// RFC 6585 §5), a request that did not arrive within the request timeout (408), anything else
// malformed (400) — answered in Tollgate's error envelope with a request id, like every other
// error (SPEC §5), instead of Fastify's own JSON. The connection is closed afterwards: the parser
// cannot tell where the next request would start.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { ApiError, type ErrorCode } from '../core/errors.js';
import { newRequestId } from './request-id.js';

function codeFor(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'invalid_request';
}

/** The raw HTTP/1.1 response for a parser error, in the envelope. */
export function clientErrorResponse(error: NodeJS.ErrnoException, requestId: string): string {
  const apiError = new ApiError(codeFor(error));
  const body = JSON.stringify({ errors: apiError.details, meta: { request_id: requestId } });
  return [
    `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

export function clientErrorHandler(logger: FastifyBaseLogger) {
  return function handleClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const requestId = newRequestId();
    logger.debug({ err: { code: error.code, message: error.message }, requestId }, 'client error');
    // A response already under way on this socket (a refusal whose body is being drained) must
    // not be followed by a second one; the connection just ends.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) socket.write(clientErrorResponse(error, requestId));
    socket.destroy();
  };
}
