// CORS for the data plane (Fetch standard, "CORS protocol"), so that a web page on one of a key's
// allowed origins can call Tollgate from the browser. A preflight carries no key, so it cannot be
// checked against the key's origins: it is answered for any origin, and the real request is then
// checked (403 origin_not_allowed) — with the CORS headers on that answer too, so the page can
// read why. No cookies are involved, so credentials mode is never allowed. A preflight is answered
// alike on every path outside Tollgate's own space, whether or not some account has a route there
// (issue 9 item 15): its answer must not tell which paths are routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isOwnPath } from '../core/route-match.js';
import { isOpenAiPath } from '../http/planes.js';
import { passesToUpstream } from '../upstream/route-headers.js';

// Always allowed: the key's two headers and what OpenAI's SDKs send. A preflight may ask for more
// (SDK helpers add their own, e.g. x-stainless-helper-method): any well-formed name a route would
// pass upstream is allowed too — never one Tollgate drops or sets itself (forwarding, method or
// URL overrides). No credentials mode, so an allowed header grants nothing without a key.
const ALWAYS_ALLOWED = ['authorization', 'x-api-key', 'content-type', 'x-request-id', 'openai-organization', 'openai-project', 'x-stainless-arch', 'x-stainless-lang', 'x-stainless-os', 'x-stainless-package-version', 'x-stainless-retry-count', 'x-stainless-runtime', 'x-stainless-runtime-version', 'x-stainless-timeout'];
const HEADER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAX_REQUESTED_HEADERS = 32;
const EXPOSED_HEADERS = 'x-request-id, retry-after, ratelimit, ratelimit-policy, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens';

function originOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin.length > 0 && origin.length <= 2048 ? origin : undefined;
}

/** The always-allowed headers, plus those the preflight asks for that the data plane's rules allow. */
function allowedHeaders(requested: string | string[] | undefined): string[] {
  const asked = (Array.isArray(requested) ? requested.join(',') : (requested ?? '')).split(',').map((name) => name.trim().toLowerCase());
  const extra = asked.slice(0, MAX_REQUESTED_HEADERS).filter((name) => HEADER_NAME.test(name) && passesToUpstream(name) && !ALWAYS_ALLOWED.includes(name));
  return [...ALWAYS_ALLOWED, ...new Set(extra)];
}

export function registerDataPlaneCors(app: FastifyInstance, configuredRoutePaths: readonly string[]): void {
  app.addHook('onRequest', async function answerPreflight(request, reply) {
    if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) return;
    const origin = originOf(request);
    const path = request.url.split('?')[0] ?? '/';
    const mayBeDataPath = isOpenAiPath(path) || !isOwnPath(path, configuredRoutePaths);
    if (!origin || !mayBeDataPath) return;
    return reply
      .status(204)
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', 'GET, HEAD, POST, PUT, PATCH, DELETE')
      .header('access-control-allow-headers', allowedHeaders(request.headers['access-control-request-headers']).join(', '))
      .header('access-control-max-age', '600')
      .header('vary', 'Origin')
      .send();
  });

  app.addHook('onSend', async function addCorsHeaders(request, reply) {
    const origin = originOf(request);
    if (!origin || request.routeOptions.config?.plane !== 'data') return;
    reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED_HEADERS).header('vary', 'Origin');
  });
}
