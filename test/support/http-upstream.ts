// A plain HTTP upstream for route tests: records every request (method, path, headers, body) and
// answers with JSON describing what it saw, or a configured status; `…/redirect?to=<location>`
// answers 302 with that Location.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpUpstream {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startHttpUpstream(): Promise<HttpUpstream> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const seen = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      requests.push(seen);
      if (seen.path.startsWith('/v1/positions/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'no such body' }));
        return;
      }
      if (seen.path.startsWith('/v1/positions/moved')) {
        res.writeHead(302, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/positions/elsewhere` }).end();
        return;
      }
      const redirect = /\/redirect\?to=(.*)$/.exec(seen.path);
      if (redirect) {
        res.writeHead(302, { location: decodeURIComponent(redirect[1]!) }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'ephemeris' }).end(JSON.stringify({ ok: true, method: seen.method, path: seen.path, body: seen.body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
