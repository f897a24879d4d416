// The one decoding of a request path for plain HTTP routes (issue 9 item 2). A path is decoded
// exactly once, segment by segment, and anything that another parser on the way could read as a
// different path is refused rather than repaired: dot segments (`.`, `..`) in any encoding,
// encoded dots, slashes and backslashes (also double-encoded, `%252e`), raw backslashes (the
// WHATWG URL parser reads `\` as `/` in http URLs), empty segments, NUL and other control
// characters, invalid percent-encoding or UTF-8. Nothing is collapsed silently. Routes are then
// matched on the decoded path, and the segments as received are what goes upstream. Pure.

export interface RequestPath {
  /** Decoded segments; none contains "/", so joining them is unambiguous. */
  segments: string[];
  /** The same segments as received (percent-encoded), forwarded upstream byte for byte. */
  rawSegments: string[];
  /** "/" + the decoded segments: what route prefixes are matched against. */
  path: string;
}

export type RequestPathCheck = { ok: true; value: RequestPath } | { ok: false; reason: string };

// RFC 3986 §3.3: a segment is pchar*, pchar = unreserved / pct-encoded / sub-delims / ":" / "@".
const RAW_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;
// A "." needs no encoding (RFC 3986 §2.3); "/" and "\" encoded are separators in disguise.
const ENCODED_DOT_OR_SEPARATOR = /%(?:2e|2f|5c)/i;
// C0, DEL and C1 controls: NUL truncates paths in C code; CR/LF split requests and logs.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

const refuse = (reason: string): RequestPathCheck => ({ ok: false, reason });

/** Decodes and checks the path part of a request target (no query string). */
export function parseRequestPath(raw: string): RequestPathCheck {
  if (!raw.startsWith('/')) return refuse('must start with "/"');
  const rawSegments = raw.slice(1).split('/');
  const segments: string[] = [];
  for (const [index, rawSegment] of rawSegments.entries()) {
    // A trailing slash is a real distinction to many upstreams; an empty segment elsewhere
    // (`//`) is collapsed by some of them and read as a scheme-relative URL by others.
    if (rawSegment === '' && index < rawSegments.length - 1) return refuse('has an empty segment');
    if (!RAW_SEGMENT.test(rawSegment)) return refuse('has a character that is not allowed in a path');
    if (ENCODED_DOT_OR_SEPARATOR.test(rawSegment)) return refuse('has an encoded dot, slash or backslash');
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawSegment);
    } catch {
      return refuse('has invalid percent-encoding or UTF-8');
    }
    if (decoded === '.' || decoded === '..') return refuse('has a dot segment');
    if (CONTROL.test(decoded)) return refuse('has a control character');
    // An upstream that decodes twice, or folds compatibility characters (NFKC: "．" → "."),
    // must not find a separator or a dot segment either.
    if (ENCODED_DOT_OR_SEPARATOR.test(decoded)) return refuse('has a double-encoded dot, slash or backslash');
    const folded = decoded.normalize('NFKC');
    if (folded === '.' || folded === '..' || /[/\\]/.test(folded)) return refuse('has a character that folds to a dot segment or separator');
    segments.push(decoded);
  }
  return { ok: true, value: { segments, rawSegments, path: `/${segments.join('/')}` } };
}
