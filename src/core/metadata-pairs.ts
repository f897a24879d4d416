// A key's metadata (SPEC §8 "More key settings"): up to 16 name/value pairs the owner attaches to
// a key (a customer id, a plan), handed back by verify as `metadata` and by forward-auth as
// `X-Tollgate-Key-Meta-<name>` headers. The shape (names `[A-Za-z0-9-]{1,40}`, string values up
// to 256 characters) is the request schema's; what a schema cannot say is here. Pure.

export const MAX_METADATA_PAIRS = 16;
export const METADATA_NAME_PATTERN = '^[A-Za-z0-9-]{1,40}$';
export const MAX_METADATA_VALUE_LENGTH = 256;

/**
 * The first name that repeats another apart from case, or null. Header names are
 * case-insensitive (RFC 9110 §5.1), so `Plan` and `plan` would be one forward-auth header.
 */
export function caseClashingName(pairs: Readonly<Record<string, string>>): string | null {
  const seen = new Set<string>();
  for (const name of Object.keys(pairs)) {
    const folded = name.toLowerCase();
    if (seen.has(folded)) return name;
    seen.add(folded);
  }
  return null;
}

/**
 * A value as a header value: printable ASCII as it is, anything else (and `%` itself) as
 * percent-encoded UTF-8, so a receiver that percent-decodes every value gets the original back
 * and a header never carries a control character or a byte outside ASCII (RFC 9110 §5.5).
 */
export function metadataHeaderValue(value: string): string {
  return value.replace(/[^\x20-\x24\x26-\x7e]+/gu, (run) => encodeURIComponent(run));
}

/** The forward-auth headers of a key's metadata (header names in lower case, as HTTP/2 writes them). */
export function metadataHeaders(pairs: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(pairs)) headers[`x-tollgate-key-meta-${name.toLowerCase()}`] = metadataHeaderValue(value);
  return headers;
}
