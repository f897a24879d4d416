// One SSO sign-in attempt's secrets (PKCE code_verifier, state, nonce), kept by the browser between
// /start and /callback in a cookie sealed with AES-256-GCM under a key derived from the master key:
// the browser carries them but can neither read nor alter them, and no server-side store is needed,
// so any node of a deployment can finish an attempt another node started.
import { open, seal } from '../crypto/envelope.js';

/** Time to sign in at the issuer; an older attempt is refused. */
export const SSO_ATTEMPT_TTL_MS = 10 * 60 * 1000;

export interface SsoAttempt {
  providerId: string;
  codeVerifier: string;
  state: string;
  nonce: string;
  /** Epoch milliseconds after which the attempt is void. */
  expiresAt: number;
}

/** The associated data ties a sealed attempt to its purpose: no other sealed value opens as one. */
const AAD = 'tollgate/sso-attempt/v1';

export function sealAttempt(key: Buffer, attempt: SsoAttempt): string {
  return seal(key, JSON.stringify(attempt), AAD);
}

/** The attempt, or null when the value is absent, tampered with, not for this provider, or expired. */
export function openAttempt(key: Buffer, sealed: string | undefined, providerId: string, now = Date.now()): SsoAttempt | null {
  if (!sealed) return null;
  const text = open(key, sealed, AAD);
  if (text === null) return null;
  // Sealed by us, so well-formed; parsed defensively all the same.
  const attempt = JSON.parse(text) as Partial<SsoAttempt>;
  const { codeVerifier, state, nonce, expiresAt } = attempt;
  if (attempt.providerId !== providerId || typeof expiresAt !== 'number' || expiresAt <= now) return null;
  if (typeof codeVerifier !== 'string' || typeof state !== 'string' || typeof nonce !== 'string') return null;
  return { providerId, codeVerifier, state, nonce, expiresAt };
}
