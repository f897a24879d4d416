// Plain HTTP routes (SPEC §1, §4): a path prefix on Tollgate mapped to an `http` provider. The key
// is checked first on every path this catch-all serves, before the body is read, so whether some
// account has a route at a path never shows to a caller without a valid key (issue 9 item 15).
// Then the path is decoded once and refused if it could be read as another path (item 2), the
// route is found in the key's own account's view, its methods and scopes checked, its cost
// charged, and the request streamed through to `base_url + route.path + the rest`, never outside
// it. The key header is stripped and X-Tollgate-Account-Id / X-Tollgate-Key-Id tell the upstream
// who called (route-headers.ts). Tollgate's own errors use Tollgate's envelope; the upstream's
// answers (any status) pass through untouched. Steps 1–5, admission and settlement are the
// data-plane pipeline's (data-plane-pipeline.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { parseRequestPath } from '../core/request-path.js';
import { isOwnPath, matchRoute, methodAllowed } from '../core/route-match.js';
import { encodeRoutePath, routeUpstreamPath } from '../core/route-upstream-url.js';
import { hasScopes } from '../core/scopes.js';
import type { CatalogSnapshot, ProviderDef, RouteDef } from '../catalog/catalog.js';
import { failureError, logAttempt } from '../upstream/forward-upstream.js';
import { responseHeaders, upstreamHeaders } from '../upstream/route-headers.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { CLIENT_CLOSED_STATUS, type AdmissionInput, type CallEnding } from './data-plane-call.js';
import { dataPlaneRoute, registerDataPlane, type DataPlaneEndpoint, type PipelineDeps } from './data-plane-pipeline.js';

export interface HttpRouteDeps {
  /** The paths of the config file's routes (a preflight or 404 must not depend on any account). */
  configuredRoutePaths: readonly string[];
  catalogFor(accountId: string): Promise<CatalogSnapshot>;
  upstream: Pick<UpstreamClient, 'send'>;
  observeUpstream(provider: ProviderDef, outcome: string, seconds: number): void;
}

interface Found {
  subject: { model: null; route: string };
  catalog: CatalogSnapshot;
  route: RouteDef;
  upstreamPath: string;
  query: string | undefined;
}

export function registerHttpRoutes(app: FastifyInstance, pipeline: PipelineDeps, deps: HttpRouteDeps): void {
  // Its own encapsulated context: bodies of any type pass through as bytes, unparsed.
  void app.register(async function plainHttpRoutes(scope) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    // Tollgate's own space (/api, /admin, …) holds no account's route: an unknown path there is a
    // plain 404 that depends on no account, so control-plane callers are not asked for an API key.
    scope.addHook('onRequest', async function notFoundInOwnSpace(request) {
      if (isOwnPath(splitUrl(request.url)[0], deps.configuredRoutePaths)) throw noRoute(request);
    });
    registerDataPlane(scope, pipeline);
    scope.all('/*', { schema: { hide: true }, config: { plane: 'data' }, ...dataPlaneRoute(pipeline, httpRouteEndpoint(deps)) });
  });
}

const noRoute = (request: FastifyRequest) => new ApiError('not_found', { message: `No route for ${request.method} ${request.url.split('?')[0]}.` });

export function httpRouteEndpoint(deps: HttpRouteDeps): DataPlaneEndpoint<Found, { provider: ProviderDef; admission: AdmissionInput }> {
  return {
    /** The path decoded once, then the route in the key's account's view (a 404 is not a call). */
    locate: async function findRoute(request, key) {
      const [rawPath, query] = splitUrl(request.url);
      const parsed = parseRequestPath(rawPath);
      if (!parsed.ok) throw new ApiError('invalid_request', { message: `The request path ${parsed.reason}.` });
      const catalog = await deps.catalogFor(key.accountId);
      const route = routeFor(catalog, parsed.value.path);
      const upstreamPath = route && routeUpstreamPath(route.path, parsed.value);
      if (!route || upstreamPath === undefined) throw noRoute(request);
      return { subject: { model: null, route: route.path }, catalog, route, upstreamPath, query };
    },
    // 6. Methods and scopes; then the route's per-request cost.
    authorize: function checkRoute({ route, catalog }, key, request) {
      if (!methodAllowed(route, request.method)) throw new ApiError('method_not_allowed', { headers: { allow: route.methods.join(', ') } });
      if (!hasScopes(key.scopes, route.scopes)) throw new ApiError('forbidden', { message: `This key lacks a scope this route requires (${route.scopes.join(', ')}).` });
      const provider = catalog.providers.find((p) => p.name === route.provider && p.owner === route.owner && p.type === 'http');
      if (!provider) throw new ApiError('unavailable', { message: 'This route has no upstream configured.' });
      return { provider, admission: { price: { kind: 'route', routeId: route.id, cost: route.cost }, estimatedInputTokens: 0, maxOutputTokens: 0 } };
    },
    // 10. Upstream, streamed both ways; the call ends when the body has been relayed (or the client left).
    handle: async function proxyHttpRoute({ key, call, plan, signal, span }, request, reply) {
      const { route, provider, upstreamPath, query } = plan;
      call.target = { provider: provider.name, model: route.path };
      const result = await deps.upstream.send({
        provider,
        path: query === undefined ? upstreamPath : `${upstreamPath}?${query}`,
        within: encodeRoutePath(route.path),
        method: request.method,
        headers: upstreamHeaders(request, { accountId: key.accountId, keyId: key.id, secret: provider.secret }),
        body: Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined,
        signal,
        trace: span,
      });
      deps.observeUpstream(provider, result.ok ? String(result.status) : result.failure, (performance.now() - result.startedMs) / 1000);
      if (!result.ok) {
        if (result.failure !== 'aborted') logAttempt(request.log, provider, result.failure);
        throw failureError(result.failure);
      }
      const status = result.status;
      call.endsWhen(
        new Promise<CallEnding>((resolve) =>
          result.body.once('close', () => {
            const outcome = signal.aborted ? 'aborted' : status < 500 ? 'ok' : 'failed';
            resolve({ status: signal.aborted ? CLIENT_CLOSED_STATUS : status, outcome, usage: { inputTokens: 0, outputTokens: 0 } });
          }),
        ),
      );
      return reply.status(status).headers(responseHeaders(result.headers, { requested: result.url, baseUrl: provider.baseUrl, routePath: route.path })).send(result.body);
    },
  };
}

function splitUrl(url: string): [string, string | undefined] {
  const index = url.indexOf('?');
  return index < 0 ? [url, undefined] : [url.slice(0, index), url.slice(index + 1)];
}

/** The account's own routes first; then server-wide ones. */
function routeFor(catalog: CatalogSnapshot, path: string): RouteDef | undefined {
  return matchRoute(catalog.routes.filter((r) => r.owner === 'account'), path) ?? matchRoute(catalog.routes.filter((r) => r.owner === 'server'), path);
}
