// Provider rows: upstreams added through the admin plane (account-owned) or by operators
// (server-wide, account_id null). The secret column holds a sealed ciphertext; sealing and opening
// happen in the gateway, so this repository never sees a plaintext secret.
import type { Kysely, Selectable } from 'kysely';
import { bool, json, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

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

const codec = tableCodec<Selectable<Tables['providers']>, ProviderRecord>({ models: json<string[] | null>(null), direct: bool });

export class ProvidersRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(provider: ProviderRecord): Promise<void> {
    await this.db.insertInto('providers').values(codec.encode({ ...provider, outputCapField: provider.outputCapField ?? null })).execute();
  }

  async findById(id: string): Promise<ProviderRecord | undefined> {
    const row = await this.db.selectFrom('providers').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codec.decode(row);
  }

  /** An owner's providers (null = server-wide), by name. */
  async listByOwner(accountId: string | null): Promise<ProviderRecord[]> {
    let query = this.db.selectFrom('providers').selectAll();
    query = accountId === null ? query.where('accountId', 'is', null) : query.where('accountId', '=', accountId);
    return (await query.orderBy('name').orderBy('id').execute()).map(codec.decode);
  }

  /** Applies the patch; the stored provider after it, or undefined when it is gone. */
  async update(id: string, patch: ProviderPatch, at: string): Promise<ProviderRecord | undefined> {
    const row = await this.db.updateTable('providers').set(codec.encode({ ...patch, updatedAt: at })).where('id', '=', id).returningAll().executeTakeFirst();
    return row && codec.decode(row);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('providers').where('id', '=', id).execute();
  }
}
