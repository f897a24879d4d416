// What a secret scanning report must get right before anything is revoked (SPEC §10): the
// signature over the exact bytes (one flipped byte in the body or the signature is a 401), a key
// id this server trusts, then well-formed JSON of GitHub's shape within bounds; a server with no
// GitHub keys configured says so with its own 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { writeConfigFile } from '../support/gateway-fixture.js';
import { flipByte, githubSigner, leak, REPORT_URL, reportHeaders, secretScanningConfig } from '../support/github-reports.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { MAX_REPORT_ITEMS } from '../../src/control/secret-scanning.js';

const [sqlite] = databaseTargets();

for (const target of databaseTargets()) {
  describe(`refused secret scanning reports on ${target.name}`, () => {
    const github = githubSigner('github-key-1');
    const stranger = githubSigner('someone-else');
    let gw: TestGateway;
    let file: { path: string; remove(): void };
    let key: string;
    let keyId: string;
    let user: SignedIn;

    beforeAll(async () => {
      file = writeConfigFile(secretScanningConfig(github));
      gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: file.path } });
      user = await signUp(gw.app);
      const created = await createKey(gw.app, user);
      key = created.key;
      keyId = created.id;
    });
    afterAll(async () => {
      await gw?.close();
      file?.remove();
    });

    const post = (body: Buffer | string, headers: Record<string, string>) => gw.app.inject({ method: 'POST', url: REPORT_URL, headers, payload: body });

    async function expectNothingRevoked(): Promise<void> {
      expect((await gw.services.storage.apiKeys.findById(keyId))?.revokedAt).toBeNull();
    }

    function expectSignatureRefused(response: Awaited<ReturnType<typeof post>>): void {
      expect(response.statusCode).toBe(401);
      expect(response.json().errors[0].code).toBe('invalid_signature');
      expect(response.body).not.toContain(key);
    }

    it('refuses a report with one flipped byte in the body with 401 and revokes nothing', async () => {
      const { body, headers } = github.signed([leak(key)]);
      // Inside the token, and in the structure around it.
      for (const index of [body.indexOf(key) + 20, 1, body.length - 2]) expectSignatureRefused(await post(flipByte(body, index), headers));
      await expectNothingRevoked();
    });

    it('refuses a report with one flipped byte in the signature with 401 and revokes nothing', async () => {
      const { body } = github.signed([leak(key)]);
      const der = Buffer.from(github.signatureOf(body), 'base64');
      for (const index of [der.length - 1, 10]) {
        expectSignatureRefused(await post(body, reportHeaders(github.keyId, flipByte(der, index).toString('base64'))));
      }
      await expectNothingRevoked();
    });

    it('refuses an unknown key id, a valid signature under a key id it does not belong to, and missing headers', async () => {
      const { body, headers } = stranger.signed([leak(key)]);
      expectSignatureRefused(await post(body, headers));
      expectSignatureRefused(await post(body, { ...headers, 'github-public-key-identifier': github.keyId }));
      const { 'github-public-key-signature': _signature, ...unsigned } = github.signed([leak(key)]).headers;
      expectSignatureRefused(await post(body, unsigned));
      expectSignatureRefused(await post(body, { ...headers, 'github-public-key-identifier': github.keyId, 'github-public-key-signature': 'not base64!' }));
      await expectNothingRevoked();
    });

    it('takes no bearer credential instead of the signature: an access token or the reported key itself is a 401', async () => {
      const { body } = github.signed([leak(key)]);
      expectSignatureRefused(await post(body, { 'content-type': 'application/json', ...user.auth }));
      expectSignatureRefused(await post(body, { 'content-type': 'application/json', authorization: `Bearer ${key}` }));
      await expectNothingRevoked();
    });

    it('answers 400 to malformed JSON after a valid signature, without echoing it', async () => {
      const body = Buffer.from(`[{"token":"${key}",`);
      const response = await post(body, reportHeaders(github.keyId, github.signatureOf(body)));
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ code: 'invalid_request', message: 'The request body is not valid JSON.' });
      expect(response.body).not.toContain(key);
      await expectNothingRevoked();
    });

    it.each([
      ['an object instead of an array', { token: 'x', type: 't' }],
      ['an entry without a token', [{ type: 't', url: 'u', source: 'content' }]],
      ['a number as the token', [{ token: 5, type: 't' }]],
      ['an unknown field', [{ ...leak('x'), extra: true }]],
      ['more entries than a report may hold', Array.from({ length: MAX_REPORT_ITEMS + 1 }, () => leak('x'))],
    ])('answers 422 to %s after a valid signature', async (_name, report) => {
      const { body, headers } = github.signed(report);
      const response = await post(body, headers);
      expect(response.statusCode).toBe(422);
      expect(response.json().errors[0].code).toBe('validation_error');
    });

    it('answers 413 to a body over 1 MB before checking anything', async () => {
      const { body, headers } = github.signed([leak('x'.repeat(1_100_000))]);
      expect((await post(body, headers)).statusCode).toBe(413);
    });
  });
}

describe('a server without GitHub keys configured', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ target: sqlite! });
  });
  afterAll(() => gw?.close());

  it('answers 404 secret_scanning_not_configured, naming the setting', async () => {
    const { body, headers } = githubSigner('github-key-1').signed([leak('tg_live_x')]);
    const response = await gw.app.inject({ method: 'POST', url: REPORT_URL, headers, payload: body });
    expect(response.statusCode).toBe(404);
    expect(response.json().errors[0]).toMatchObject({ code: 'secret_scanning_not_configured', suggestion: expect.stringContaining('secret_scanning.github.public_keys') });
  });
});
