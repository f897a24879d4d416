// Which headers cross a plain HTTP route, each way. Towards the upstream: never the caller's
// credentials, hop-by-hop fields, identity headers only Tollgate may set, nor headers with which
// a caller could make the upstream (or a proxy in front of it) read another method, another URL
// or another client address (issue 9 item 17); the forwarding headers are set from what Tollgate
// itself knows. Back to the caller: no hop-by-hop fields, and a Location only when it stays
// inside the route (issue 9 item 14). A caller's trace context (`traceparent`, `tracestate`) never
// passes raw: with tracing on, the upstream receives Tollgate's own, in the caller's trace (SPEC §12).
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { routeLocation } from '../core/route-upstream-url.js';

// RFC 9110 §7.6.1 hop-by-hop fields, and the caller's credentials.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
const CREDENTIALS = ['authorization', 'x-api-key', 'proxy-authorization', 'cookie'];
// Read by common frameworks and proxies as the "real" method or URL (Symfony, Laravel, IIS
// URL Rewrite, Rails' Rack::MethodOverride, nginx auth setups) or the "real" client address.
const REWRITES = ['x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-method', 'x-original-url', 'x-original-uri', 'x-rewrite-url'];
const CLIENT_ADDRESS = ['forwarded', 'x-real-ip', 'x-client-ip', 'true-client-ip', 'x-cluster-client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'x-originating-ip', 'x-remote-ip', 'x-remote-addr', 'client-ip'];
// W3C Trace Context: https://www.w3.org/TR/trace-context/
const TRACE_CONTEXT = ['traceparent', 'tracestate'];
const REQUEST_DROPPED = new Set(['host', 'content-length', ...HOP_BY_HOP, ...CREDENTIALS, ...REWRITES, ...CLIENT_ADDRESS, ...TRACE_CONTEXT]);
const DROPPED_PREFIXES = ['x-tollgate-', 'x-forwarded-'];
const RESPONSE_DROPPED = new Set([...HOP_BY_HOP, 'x-request-id', 'location']);

export interface UpstreamIdentity {
  accountId: string;
  keyId: string;
  secret: string | null;
}

/** Whether a caller's request header (lower-case name) is passed on to a route's upstream. */
export function passesToUpstream(name: string): boolean {
  return !REQUEST_DROPPED.has(name) && !DROPPED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

export function upstreamHeaders(request: FastifyRequest, identity: UpstreamIdentity): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || !passesToUpstream(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  headers['x-tollgate-account-id'] = identity.accountId;
  headers['x-tollgate-key-id'] = identity.keyId;
  headers['x-request-id'] = request.id;
  // One hop, as Tollgate saw it: request.ip, protocol and host honour the trusted-proxy setting
  // and nothing else, so a caller cannot choose what the upstream reads here.
  headers['x-forwarded-for'] = request.ip;
  headers['x-forwarded-proto'] = request.protocol;
  headers['x-forwarded-host'] = request.host;
  if (identity.secret) headers.authorization = `Bearer ${identity.secret}`;
  return headers;
}

export interface RouteSpace {
  /** The URL requested upstream: a relative Location resolves against it. */
  requested: URL;
  baseUrl: string;
  routePath: string;
}

export function responseHeaders(upstream: IncomingHttpHeaders, space: RouteSpace): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value !== undefined && !RESPONSE_DROPPED.has(name)) headers[name] = value;
  }
  // Redirects are not followed; a Location must neither reveal the upstream's address nor lead
  // the caller to paths outside the route.
  const location = typeof upstream.location === 'string' ? routeLocation(upstream.location, space.requested, space.baseUrl, space.routePath) : undefined;
  if (location !== undefined) headers.location = location;
  return headers;
}
