// Provider rows: upstreams added through the admin plane (account-owned) or by operators
// (server-wide, account_id null). The secret column holds a sealed ciphertext; sealing and opening
// happen in the gateway, so this repository never sees a plaintext secret.
import type { Kysely, Selectable } from 'kysely';
import { fromJson, toJson } from './json-column.js';
import type { Database, ProvidersTable } from './schema.js';

export interface ProviderRecord {
  id: string;
  accountId: string | null;
  name: string;
  type: 'openai' | 'http';
  baseUrl: string;
  encryptedSecret: string | null;
  models: string[] | null;
  /** Server-wide only: reachable as `provider/model` (off by default). */
  direct: boolean;
  /** The chat output-cap field the upstream honours; null/absent means max_completion_tokens. */
  outputCapField?: 'max_completion_tokens' | 'max_tokens' | null;
  createdAt: string;
  updatedAt: string;
}

export type ProviderPatch = Partial<Pick<ProviderRecord, 'baseUrl' | 'encryptedSecret' | 'models' | 'direct' | 'outputCapField'>>;

function toRecord(row: Selectable<ProvidersTable>): ProviderRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    type: row.type,
    baseUrl: row.base_url,
    encryptedSecret: row.encrypted_secret,
    models: fromJson<string[] | null>(row.models, null),
    direct: row.direct === 1,
    outputCapField: row.output_cap_field ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ProvidersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(provider: ProviderRecord): Promise<void> {
    await this.db
      .insertInto('providers')
      .values({
        id: provider.id,
        account_id: provider.accountId,
        name: provider.name,
        type: provider.type,
        base_url: provider.baseUrl,
        encrypted_secret: provider.encryptedSecret,
        models: provider.models === null ? null : toJson(provider.models),
        direct: provider.direct ? 1 : 0,
        output_cap_field: provider.outputCapField ?? null,
        created_at: provider.createdAt,
        updated_at: provider.updatedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<ProviderRecord | undefined> {
    const row = await this.db.selectFrom('providers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** An owner's providers (null = server-wide), by name. */
  async listByOwner(accountId: string | null): Promise<ProviderRecord[]> {
    let query = this.db.selectFrom('providers').selectAll();
    query = accountId === null ? query.where('account_id', 'is', null) : query.where('account_id', '=', accountId);
    return (await query.orderBy('name').orderBy('id').execute()).map(toRecord);
  }

  async update(id: string, patch: ProviderPatch, at: string): Promise<void> {
    await this.db
      .updateTable('providers')
      .set({
        ...(patch.baseUrl !== undefined ? { base_url: patch.baseUrl } : {}),
        ...(patch.encryptedSecret !== undefined ? { encrypted_secret: patch.encryptedSecret } : {}),
        ...(patch.models !== undefined ? { models: patch.models === null ? null : toJson(patch.models) } : {}),
        ...(patch.direct !== undefined ? { direct: patch.direct ? 1 : 0 } : {}),
        ...(patch.outputCapField !== undefined ? { output_cap_field: patch.outputCapField } : {}),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('providers').where('id', '=', id).execute();
  }
}
