// Names shown to other people refuse invisible and direction-changing characters (issue 9 item 24):
// every name field answers 422 naming the field, and names are stored in NFC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

const RLO = '\u202E';
for (const target of databaseTargets()) {
  describe(`name fields on ${target.name}`, () => {
    let gw: TestGateway;
    let user: SignedIn;
    let team: string;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
      user = await signUp(gw.app);
      team = (await gw.app.inject({ method: 'POST', url: '/api/v1/accounts', headers: user.auth, payload: { name: 'Team' } })).json().id;
    });
    afterAll(() => gw?.close());

    const send = (method: 'POST' | 'PATCH', url: string, payload: object) => gw.app.inject({ method, url, headers: user.auth, payload });

    it.each([
      ['an account name with NUL', () => send('POST', '/api/v1/accounts', { name: 'Acme\u0000' })],
      ['an account rename with a right-to-left override', () => send('PATCH', `/api/v1/accounts/${team}`, { name: `Acme${RLO}cod.exe` })],
      ['a user name with a zero-width space', () => gw.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: `zw-${Math.random()}@example.com`, password: 'a-long-enough-pass', name: 'Mal\u200Blory' } })],
      ['a key name with a bidi isolate', () => send('POST', '/api/v1/auth/keys', { name: 'prod\u2066key' })],
      ['a service-token name with a byte-order mark', () => send('POST', `/api/v1/accounts/${team}/service-tokens`, { name: '\uFEFFci' })],
      ['an org key name with a control character', () => send('POST', '/admin/keys', { name: 'ci\u0007' })],
      ['an alias name with a zero-width joiner', () => send('POST', '/admin/aliases', { name: 'gpt\u200Dmini', targets: [{ provider: 'none', model: 'm' }] })],
    ])('refuses %s with 422 naming the field', async (_what, request) => {
      rememberSecret('a-long-enough-pass');
      const response = await request();
      expect(response.statusCode).toBe(422);
      expect(response.json().errors[0]).toMatchObject({ code: 'validation_error', field: 'name' });
    });

    it('stores an account name in NFC', async () => {
      const response = await send('POST', '/api/v1/accounts', { name: 'Zoe\u0308' });
      expect(response.statusCode).toBe(201);
      expect(response.json().name).toBe('Zo\u00EB');
    });
  });
}
