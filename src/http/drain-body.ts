// A request refused before its body was read (a bad key, a body over the limit) still has bytes
// on the way. Closing the connection at once makes the kernel answer them with a reset, and a
// client that writes its whole body before reading (Python's http.client, most blocking SDKs)
// then loses the 413 or 401 it was sent (issue 9 item 27). So the refusal goes out at once and
// the rest of the body is read and discarded — the lingering close of nginx and RFC 9112 §9.6 —
// up to a bound; the connection then stays usable. Past the bound, or when the declared length
// already exceeds it, the connection is closed (`Connection: close`) and the client must cope.
// The request timeout (Node's `requestTimeout`) bounds how long a drain may take.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/** Call before sending an error: arranges for the unread body to be drained, or the connection closed. */
export function lingerOnUnreadBody(request: FastifyRequest, reply: FastifyReply, maxBytes: number = MAX_DRAIN_BYTES): void {
  const raw = request.raw;
  if (raw.complete || raw.readableEnded || raw.destroyed) return;
  const declared = Number(raw.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    reply.header('connection', 'close');
    return;
  }
  // Fastify asks for `Connection: close` after a body error; draining keeps the framing intact.
  reply.removeHeader('connection');
  let drained = 0;
  raw.on('data', function discardUnreadBody(chunk: Buffer) {
    drained += chunk.length;
    if (drained > maxBytes) raw.socket?.destroy();
  });
  raw.resume();
}
