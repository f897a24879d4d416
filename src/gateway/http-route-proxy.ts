// Plain HTTP routes (SPEC §1, §4): a path prefix on Tollgate mapped to an `http` provider. The key
// is checked first on every path this catch-all serves, before the body is read, so whether some
// account has a route at a path never shows to a caller without a valid key (issue 9 item 15).
// Then the path is decoded once and refused if it could be read as another path (item 2), the
// route is found in the key's own account's view, its methods and scopes checked, its cost
// charged, and the request streamed through to `base_url + route.path + the rest`, never outside
// it. The key header is stripped and X-Tollgate-Account-Id / X-Tollgate-Key-Id tell the upstream
// who called (route-headers.ts). Tollgate's own errors use Tollgate's envelope; the upstream's
// answers (any status) pass through untouched.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { parseRequestPath } from '../core/request-path.js';
import { isOwnPath, matchRoute, methodAllowed } from '../core/route-match.js';
import { encodeRoutePath, routeUpstreamPath } from '../core/route-upstream-url.js';
import { hasScopes } from '../core/scopes.js';
import type { Services } from '../services.js';
import type { CatalogSnapshot, RouteDef } from '../catalog/catalog.js';
import { CLIENT_CLOSED_STATUS, DataPlaneCall, statusOf } from './data-plane-call.js';
import { clientRequestIdOf } from '../http/request-id.js';
import { ClientGone, failureError } from '../upstream/forward-upstream.js';
import { registerKeyCheck, requestKey } from './key-check-hook.js';
import { abortOnClientClose } from './openai-proxy.js';
import { responseHeaders, upstreamHeaders } from '../upstream/route-headers.js';

export function registerHttpRoutes(app: FastifyInstance, services: Services): void {
  const configuredRoutePaths = services.config.file.routes.map((route) => route.path);
  // Its own encapsulated context: bodies of any type pass through as bytes, unparsed.
  void app.register(async function plainHttpRoutes(scope) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    // Tollgate's own space (/api, /admin, …) holds no account's route: an unknown path there is a
    // plain 404 that depends on no account, so control-plane callers are not asked for an API key.
    scope.addHook('onRequest', async function notFoundInOwnSpace(request) {
      if (isOwnPath(splitUrl(request.url)[0], configuredRoutePaths)) throw noRoute(request);
    });
    registerKeyCheck(scope, services);
    scope.all('/*', { schema: { hide: true }, config: { plane: 'data' } }, function plainHttpRoute(request, reply) {
      return proxyHttpRoute(services, request, reply);
    });
  });
}

const noRoute = (request: FastifyRequest) => new ApiError('not_found', { message: `No route for ${request.method} ${request.url.split('?')[0]}.` });

export async function proxyHttpRoute(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // 1–5. The key, checked by the scope's hook before the body was read.
  const key = requestKey(request);
  const [rawPath, query] = splitUrl(request.url);
  const parsed = parseRequestPath(rawPath);
  if (!parsed.ok) throw new ApiError('invalid_request', { message: `The request path ${parsed.reason}.` });
  const catalog = await services.gateway.catalog.forAccount(key.accountId);
  const route = routeFor(catalog, parsed.value.path);
  const upstreamPath = route && routeUpstreamPath(route.path, parsed.value);
  if (!route || upstreamPath === undefined) throw noRoute(request);
  const call = new DataPlaneCall(services, request.id, key, { model: null, route: route.path });
  call.clientRequestId = clientRequestIdOf(request) ?? null;
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
      headers: upstreamHeaders(request, { accountId: key.accountId, keyId: key.id, secret: provider.secret }),
      body: Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined,
      signal,
    });
    services.gateway.metrics.observeUpstream(provider, result.ok ? String(result.status) : result.failure, (performance.now() - result.startedMs) / 1000);
    if (!result.ok) throw failureError(result.failure);

    // 11. Settle when the body has been relayed (or the client left).
    const status = result.status;
    result.body.once('close', () => {
      const outcome = signal.aborted ? 'aborted' : status < 500 ? 'ok' : 'failed';
      void call.finish(signal.aborted ? CLIENT_CLOSED_STATUS : status, outcome, { inputTokens: 0, outputTokens: 0 });
    });
    return reply.status(status).headers(responseHeaders(result.headers, { requested: result.url, baseUrl: provider.baseUrl, routePath: route.path })).send(result.body);
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
