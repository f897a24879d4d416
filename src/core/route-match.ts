// Plain HTTP routes (SPEC §1): a route's path is a prefix on Tollgate. `/v1/positions` matches
// `/v1/positions` and `/v1/positions/…`, never `/v1/positionsx`; the longest prefix wins. Paths
// are matched once decoded (src/core/request-path.ts). Pure.
import { parseRequestPath } from './request-path.js';

export interface RoutePattern {
  path: string;
  methods: readonly string[];
}

export function normalizeRoutePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export function pathMatches(prefix: string, path: string): boolean {
  const p = normalizeRoutePath(prefix);
  return p === '/' || path === p || path.startsWith(`${p}/`);
}

/** The best route for a path, and whether its methods allow this one (HEAD rides on GET). */
export function matchRoute<R extends RoutePattern>(routes: readonly R[], path: string): R | undefined {
  let best: R | undefined;
  for (const route of routes) {
    if (!pathMatches(route.path, path)) continue;
    if (!best || normalizeRoutePath(route.path).length > normalizeRoutePath(best.path).length) best = route;
  }
  return best;
}

export function methodAllowed(route: RoutePattern, method: string): boolean {
  const upper = method.toUpperCase();
  return route.methods.some((m) => m.toUpperCase() === upper || (upper === 'HEAD' && m.toUpperCase() === 'GET'));
}

/** Prefixes Tollgate serves itself: a stored route there would shadow (or be shadowed by) the product. */
export const RESERVED_PREFIXES = ['/api', '/admin', '/v1/chat', '/v1/responses', '/v1/embeddings', '/v1/models', '/healthz', '/readyz', '/metrics', '/docs', '/openapi.json', '/console'];

/**
 * A path in Tollgate's own space that none of the config file's routes claims: no account can
 * have a route there, so it may be answered without a key (issue 9 item 15) and that answer
 * tells nothing about any account. A path that does not decode is not (it is refused later).
 */
export function isOwnPath(rawPath: string, configuredRoutePaths: readonly string[]): boolean {
  const parsed = parseRequestPath(rawPath);
  if (!parsed.ok) return false;
  const path = parsed.value.path;
  return RESERVED_PREFIXES.some((reserved) => pathMatches(reserved, path)) && !configuredRoutePaths.some((route) => pathMatches(route, path));
}
