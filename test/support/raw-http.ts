// A raw HTTP/1.1 client over a TCP socket, for behaviour that `inject` and fetch hide: it writes
// the whole request (head and body) whatever the server does meanwhile, then reads the answer
// until the server closes or the response is complete. A reset comes back as `{ reset: true }`.
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  reset: boolean;
}

export interface RawRequest {
  port: number;
  head: string;
  body?: Buffer | string;
  /** Write the body in pieces of this size (default: all at once). */
  chunkBytes?: number;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Read nothing until the whole body is written, as a blocking client (Python's http.client) does. */
  readAfterBody?: boolean;
}

function parse(raw: string, reset: boolean): RawAnswer {
  const split = raw.indexOf('\r\n\r\n');
  const headText = split >= 0 ? raw.slice(0, split) : raw;
  const [statusLine = '', ...lines] = headText.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: split >= 0 ? raw.slice(split + 4) : '', reset };
}

function complete(raw: string): boolean {
  const answer = parse(raw, false);
  const length = Number(answer.headers['content-length'] ?? NaN);
  return raw.includes('\r\n\r\n') && Number.isFinite(length) && Buffer.byteLength(answer.body) >= length;
}

export function rawRequest(request: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(request.port, '127.0.0.1');
    let raw = '';
    let done = false;
    const finish = (reset: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(raw, reset));
    };
    const timer = setTimeout(() => finish(true), request.timeoutMs ?? 10_000);
    socket.on('data', (data) => {
      raw += data.toString('latin1');
      if (complete(raw)) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(false));
    if (request.readAfterBody) socket.pause();
    socket.on('connect', async () => {
      socket.write(request.head);
      const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
      if (!body) return;
      const step = request.chunkBytes ?? body.length;
      for (let at = 0; at < body.length && !done && !socket.destroyed; at += step) {
        if (!socket.write(body.subarray(at, at + step))) await new Promise((r) => socket.once('drain', r));
      }
      socket.resume();
    });
  });
}
