// Password policy (SPEC §3, NIST SP 800-63B §5.1.1.2): 8–128 characters, no composition rules,
// and passwords found on a list of common ones refused. The list is zxcvbn-ts's common-password
// dictionary (≈49,000 entries), loaded once.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  if (!common) {
    const { dictionary } = require('@zxcvbn-ts/language-common') as { dictionary: Record<string, string[]> };
    common = new Set(dictionary['passwords-common']);
  }
  return common;
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export function commonPasswordCount(): number {
  return commonPasswords().size;
}

/** What is wrong with a password, worded to follow the field's name ("must …"), or null if it is acceptable. */
export function checkPassword(password: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (commonPasswords().has(password.toLowerCase())) return 'is too common; choose another';
  return null;
}
