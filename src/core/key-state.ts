// A key's state at a moment (SPEC §2): revoked once its revocation time has come (a rotation's
// grace period ends that way), expired once its expiry has passed, else active. Timestamps are
// ISO 8601 UTC strings, which compare in time order. Pure.
export interface KeyTimes {
  revokedAt: string | null;
  expiresAt: string | null;
}

export type KeyState = 'active' | 'revoked' | 'expired';

export function keyState(key: KeyTimes, now: string): KeyState {
  if (key.revokedAt !== null && key.revokedAt <= now) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** Active at `now`: not revoked (or revocation still ahead) and not expired. */
export function isKeyActive(key: KeyTimes, now: string): boolean {
  return keyState(key, now) === 'active';
}
