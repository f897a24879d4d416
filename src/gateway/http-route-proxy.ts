// Plain HTTP routes (SPEC §1, §4): a path prefix on Tollgate mapped to an `http` provider. The same
// key pipeline as the OpenAI endpoints, then the route's methods and scopes, its per-request cost,
// and a streamed pass-through: the key header is stripped (the upstream never sees the key) and
// X-Tollgate-Account-Id / X-Tollgate-Key-Id tell the upstream who called. Tollgate's own errors
// use Tollgate's envelope; the upstream's answers (any status) pass through untouched. The path is
// decoded once and refused if it could be read as another path, and the upstream URL never leaves
// `base_url + route.path` (issue 9 item 2).
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { parseRequestPath } from '../core/request-path.js';
import { matchRoute, methodAllowed, pathMatches } from '../core/route-match.js';
import { encodeRoutePath, routeUpstreamPath } from '../core/route-upstream-url.js';
import { hasScopes } from '../core/scopes.js';
import type { Services } from '../services.js';
import { authenticateKey } from './authenticate-key.js';
import type { CatalogSnapshot, ProviderDef, RouteDef } from './catalog.js';
import { CLIENT_CLOSED_STATUS, DataPlaneCall, statusOf } from './data-plane-call.js';
import { ClientGone, failureError } from './forward-upstream.js';
import { abortOnClientClose } from './openai-proxy.js';

// RFC 9110 §7.6.1 hop-by-hop fields, plus what must never cross: the caller's credentials, and
// identity headers only Tollgate may set.
const REQUEST_HEADERS_DROPPED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length', 'authorization', 'x-api-key', 'proxy-authorization', 'cookie']);
const RESPONSE_HEADERS_DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-request-id']);

export function registerHttpRoutes(app: FastifyInstance, services: Services): void {
  // Its own encapsulated context: bodies of any type pass through as bytes, unparsed.
  void app.register(async function plainHttpRoutes(scope) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.all('/*', { schema: { hide: true }, config: { plane: 'data' } }, (request, reply) => proxyHttpRoute(services, request, reply));
  });
}

const noRoute = (request: FastifyRequest) => new ApiError('not_found', { message: `No route for ${request.method} ${request.url.split('?')[0]}.` });

export async function proxyHttpRoute(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const [rawPath, query] = splitUrl(request.url);
  const parsed = parseRequestPath(rawPath);
  if (!parsed.ok) throw new ApiError('invalid_request', { message: `The request path ${parsed.reason}.` });
  const path = parsed.value.path;
  // A path no route of any owner can match is a plain 404, before any key check.
  if (!(await services.gateway.catalog.allRoutePaths()).some((prefix) => pathMatches(prefix, path))) throw noRoute(request);

  // 1–5. The key pipeline.
  const key = await authenticateKey(services, request);
  const catalog = await services.gateway.catalog.forAccount(key.accountId);
  const route = routeFor(catalog, path);
  const upstreamPath = route && routeUpstreamPath(route.path, parsed.value);
  if (!route || upstreamPath === undefined) throw noRoute(request);
  const call = new DataPlaneCall(services, request.id, key, { model: null, route: route.path });
  const signal = abortOnClientClose(reply);
  try {
    // 6. Methods and scopes.
    if (!methodAllowed(route, request.method)) throw new ApiError('method_not_allowed', { headers: { allow: route.methods.join(', ') } });
    if (!hasScopes(key.scopes, route.scopes)) throw new ApiError('forbidden', { message: `This key lacks a scope this route requires (${route.scopes.join(', ')}).` });
    const provider = catalog.providers.find((p) => p.name === route.provider && p.owner === route.owner && p.type === 'http');
    if (!provider) throw new ApiError('unavailable', { message: 'This route has no upstream configured.' });

    // 7–8. Rate limits and the route's per-request cost.
    await call.admit(reply, { price: { kind: 'route', routeId: route.id, cost: route.cost }, estimatedInputTokens: 0, maxOutputTokens: 0 });

    // 10. Upstream, streamed both ways.
    call.target = { provider: provider.name, model: route.path };
    const result = await services.gateway.upstream.send({
      provider,
      path: query === undefined ? upstreamPath : `${upstreamPath}?${query}`,
      within: encodeRoutePath(route.path),
      method: request.method,
      headers: upstreamHeaders(request, provider, key.accountId, key.id),
      body: Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined,
      signal,
    });
    services.gateway.metrics.upstreamDuration.observe({ provider: provider.name, outcome: result.ok ? String(result.status) : result.failure }, (performance.now() - result.startedMs) / 1000);
    if (!result.ok) throw failureError(result.failure);

    // 11. Settle when the body has been relayed (or the client left).
    const status = result.status;
    result.body.once('close', () => {
      const outcome = signal.aborted ? 'aborted' : status < 500 ? 'ok' : 'failed';
      void call.finish(signal.aborted ? CLIENT_CLOSED_STATUS : status, outcome, { inputTokens: 0, outputTokens: 0 });
    });
    return reply.status(status).headers(responseHeaders(result.headers, provider)).send(result.body);
  } catch (error) {
    if (error instanceof ClientGone) {
      await call.finish(CLIENT_CLOSED_STATUS, 'aborted', null);
      return reply.status(CLIENT_CLOSED_STATUS).send();
    }
    await call.finish(statusOf(error), 'failed', null);
    throw error;
  }
}

function splitUrl(url: string): [string, string | undefined] {
  const index = url.indexOf('?');
  return index < 0 ? [url, undefined] : [url.slice(0, index), url.slice(index + 1)];
}

/** The account's own routes first; then server-wide ones. */
function routeFor(catalog: CatalogSnapshot, path: string): RouteDef | undefined {
  return matchRoute(catalog.routes.filter((r) => r.owner === 'account'), path) ?? matchRoute(catalog.routes.filter((r) => r.owner === 'server'), path);
}

function upstreamHeaders(request: FastifyRequest, provider: ProviderDef, accountId: string, keyId: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || REQUEST_HEADERS_DROPPED.has(name) || name.startsWith('x-tollgate-')) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  headers['x-tollgate-account-id'] = accountId;
  headers['x-tollgate-key-id'] = keyId;
  headers['x-request-id'] = request.id;
  const forwardedFor = request.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.ip}` : request.ip;
  if (provider.secret) headers.authorization = `Bearer ${provider.secret}`;
  return headers;
}

function responseHeaders(upstream: IncomingHttpHeaders, provider: ProviderDef): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || RESPONSE_HEADERS_DROPPED.has(name)) continue;
    headers[name] = value;
  }
  // Redirects are not followed, and a Location must not reveal the upstream's address.
  const location = upstream.location;
  if (typeof location === 'string') {
    try {
      const target = new URL(location, provider.baseUrl);
      if (target.origin === new URL(provider.baseUrl).origin) headers.location = target.pathname + target.search;
    } catch {
      delete headers.location;
    }
  }
  return headers;
}
