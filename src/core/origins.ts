// Allowed origins (SPEC §5): exact string match of the full origin, no wildcards. An origin check
// stops casual embedding in other sites; it does not make a secret key safe to publish.

/** Normalizes a configured origin, or returns null if it is not a bare `scheme://host[:port]`. */
export function normalizeOrigin(value: string): string | null {
  // Only `scheme://authority` with an optional trailing "/": no path, query, fragment, user info or "*".
  if (value.length > 2048 || !/^https?:\/\/[^/?#*@\s]+\/?$/.test(value)) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

export type OriginDecision = 'allowed' | 'origin_not_allowed';

/**
 * The origin table: nothing configured → allowed; configured and matching → allowed; configured and
 * not matching → refused; configured and no Origin header (server to server) → allowed.
 */
export function checkOrigin(allowedOrigins: readonly string[], requestOrigin: string | undefined): OriginDecision {
  if (allowedOrigins.length === 0) return 'allowed';
  if (requestOrigin === undefined) return 'allowed';
  return allowedOrigins.includes(requestOrigin) ? 'allowed' : 'origin_not_allowed';
}
