// A key's state at a moment: revocation (a rotation's grace included) and expiry take effect at
// their instant, not a millisecond later.
import { describe, expect, it } from 'vitest';
import { isKeyActive, keyState } from '../../src/core/key-state.js';

const now = '2026-11-30T12:00:00.000Z';
const before = '2026-11-30T11:59:59.999Z';
const after = '2026-11-30T12:00:00.001Z';

describe('key state', () => {
  it.each([
    [{ revokedAt: null, expiresAt: null }, 'active'],
    [{ revokedAt: after, expiresAt: null }, 'active'],
    [{ revokedAt: now, expiresAt: null }, 'revoked'],
    [{ revokedAt: before, expiresAt: after }, 'revoked'],
    [{ revokedAt: null, expiresAt: now }, 'expired'],
    [{ revokedAt: after, expiresAt: before }, 'expired'],
    [{ revokedAt: before, expiresAt: before }, 'revoked'],
  ] as const)('%j is %s', (times, state) => {
    expect(keyState(times, now)).toBe(state);
    expect(isKeyActive(times, now)).toBe(state === 'active');
  });
});
