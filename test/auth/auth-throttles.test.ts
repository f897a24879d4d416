// Password guessing is bounded everywhere a password is checked (issue 9, items 7, 12, 25, 26):
// sign-in counts an attempt before verifying it, password change and self-deletion share the
// per-user budget, and registration (an argon2id hash each) is bounded per client address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argon2idPasswords, type Passwords } from '../../src/auth/passwords.js';
import { LOGIN_LIMIT_PER_EMAIL, REGISTRATION_LIMIT_PER_ADDRESS } from '../../src/auth/throttles.js';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

// Counts the real argon2id verifications (the expensive step a guess needs).
let verifications = 0;
const countingPasswords: Passwords = {
  ...argon2idPasswords,
  verify(passwordHash, password) {
    verifications += 1;
    return argon2idPasswords.verify(passwordHash, password);
  },
};

for (const target of databaseTargets()) {
  describe(`password throttles on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target, passwords: countingPasswords });
    });
    afterAll(() => gw?.close());

    it('verifies at most the limit of 121 parallel guesses for one email and never signs in past it', async () => {
      const user = await signUp(gw.app);
      const guesses = [...Array.from({ length: 120 }, (_, i) => `wrong-guess-${i}`), user.password];
      verifications = 0;
      const responses = await Promise.all(
        guesses.map((password) =>
          gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '198.51.100.1', payload: { email: user.email, password } }),
        ),
      );
      for (const r of responses) if (r.statusCode === 200) rememberSecret(r.json().access_token, r.json().refresh_token);
      expect(verifications).toBeLessThanOrEqual(LOGIN_LIMIT_PER_EMAIL);
      expect(responses.filter((r) => r.statusCode === 401)).toHaveLength(verifications);
      // The right password arrived after the budget was spent: refused, not a sign-in.
      expect(responses.at(-1)!.statusCode).toBe(429);
      expect(Number(responses.at(-1)!.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('throttles wrong current passwords on password change with 429 and refuses the right one while throttled', async () => {
      const user = await signUp(gw.app);
      const change = (current: string) =>
        gw.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: user.auth, payload: { current_password: current, new_password: 'a-fresh-long-passphrase' } });
      const statuses: number[] = [];
      for (let i = 0; i < LOGIN_LIMIT_PER_EMAIL; i++) statuses.push((await change(`not-it-${i}-password`)).statusCode);
      expect(statuses).toEqual(Array(LOGIN_LIMIT_PER_EMAIL).fill(422));
      const over = await change('not-it-either-password');
      expect(over.statusCode).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect((await change(user.password)).statusCode).toBe(429);
      // The budget is the user's: sign-in with the right password is refused too.
      expect((await gw.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } })).statusCode).toBe(429);
    });

    it('throttles wrong passwords on self-deletion with 429 and keeps the user', async () => {
      const user = await signUp(gw.app);
      const remove = (password: string) => gw.app.inject({ method: 'DELETE', url: '/api/v1/auth/register', headers: user.auth, payload: { password } });
      for (let i = 0; i < LOGIN_LIMIT_PER_EMAIL; i++) expect((await remove(`not-it-${i}-password`)).statusCode).toBe(403);
      const over = await remove(user.password);
      expect(over.statusCode).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(await gw.services.storage.users.findById(user.userId)).toBeDefined();
    });

    it('deletes a freshly signed-in user who sends no body at all', async () => {
      const user = await signUp(gw.app);
      const deleted = await gw.app.inject({ method: 'DELETE', url: '/api/v1/auth/register', headers: user.auth });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect(await gw.services.storage.users.findById(user.userId)).toBeUndefined();
    });
  });
}

describe('registration throttle', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // The production budgets, not the suite's.
    gw = await startTestGateway({ throttles: {} });
  });
  afterAll(() => gw?.close());

  it('answers 429 with Retry-After once one address registers too many users, other addresses unaffected', async () => {
    const register = (i: number, remoteAddress: string) =>
      gw.app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress, payload: { email: `reg-${i}-${remoteAddress}@example.com`, password: 'a-long-enough-pass' } });
    rememberSecret('a-long-enough-pass');
    for (let i = 0; i < REGISTRATION_LIMIT_PER_ADDRESS; i++) expect((await register(i, '203.0.113.7')).statusCode).toBe(201);
    const over = await register(REGISTRATION_LIMIT_PER_ADDRESS, '203.0.113.7');
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await register(0, '203.0.113.8')).statusCode).toBe(201);
  });
});
