// GitHub secret scanning reports (SPEC §10): a signed report naming a key of this deployment
// revokes it at once (personal and org keys alike), is answered true_positive with the token's
// SHA-256, audited without the token and told to onKeyLeaked; look-alikes are false positives
// decided without any storage lookup.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatKey } from '../../src/core/key-format.js';
import { databaseTargets } from '../support/databases.js';
import { fixtureConfig, writeConfigFile } from '../support/gateway-fixture.js';
import { githubSigner, leak, REPORT_URL, secretScanningConfig } from '../support/github-reports.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { capturedLogs, rememberSecret } from '../support/log-capture.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { createTeam } from '../support/accounts-fixtures.js';

const chat = { model: 'chat-default', messages: [{ role: 'user', content: 'Hi' }] };
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

for (const target of databaseTargets()) {
  describe(`GitHub secret scanning reports on ${target.name}`, () => {
    const github = githubSigner('github-key-1');
    let gw: TestGateway;
    let mock: MockOpenAI;
    let file: { path: string; remove(): void };
    let user: SignedIn;

    beforeAll(async () => {
      mock = await startMockOpenAI();
      file = writeConfigFile({ ...fixtureConfig(mock), ...secretScanningConfig(github) });
      gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: file.path } });
      user = await signUp(gw.app);
    });
    afterAll(async () => {
      await gw?.close();
      await mock?.close();
      file?.remove();
    });

    function report(entries: unknown[]) {
      const { body, headers } = github.signed(entries);
      return gw.app.inject({ method: 'POST', url: REPORT_URL, headers, payload: body });
    }
    const call = (key: string) => gw.app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, payload: chat });

    it('revokes a reported personal key at once: the next data-plane call is 401, the answer true_positive with the SHA-256', async () => {
      const { key, id } = await createKey(gw.app, user);
      expect((await call(key)).statusCode).toBe(200);

      const answer = await report([leak(key)]);
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual([{ token_hash: sha256(key), token_type: 'tollgate_api_key', label: 'true_positive' }]);
      expect(answer.body).not.toContain(key);

      const after = await call(key);
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe('invalid_api_key');
      expect((await gw.services.storage.apiKeys.findById(id))?.revokedAt).toEqual(expect.any(String));
    });

    it('revokes a reported org proxy key too', async () => {
      const accountId = await createTeam(gw.app, user);
      const minted = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: { ...user.auth, 'x-account-id': accountId }, payload: { name: 'ci' } });
      const secret: string = minted.json().secret;
      rememberSecret(secret);
      expect((await call(secret)).statusCode).toBe(200);

      expect((await report([leak(secret)])).json()).toEqual([{ token_hash: sha256(secret), token_type: 'tollgate_api_key', label: 'true_positive' }]);
      expect((await call(secret)).statusCode).toBe(401);
    });

    it('answers true_positive for a key revoked before the report, and audits each report without the token', async () => {
      const { key, id, key_prefix } = await createKey(gw.app, user);
      expect((await gw.app.inject({ method: 'DELETE', url: `/api/v1/auth/keys/${id}`, headers: user.auth })).statusCode).toBe(204);

      const url = 'https://github.com/octocat/hello/blob/abc/config.js';
      const answer = await report([leak(key, url)]);
      expect(answer.json()).toEqual([{ token_hash: sha256(key), token_type: 'tollgate_api_key', label: 'true_positive' }]);

      const account = await gw.services.storage.accounts.findPersonal(user.userId);
      const { events } = await gw.services.storage.audit.listByAccount(account!.id, { limit: 10 });
      const leaked = events.find((e) => e.action === 'key.leaked');
      expect(leaked).toMatchObject({ actorType: 'system', actorId: 'github_secret_scanning', targetId: id, data: { key_prefix, url, source: 'content', revoked: false } });
      expect(JSON.stringify(events)).not.toContain(key);
    });

    it('labels look-alikes false_positive without any storage lookup', async () => {
      const { key } = await createKey(gw.app, user);
      const badChecksum = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      const otherPrefix = formatKey('acme', 'live', 'AbCdEfGh', 'x'.repeat(32));
      const noise = 'tg_live_short';
      rememberSecret(badChecksum, otherPrefix);
      const lookups = vi.spyOn(gw.services.storage.apiKeys, 'findById');
      try {
        const answer = await report([leak(badChecksum), leak(otherPrefix), leak(noise)]);
        expect(answer.json()).toEqual([badChecksum, otherPrefix, noise].map((t) => ({ token_hash: sha256(t), token_type: 'tollgate_api_key', label: 'false_positive' })));
        expect(lookups).not.toHaveBeenCalled();
      } finally {
        lookups.mockRestore();
      }
      expect((await call(key)).statusCode).toBe(200);
    });

    it('labels a well-formed key with the right checksum but an unknown id or secret false_positive, revoking nothing', async () => {
      const { key, id } = await createKey(gw.app, user);
      const keyId = id.slice('key_'.length);
      const forged = formatKey('tg', 'live', keyId, 'Z'.repeat(32));
      const unknown = formatKey('tg', 'live', 'Zz9Zz9Zz', 'Q'.repeat(32));
      rememberSecret(forged, unknown);
      const answer = await report([leak(forged), leak(unknown)]);
      expect(answer.json().map((v: { label: string }) => v.label)).toEqual(['false_positive', 'false_positive']);
      expect((await call(key)).statusCode).toBe(200);
    });

    it('answers each entry of a batch in order, judging a token reported twice once', async () => {
      const { key } = await createKey(gw.app, user);
      const before = capturedLogs.length;
      const answer = await report([leak('not-a-key'), leak(key), { ...leak(key), type: 'other_type' }]);
      expect(answer.json()).toEqual([
        { token_hash: sha256('not-a-key'), token_type: 'tollgate_api_key', label: 'false_positive' },
        { token_hash: sha256(key), token_type: 'tollgate_api_key', label: 'true_positive' },
        { token_hash: sha256(key), token_type: 'other_type', label: 'true_positive' },
      ]);
      expect(capturedLogs.slice(before).filter((line) => line.includes('"key leaked"'))).toHaveLength(1);
    });

    it('tells onKeyLeaked (logged as key leaked with the key id) and never logs the token', async () => {
      const { key, id } = await createKey(gw.app, user);
      const before = capturedLogs.length;
      expect((await report([leak(key)])).statusCode).toBe(200);
      const lines = capturedLogs.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toContainEqual(expect.objectContaining({ msg: 'key leaked', key_id: id }));
      expect(capturedLogs.join('')).not.toContain(key);
    });
  });
}
