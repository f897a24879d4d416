// Webhook endpoint rows (migration 012-webhooks): an account's receivers. The secret column holds a
// sealed ciphertext; sealing and opening happen in src/webhooks, so this repository never sees a
// plaintext signing secret.
import type { Kysely, Selectable } from 'kysely';
import { intOrNull, json, tableCodec } from './codec.js';
import { CompiledStatement } from './compiled-statement.js';
import type { Tables } from './schema.js';

export interface WebhookEndpointRecord {
  id: string;
  accountId: string;
  url: string;
  events: string[];
  threshold: number | null;
  description: string | null;
  encryptedSecret: string;
  createdAt: string;
  updatedAt: string;
}

export type WebhookEndpointPatch = Partial<Pick<WebhookEndpointRecord, 'url' | 'events' | 'threshold' | 'description'>>;

/** Read by every group commit that charges an account (its credits.low thresholds): compiled once. */
const listByAccountStatement = new CompiledStatement();

const codec = tableCodec<Selectable<Tables['webhook_endpoints']>, WebhookEndpointRecord>({ events: json<string[]>([]), threshold: intOrNull });

export class WebhookEndpointsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(endpoint: WebhookEndpointRecord): Promise<void> {
    await this.db.insertInto('webhook_endpoints').values(codec.encode(endpoint) as Selectable<Tables['webhook_endpoints']>).execute();
  }

  async findById(id: string): Promise<WebhookEndpointRecord | undefined> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codec.decode(row);
  }

  /** The account's endpoints, oldest first (an account has a handful at most). */
  async listByAccount(accountId: string): Promise<WebhookEndpointRecord[]> {
    const { rows } = await listByAccountStatement.run(this.db, 0, [accountId], () =>
      this.db.selectFrom('webhook_endpoints').selectAll().where('accountId', '=', accountId).orderBy('createdAt').orderBy('id'),
    );
    return rows.map(codec.decode);
  }

  /** Applies the patch; the endpoint after it, or undefined when it is gone. */
  async update(id: string, patch: WebhookEndpointPatch, at: string): Promise<WebhookEndpointRecord | undefined> {
    const row = await this.db.updateTable('webhook_endpoints').set(codec.encode({ ...patch, updatedAt: at })).where('id', '=', id).returningAll().executeTakeFirst();
    return row && codec.decode(row);
  }

  /** Deletes the endpoint and, by cascade, its queued deliveries. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
