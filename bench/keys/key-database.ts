// A throwaway Tollgate deployment for the key-lookup benchmark, built in-process through the real
// composition root (so the key check measured is the data plane's own): SQLite in a temporary
// directory, or PostgreSQL in a schema of its own (bench_<random>) that `close()` drops. It holds
// one user and their personal account, which own every seeded key.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema } from '../../test/support/databases-drop.js';
import { registerUser } from '../../src/auth/register-user.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { buildServices, type Services } from '../../src/services.js';

export interface KeyDatabase {
  services: Services;
  userId: string;
  accountId: string;
  /** e.g. "SQLite (a file …, WAL)" or "PostgreSQL 16.4 (a schema of its own …)". */
  description: string;
  close(): Promise<void>;
}

export async function openKeyDatabase(databaseUrl: string | undefined): Promise<KeyDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-keybench-'));
  const schema = databaseUrl ? `bench_${randomBytes(6).toString('hex')}` : undefined;
  const env: Record<string, string> = {
    TOLLGATE_DATA_DIR: dataDir,
    TOLLGATE_MASTER_KEY: randomBytes(32).toString('base64'),
    TOLLGATE_LOG_LEVEL: 'warn',
    ...(databaseUrl ? { TOLLGATE_DATABASE_URL: databaseUrl } : {}),
  };
  const cleanup = async () => {
    if (databaseUrl && schema) await dropSchema(databaseUrl, schema);
    rmSync(dataDir, { recursive: true, force: true });
  };
  let services: Services;
  try {
    services = await buildServices(loadConfig(env, dataDir), { logger: createLogger('warn'), databaseSchema: schema });
  } catch (error) {
    await cleanup().catch(() => {});
    throw error;
  }
  try {
    const registered = await registerUser(services.storage, { email: 'bench@example.com', name: 'Bench', passwordHash: 'not-a-password-hash', isActive: true }, undefined);
    if (!registered.ok) throw new Error('could not create the benchmark user');
    const membership = await services.storage.db.selectFrom('memberships').select('account_id').where('user_id', '=', registered.user.id).executeTakeFirstOrThrow();
    const description = databaseUrl ? `PostgreSQL ${await postgresVersion(services)} (a schema of its own per table, dropped afterwards)` : 'SQLite (a file in a temporary directory, WAL)';
    return {
      services,
      userId: registered.user.id,
      accountId: membership.account_id,
      description,
      async close() {
        await services.close();
        await cleanup();
      },
    };
  } catch (error) {
    await services.close().catch(() => {});
    await cleanup().catch(() => {});
    throw error;
  }
}

async function postgresVersion(services: Services): Promise<string> {
  const { sql } = await import('kysely');
  const result = await sql<{ server_version: string }>`SHOW server_version`.execute(services.storage.db);
  return result.rows[0]?.server_version.split(' ')[0] ?? '?';
}

