import { describe, expect, it } from 'vitest';
import { decideRepoint } from '../../src/core/provider-repoint.js';

describe('decideRepoint', () => {
  const current = 'https://api.example.com/v1';

  it.each([
    ['another scheme', 'http://api.example.com/v1'],
    ['another host', 'https://evil.example.net/v1'],
    ['another port', 'https://api.example.com:8443/v1'],
  ])('drops the secret on a move to %s unless a new one is given', (_name, next) => {
    expect(decideRepoint('admin', current, next, false)).toMatchObject({ ok: true, changed: true, originChanged: true, dropSecret: true });
    expect(decideRepoint('admin', current, next, true)).toMatchObject({ ok: true, changed: true, originChanged: true, dropSecret: false });
  });

  it('keeps the secret on a path change, and on an explicit default port', () => {
    expect(decideRepoint('owner', current, 'https://api.example.com/v2', false)).toMatchObject({ changed: true, originChanged: false, dropSecret: false });
    expect(decideRepoint('owner', current, 'https://api.example.com:443/v2', false)).toMatchObject({ changed: true, originChanged: false, dropSecret: false });
  });

  it('refuses members any change of base_url, and lets anyone send the same one', () => {
    expect(decideRepoint('member', current, 'https://api.example.com/v2', false)).toMatchObject({ ok: false });
    expect(decideRepoint('member', current, current, false)).toEqual({ ok: true, changed: false });
    expect(decideRepoint('member', current, undefined, false)).toEqual({ ok: true, changed: false });
    for (const role of ['owner', 'admin', 'operator', 'service'] as const) expect(decideRepoint(role, current, 'https://x.example.org', false).ok).toBe(true);
  });
});
