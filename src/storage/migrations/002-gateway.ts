// The data plane's tables: account-owned and server-wide upstreams (providers, aliases, routes;
// `account_id` null = server-wide, managed by operators), sessions (a key's lease on one upstream
// target per model) and usage records (one per data-plane request, written in batches).
import { sql, type Kysely } from 'kysely';

export function gateway() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('providers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text', (c) => c.notNull())
        // AES-256-GCM, associated data binding it to this row (never returned by any API).
        .addColumn('encrypted_secret', 'text')
        .addColumn('models', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('providers_account').on('providers').columns(['account_id', 'name']).execute();

      await db.schema
        .createTable('aliases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('targets', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('aliases_account').on('aliases').columns(['account_id', 'name']).execute();

      await db.schema
        .createTable('routes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('methods', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('cost', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('routes_account').on('routes').columns(['account_id', 'path']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('target_model', 'text', (c) => c.notNull())
        .addColumn('failovers', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .execute();
      // At most one open session per key and model, even when two nodes open one at once.
      await db.schema
        .createIndex('sessions_one_open')
        .on('sessions')
        .columns(['key_id', 'model'])
        .unique()
        .where(sql.ref('ended_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('usage_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('model', 'text')
        .addColumn('route', 'text')
        .addColumn('provider', 'text')
        .addColumn('target_model', 'text')
        .addColumn('session_id', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('credits', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('latency_ms', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failovers', 'integer', (c) => c.notNull().defaultTo(0))
        // The UTC day (YYYY-MM-DD) the request started: the grouping key of GET /api/v1/usage.
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('usage_records_account_day').on('usage_records').columns(['account_id', 'day']).execute();
    },
  };
}
