import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openAttempt, sealAttempt, SSO_ATTEMPT_TTL_MS, type SsoAttempt } from '../../src/auth/sso-attempt.js';

const key = randomBytes(32);
const now = 1_800_000_000_000;
const attempt: SsoAttempt = { providerId: 'corp', codeVerifier: 'verifier-secret', state: 'state-value', nonce: 'nonce-value', expiresAt: now + SSO_ATTEMPT_TTL_MS };

describe('the sealed SSO attempt', () => {
  it('opens under the same key, for the same provider, before it expires', () => {
    const sealed = sealAttempt(key, attempt);
    expect(sealed).not.toContain('verifier-secret');
    expect(openAttempt(key, sealed, 'corp', now)).toEqual(attempt);
    expect(openAttempt(key, sealed, 'corp', attempt.expiresAt - 1)).toEqual(attempt);
  });

  it('does not open when missing, expired, for another provider, under another key, or altered', () => {
    const sealed = sealAttempt(key, attempt);
    expect(openAttempt(key, undefined, 'corp', now)).toBeNull();
    expect(openAttempt(key, sealed, 'corp', attempt.expiresAt)).toBeNull();
    expect(openAttempt(key, sealed, 'other', now)).toBeNull();
    expect(openAttempt(randomBytes(32), sealed, 'corp', now)).toBeNull();
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[20]! ^= 1;
    expect(openAttempt(key, `v1.${bytes.toString('base64')}`, 'corp', now)).toBeNull();
    expect(openAttempt(key, 'garbage', 'corp', now)).toBeNull();
  });
});
