// The rule for names people read: account, user, key, service-token and alias names. They are
// shown to other members, in audit trails and in the console, so they may not carry characters
// that hide or disguise text: controls (NUL, C0, DEL, C1), format characters (zero-width
// U+200B–U+200D, U+2060, U+FEFF; bidirectional embeddings, overrides and isolates U+202A–U+202E,
// U+2066–U+2069, which reorder what follows: "Trojan Source", CVE-2021-42574), line and
// paragraph separators and lone surrogates. Names are compared and stored in NFC (Unicode UAX #15)
// so that one visible name has one spelling.

const HIDING = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** NFC, without surrounding white space. */
export function normalizeName(value: string): string {
  return value.normalize('NFC').trim();
}

/** Why `value` is not an acceptable name, or null when it is. */
export function nameProblem(value: string): string | null {
  if (HIDING.test(value)) return 'must not contain control, zero-width, bidirectional-override or line-separator characters';
  return null;
}
