// The one decoding of a route request's path and the upstream URL built from it (issue 9 item 2),
// and the mapping of an upstream's redirect back into the route's space (item 14), with vectors.
import { describe, expect, it } from 'vitest';
import { parseRequestPath } from '../../src/core/request-path.js';
import { isOwnPath } from '../../src/core/route-match.js';
import { routeLocation, routeUpstreamPath, upstreamUrlWithin } from '../../src/core/route-upstream-url.js';

describe('parseRequestPath', () => {
  it.each([
    ['/v1/positions', ['v1', 'positions']],
    ['/v1/positions/', ['v1', 'positions', '']],
    ['/', ['']],
    ['/v1/caf%C3%A9/a%20b', ['v1', 'café', 'a b']],
    ['/v1/100%25', ['v1', '100%']],
    ["/v1/a:b@c;d=e,f!$&'()*+~", ['v1', "a:b@c;d=e,f!$&'()*+~"]],
    ['/v1/.well-known/x..y', ['v1', '.well-known', 'x..y']],
  ])('decodes %s once', (raw, segments) => {
    expect(parseRequestPath(raw)).toMatchObject({ ok: true, value: { segments, rawSegments: raw.slice(1).split('/') } });
  });

  it.each([
    'v1/positions', '/v1/./x', '/v1/../x', '/v1/%2e%2e/x', '/v1/%2E/x', '/v1/.%2e/x', '/v1/a%2eb', '/v1/a\\b', '/v1/a%5cb', '/v1/a%2fb', '/v1/a%2Fb',
    '/v1//x', '//evil.example/x', '/v1/a%00', '/v1/a%0d%0a', '/v1/a%7f', '/v1/a%c2%85', '/v1/%', '/v1/%zz', '/v1/%c3%28', '/v1/%ed%a0%80', '/v1/%c0%ae%c0%ae',
    '/v1/%252e%252e', '/v1/%252F', '/v1/%EF%BC%8E%EF%BC%8E', '/v1/a%EF%BC%8Fb', '/v1/a b', '/v1/a"b', '/v1/é',
  ])('refuses %s', (raw) => {
    expect(parseRequestPath(raw).ok).toBe(false);
  });
});

describe('routeUpstreamPath and upstreamUrlWithin', () => {
  const parsed = (raw: string) => {
    const result = parseRequestPath(raw);
    if (!result.ok) throw new Error(raw);
    return result.value;
  };

  it('joins the route path and the rest as received, below the base path', () => {
    expect(routeUpstreamPath('/v1/positions', parsed('/v1/positions/caf%C3%A9'))).toBe('/v1/positions/caf%C3%A9');
    expect(routeUpstreamPath('/', parsed('/x/y/'))).toBe('/x/y/');
    expect(routeUpstreamPath('/v1/positions', parsed('/v1/positionsx'))).toBeUndefined();
    expect(upstreamUrlWithin('http://up.example/base/', '/v1/positions/x?a=1', '/v1/positions')?.href).toBe('http://up.example/base/v1/positions/x?a=1');
  });

  it('refuses a URL that parsing would change or that leaves its prefix', () => {
    expect(upstreamUrlWithin('http://up.example/base', '/v1/positions/../secret', '/v1/positions')).toBeUndefined();
    expect(upstreamUrlWithin('http://up.example/base', '/v1/positions/..\\secret', '/v1/positions')).toBeUndefined();
    expect(upstreamUrlWithin('http://up.example/base', '/v1/positions/%2e%2e/secret', '/v1/positions')).toBeUndefined();
    expect(upstreamUrlWithin('http://up.example/base', '/v1/other', '/v1/positions')).toBeUndefined();
  });
});

describe('routeLocation', () => {
  const requested = new URL('http://up.internal:8080/base/v1/positions/a/b');
  const map = (location: string) => routeLocation(location, requested, 'http://up.internal:8080/base', '/v1/positions');

  it('maps a same-origin Location inside base_url + route path back to the route', () => {
    expect(map('http://up.internal:8080/base/v1/positions/x?y=1')).toBe('/v1/positions/x?y=1');
    expect(map('/base/v1/positions')).toBe('/v1/positions');
    expect(map('c')).toBe('/v1/positions/a/c');
    expect(map('//up.internal:8080/base/v1/positions/z')).toBe('/v1/positions/z');
  });

  it.each([
    'http://169.254.169.254/latest', '//other.internal/base/v1/positions/x', 'https://up.internal:8080/base/v1/positions/x', 'http://up.internal:8081/base/v1/positions/x',
    'http://u:p@up.internal:8080/base/v1/positions/x', '/base/v1/other', '/v1/positions/x', '../../../admin', 'javascript:alert(1)', 'http://[::1',
  ])('drops %s', (location) => {
    expect(map(location)).toBeUndefined();
  });
});

describe('isOwnPath', () => {
  it("is true only for Tollgate's own prefixes that no configured route claims", () => {
    expect(isOwnPath('/api/v1/nonexistent', [])).toBe(true);
    expect(isOwnPath('/%61pi/v1/nonexistent', [])).toBe(true);
    expect(isOwnPath('/api/things', ['/api/things'])).toBe(false);
    expect(isOwnPath('/nonexistent', [])).toBe(false);
    expect(isOwnPath('/api/../x', [])).toBe(false);
  });
});
