// Plain HTTP routes (SPEC §1): a route's path is a prefix on Tollgate. `/v1/positions` matches
// `/v1/positions` and `/v1/positions/…`, never `/v1/positionsx`; the longest prefix wins. Paths
// are matched once decoded (src/core/request-path.ts). Pure.

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
