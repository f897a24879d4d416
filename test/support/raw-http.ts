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
  const rest = split >= 0 ? raw.slice(split + 4) : '';
  const body = headers['transfer-encoding'] === 'chunked' ? unchunk(Buffer.from(rest, 'latin1')) : Buffer.from(rest, 'latin1');
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: body.toString('utf8'), reset };
}

/** RFC 9112 §7.1 chunked transfer coding, without trailers. */
function unchunk(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    const size = lineEnd < 0 ? 0 : parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!size) return Buffer.concat(out);
    out.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function complete(raw: string): boolean {
  const answer = parse(raw, false);
  const length = Number(answer.headers['content-length'] ?? NaN);
  if (answer.headers['transfer-encoding'] === 'chunked') return raw.endsWith('0\r\n\r\n');
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

/**
 * One request with the request line written byte for byte (`..`, `%2e%2e` and backslashes reach
 * the server as they are, where fetch and app.inject would normalise them), `Connection: close`.
 */
export function rawHttp(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return rawRequest({ port: Number(port), head: `${lines.join('\r\n')}\r\n\r\n`, body: body || undefined });
}
