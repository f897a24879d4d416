// SPEC §7: nodes of one deployment share one master key. The database records a fingerprint of it
// (never the key) on first start; a node whose master key does not match refuses to start with an
// error naming TOLLGATE_MASTER_KEY, instead of failing every key check and decryption.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseTargets, releaseSchema, uniqueSchema } from '../support/databases.js';
import { newMasterKey, startTestGateway, type TestGateway } from '../support/harness.js';

for (const target of databaseTargets()) {
  describe(`the master key fingerprint (${target.name})`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-fingerprint-'));
    const schema = uniqueSchema();
    const key = newMasterKey();
    const started: TestGateway[] = [];
    const node = async (masterKey: string) => {
      const gw = await startTestGateway({ target, shared: { schema, masterKey, dataDir } });
      started.push(gw);
      return gw;
    };
    afterAll(async () => {
      for (const gw of started) await gw.close();
      if (target.databaseUrl) await releaseSchema(target.databaseUrl, schema);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('records a fingerprint on first start that is not the key', async () => {
      const first = await node(key);
      const rows = await first.services.database.db.selectFrom('server_settings').selectAll().execute();
      const fingerprint = rows.find((r) => r.name === 'master_key_fingerprint');
      expect(fingerprint?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fingerprint!.value).not.toContain(key.replace(/=+$/, ''));
      expect(fingerprint!.value).not.toContain(Buffer.from(key, 'base64').toString('base64url'));
    });

    it('refuses to start a second node with another master key, naming TOLLGATE_MASTER_KEY', async () => {
      await expect(node(newMasterKey())).rejects.toThrow(/TOLLGATE_MASTER_KEY/);
    });

    it('starts a second node with the same master key', async () => {
      const second = await node(key);
      expect((await second.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    });
  });
}
