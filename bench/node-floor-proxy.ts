// The Node floor: the least a Node gateway can do — check one fixed bearer key in constant time and
// stream the request and response through a keep-alive connection pool. Tollgate's overhead is
// judged against this. Standalone (node builtins only) so it runs as plain JavaScript after a
// type-strip; configured by FLOOR_UPSTREAM (origin), FLOOR_BEARER and FLOOR_PORT (0: any).
// Prints {"port": N} once listening.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';

const upstream = new URL(process.env.FLOOR_UPSTREAM ?? 'http://127.0.0.1:1');
// Comparing digests keeps timingSafeEqual's equal-length requirement from leaking the key length.
const expected = createHash('sha256').update(`Bearer ${process.env.FLOOR_BEARER ?? ''}`).digest();
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, noDelay: true });

// RFC 9110 §7.6.1: connection-specific fields are not forwarded; the client's key is not either.
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'authorization']);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!DROPPED.has(name)) out[name] = value;
  return out;
}

const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, function proxy(req, res) {
  const presented = createHash('sha256').update(req.headers.authorization ?? '').digest();
  if (!timingSafeEqual(presented, expected)) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"invalid api key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}');
    return;
  }
  const upstreamReq = request(
    { agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: forwardable(req.headers) },
    function relay(upstreamRes) {
      res.writeHead(upstreamRes.statusCode ?? 502, forwardable(upstreamRes.headers));
      upstreamRes.pipe(res);
    },
  );
  upstreamReq.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  // A client that leaves mid-stream must not keep the upstream busy.
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  req.pipe(upstreamReq);
});

server.listen(Number(process.env.FLOOR_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
