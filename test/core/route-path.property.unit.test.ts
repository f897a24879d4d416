// Issue 9 item 2, as a property (fast-check): over generated route paths, base URLs and request
// paths whose segments come from a nasty alphabet, no request ever produces an upstream URL
// outside `base_url + route.path` — it is refused, or the URL built stays inside. "Inside" is
// judged independently of the builder: the URL re-parsed as undici parses it, then read as an
// upstream might (decoding once or twice, folding compatibility characters).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequestPath } from '../../src/core/request-path.js';
import { encodeRoutePath, routeUpstreamPath, upstreamUrlWithin } from '../../src/core/route-upstream-url.js';

const NASTY = ['.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '%2f', '%2F', '%5c', '\\', '/', '%00', '%0a', '%25', '%252e', '%252f', '%', '%zz', 'é', '%C3%A9', '%EF%BC%8E', '．', '／', '%c3%28', '', 'a', 'v1', 'positions', ';', ':', '@', '?', '#', ' ', '~'];
const BASES = ['http://up.example', 'http://up.example/', 'http://up.example/base', 'https://up.example:8443/a/b/', 'http://10.0.0.1/api%20v1', 'http://u:p@up.example/x'];

const nastySegment = fc.array(fc.constantFrom(...NASTY), { maxLength: 3 }).map((parts) => parts.join(''));
const nastyPath = fc.array(nastySegment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`);
const routePath = fc.oneof(fc.constantFrom('/', '/v1/positions', '/v1'), nastyPath);
// Half the requests start with the route's own path, so that they match it and reach the builder.
const scenario = fc
  .record({ base: fc.constantFrom(...BASES), route: routePath, tail: nastyPath, underRoute: fc.boolean(), query: fc.option(fc.constantFrom('a=1', '../../x', '/../x', '%2e%2e', 'q=#frag'), { nil: undefined }) })
  .map(({ base, route, tail, underRoute, query }) => ({ base, route, query, raw: underRoute ? `${route.replace(/\/+$/, '')}${tail}` : tail }));

/** The decoded segments of a URL path; undefined where a segment does not decode. */
function decodedSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

const climbs = (segment: string) => ['.', '..'].includes(segment) || /[/\\]/.test(segment);

/** Would any reading of this segment by an upstream step out of the prefix? */
function escapes(segment: string): boolean {
  const readings = [segment, segment.normalize('NFKC')];
  try {
    readings.push(decodeURIComponent(segment));
  } catch {
    // a second decoding fails: the upstream sees no dot segment there either
  }
  return readings.some(climbs);
}

function routeSegments(route: string): string[] {
  const trimmed = route.replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.slice(1).split('/');
}

describe('route paths (property)', () => {
  it('never builds an upstream URL outside base_url + route.path', () => {
    let built = 0;
    let refused = 0;
    fc.assert(
      fc.property(scenario, ({ base, route, raw, query }) => {
        const parsed = parseRequestPath(raw);
        const path = parsed.ok ? routeUpstreamPath(route, parsed.value) : undefined;
        const url = path === undefined ? undefined : upstreamUrlWithin(base, query === undefined ? path : `${path}?${query}`, encodeRoutePath(route));
        if (!url) {
          refused += 1;
          return;
        }
        built += 1;
        // What undici sends: the URL serialised and parsed again.
        const sent = new URL(url.href);
        const baseUrl = new URL(base);
        expect(sent.origin).toBe(baseUrl.origin);
        expect(sent.pathname).toBe(url.pathname);
        const segments = decodedSegments(sent.pathname);
        const prefix = [...decodedSegments(baseUrl.pathname.replace(/\/+$/, ''))!, ...routeSegments(route)];
        expect(segments).toBeDefined();
        expect(segments!.slice(0, prefix.length)).toEqual(prefix);
        for (const segment of sent.pathname.split('/').slice(1 + prefix.length)) expect(escapes(segment), sent.pathname).toBe(false);
      }),
      { numRuns: 5000 },
    );
    // The property must not hold vacuously: both outcomes happen.
    expect(built).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('never refuses a plain path under a plain route, and forwards it unchanged', () => {
    const plainSegment = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,8}$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.array(plainSegment, { minLength: 1, maxLength: 3 }), fc.array(plainSegment, { maxLength: 4 }), fc.boolean(), (base, route, rest, trailingSlash) => {
        const routePath = `/${route.join('/')}`;
        const raw = `${routePath}${rest.map((s) => `/${s}`).join('')}${trailingSlash ? '/' : ''}`;
        const parsed = parseRequestPath(raw);
        expect(parsed.ok).toBe(true);
        const path = routeUpstreamPath(routePath, parsed.ok ? parsed.value : (undefined as never));
        const url = upstreamUrlWithin(base, path!, encodeRoutePath(routePath));
        expect(url?.pathname).toBe(new URL(base).pathname.replace(/\/+$/, '') + raw);
      }),
      { numRuns: 1000 },
    );
  });
});
