// Where a plain HTTP route's request may go upstream, and what of the upstream's redirects may come
// back (issue 9 items 2 and 14). A route's requests stay inside `base_url + route.path`: the URL is
// the base URL's path, the route's path, then the rest of the request path as received, and the
// URL as finally parsed (WHATWG, as undici parses it) must be exactly that, and inside it. A
// redirect's Location is relayed only when it stays inside that same upstream prefix, mapped back
// to the route's prefix on Tollgate. Pure.
import type { RequestPath } from './request-path.js';
import { normalizeRoutePath } from './route-match.js';

// RFC 3986 §3.3 pchar needs no encoding; anything else in a route's (decoded) path is encoded.
const NOT_PCHAR = /[^A-Za-z0-9\-._~!$&'()*+,;=:@]/gu;

function routeSegments(routePath: string): string[] {
  const path = normalizeRoutePath(routePath);
  return path === '/' ? [] : path.slice(1).split('/');
}

/** A route's path as it appears in a URL: "" for the root route, else "/a/b" percent-encoded. */
export function encodeRoutePath(routePath: string): string {
  return routeSegments(routePath)
    .map((segment) => `/${segment.replace(NOT_PCHAR, (c) => encodeURIComponent(c))}`)
    .join('');
}

/** True when `pathname` is `prefix` or below it ("" is the root, above everything). */
export function isInside(prefix: string, pathname: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * The path below the base URL for a request a route matched: the route's path, then the request's
 * segments after the route's, as received. Undefined if the request is not under the route.
 */
export function routeUpstreamPath(routePath: string, request: RequestPath): string | undefined {
  const route = routeSegments(routePath);
  if (request.segments.length < route.length || route.some((segment, i) => request.segments[i] !== segment)) return undefined;
  const rest = request.rawSegments.slice(route.length).map((segment) => `/${segment}`).join('');
  return `${encodeRoutePath(routePath)}${rest}` || '/';
}

/**
 * The upstream URL for `path` (which may carry "?query") below `baseUrl`, only if parsing it
 * changed nothing (no dot segment resolved, no backslash turned into a slash) and its path stays
 * inside the base URL's path + `within`. Undefined otherwise.
 */
export function upstreamUrlWithin(baseUrl: string, path: string, within = ''): URL | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  const query = path.indexOf('?');
  const pathname = basePath + (query < 0 ? path : path.slice(0, query));
  url.pathname = pathname;
  url.search = query < 0 ? '' : path.slice(query);
  url.hash = '';
  if (url.pathname !== pathname || !isInside(basePath + within, url.pathname)) return undefined;
  return url;
}

/**
 * A redirect's Location in the route's space on Tollgate, or undefined to drop it: another origin
 * (an internal address, credentials in the URL) is never relayed, nor a same-origin path outside
 * `base_url + route.path`. A relative reference resolves against the URL requested (RFC 9110
 * §10.2.2, RFC 3986 §5).
 */
export function routeLocation(location: string, requested: URL, baseUrl: string, routePath: string): string | undefined {
  let target: URL;
  try {
    target = new URL(location, requested);
  } catch {
    return undefined;
  }
  if (target.origin !== requested.origin || target.username || target.password) return undefined;
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, '') + encodeRoutePath(routePath);
  if (!isInside(prefix, target.pathname)) return undefined;
  return (encodeRoutePath(routePath) + target.pathname.slice(prefix.length) || '/') + target.search + target.hash;
}
