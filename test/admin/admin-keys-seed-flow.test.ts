// The seed flow for org proxy keys, end to end against a real OpenAI-compatible upstream: a CI
// job holding a service token mints a key, the key calls POST /v1/responses, the listing shows
// its use without the secret, and after DELETE the same secret is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { bearer, createServiceToken, teamWithRoles } from '../support/accounts-fixtures.js';

for (const target of databaseTargets()) {
  describe(`the org proxy key seed flow on ${target.name}`, () => {
    let upstream: MockOpenAI;
    let gw: TestGateway;
    let configDir: string;
    beforeAll(async () => {
      upstream = await startMockOpenAI();
      configDir = mkdtempSync(join(tmpdir(), 'tollgate-seed-'));
      const configPath = join(configDir, 'tollgate.json');
      writeFileSync(configPath, JSON.stringify({ providers: [{ id: 'mock', type: 'openai', base_url: upstream.url, direct: true }] }));
      gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: configPath } });
    });
    afterAll(async () => {
      await gw?.close();
      await upstream?.close();
      rmSync(configDir, { recursive: true, force: true });
    });

    it('mints with a service token, serves /v1/responses, lists without the secret, and refuses it after DELETE', async () => {
      const team = await teamWithRoles(gw.app);
      const { token } = await createServiceToken(gw.app, team.owner, team.accountId);

      const minted = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: bearer(token), payload: { name: 'customer-42' } });
      expect(minted.statusCode).toBe(201);
      const { key, secret } = minted.json();
      rememberSecret(secret);

      const call = () => gw.app.inject({ method: 'POST', url: '/v1/responses', headers: bearer(secret), payload: { model: 'mock/gpt-4o-mini', input: 'Say hello' } });
      const answered = await call();
      expect(answered.statusCode).toBe(200);
      expect(answered.json()).toMatchObject({ object: 'response', status: 'completed' });
      expect(upstream.requests.some((r) => r.path.endsWith('/responses'))).toBe(true);

      // last_used_at is batched off the request path (every few seconds); write the batch now.
      await gw.services.gateway.lastUsed.flush();
      const listed = (await gw.app.inject({ url: '/admin/keys', headers: bearer(token) })).json();
      expect(listed.keys).toEqual([
        { id: key.id, name: 'customer-42', prefix: key.prefix, enabled: true, created_at: key.created_at, last_used_at: expect.any(String), revoked_at: null, allowed_ips: [], metadata: {}, budget: null },
      ]);
      expect(JSON.stringify(listed)).not.toContain(secret);

      const deleted = await gw.app.inject({ method: 'DELETE', url: `/admin/keys/${key.id}`, headers: bearer(token) });
      expect(deleted.statusCode).toBe(204);
      const refused = await call();
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error).toMatchObject({ code: 'invalid_api_key' });
    });
  });
}
