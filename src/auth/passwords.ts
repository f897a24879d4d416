// Password hashing with argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1).
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * The stored "hash" of a user who has no password (created by single sign-on): not a PHC string,
 * so nothing verifies against it, and changing the password needs the current one, which no one has.
 */
export const NO_PASSWORD = '!no-password';

async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (passwordHash === NO_PASSWORD) {
    // The same argon2 work as a real check: the answer's timing does not tell that the user has no password.
    await verifyPassword(await dummyPasswordHash(), password);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against this when the email is unknown makes both failures cost the same time.
let dummyHash: Promise<string> | undefined;
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('tollgate-timing-equalizer');
  return dummyHash;
}

/** Hashing and checking passwords, as the auth routes take them (services.ts builds the one instance). */
export interface Passwords {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** What a sign-in with an unknown email is checked against, so that it costs what a wrong password costs. */
  dummyHash(): Promise<string>;
}

export const argon2idPasswords: Passwords = { hash: hashPassword, verify: verifyPassword, dummyHash: dummyPasswordHash };
