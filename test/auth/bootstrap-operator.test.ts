// TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL makes the first operator of a fresh server and nothing more
// (issue 9, item 11): once any operator exists or has existed, the email is an ordinary user.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { applyBootstrapOperator } from '../../src/auth/bootstrap-operator.js';
import { connectDatabase, migrateToLatest } from '../../src/storage/connect.js';
import { migrationsFor } from '../../src/storage/migrations/index.js';
import { Storage } from '../../src/storage/storage.js';
import { databaseTargets, releaseSchema, uniqueSchema } from '../support/databases.js';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { capturedLogs } from '../support/log-capture.js';

for (const target of databaseTargets()) {
  describe(`bootstrap operator on ${target.name}`, () => {
    let gw: TestGateway | undefined;
    afterEach(async () => {
      await gw?.close();
      gw = undefined;
    });

    async function start() {
      const email = `boss-${randomBytes(4).toString('hex')}@example.com`;
      gw = await startTestGateway({ target, env: { TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL: email } });
      return { gw, email };
    }
    const isOperator = async (g: TestGateway, user: SignedIn) => (await g.app.inject({ url: '/api/v1/auth/me', headers: user.auth })).json().is_operator;

    it('makes the bootstrap email an operator when it registers first, logs it, and never again after that user is deleted', async () => {
      const { gw, email } = await start();
      const first = await signUp(gw.app, { email });
      expect(await isOperator(gw, first)).toBe(true);

      expect((await gw.app.inject({ method: 'DELETE', url: '/api/v1/auth/register', headers: first.auth, payload: { password: first.password } })).statusCode).toBe(204);
      const squatter = await signUp(gw.app, { email });
      expect(await isOperator(gw, squatter)).toBe(false);
      expect(capturedLogs.some((line) => line.includes('"level":30') && line.includes('TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL') && line.includes(first.userId))).toBe(true);
    });

    it('does not make whoever registers the bootstrap email an operator once an operator exists', async () => {
      const { gw, email } = await start();
      const chosen = await signUp(gw.app);
      // What `tollgate operator create --email …` does.
      await gw.services.storage.users.setOperator(chosen.userId, true, new Date().toISOString());
      const squatter = await signUp(gw.app, { email });
      expect(await isOperator(gw, squatter)).toBe(false);
    });

    it('does not grant the bootstrap email again at start after that operator was demoted', async () => {
      const { gw, email } = await start();
      const first = await signUp(gw.app, { email });
      expect(await isOperator(gw, first)).toBe(true);
      await gw.services.storage.users.setOperator(first.userId, false, new Date().toISOString());
      await applyBootstrapOperator(gw.services);
      expect((await gw.services.storage.users.findById(first.userId))!.isOperator).toBe(false);
    });

    it('remembers, when upgrading, that a server already had an operator', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-upgrade-'));
      const schema = target.databaseUrl ? uniqueSchema() : undefined;
      const handle = await connectDatabase({ databaseUrl: target.databaseUrl, dataDir, schema });
      try {
        const provider = { getMigrations: async () => migrationsFor(handle.dialect) };
        const migrator = new Migrator({ db: handle.db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
        expect((await migrator.migrateTo('004-credits')).error).toBeUndefined();
        const at = new Date().toISOString();
        await handle.db
          .insertInto('users')
          .values({ id: 'usr_old_operator', email: 'old@example.com', name: null, password_hash: 'x', is_active: 1, is_operator: 1, token_version: 0, created_at: at, updated_at: at })
          .execute();
        await migrateToLatest(handle);
        const storage = new Storage(handle.db);
        await storage.users.setOperator('usr_old_operator', false, at);
        expect(await storage.serverSettings.get('operator_established_at')).toEqual(expect.any(String));
      } finally {
        await handle.close();
        if (target.databaseUrl && schema) await releaseSchema(target.databaseUrl, schema);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('grants an existing user at start while the server has no operator', async () => {
      gw = await startTestGateway({ target });
      const user = await signUp(gw.app);
      const configured = { ...gw.services, config: { ...gw.services.config, bootstrapOperatorEmail: user.email } };
      await applyBootstrapOperator(configured);
      expect((await gw.services.storage.users.findById(user.userId))!.isOperator).toBe(true);
    });
  });
}
