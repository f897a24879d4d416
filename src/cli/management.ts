// Operator commands for scripts: keys (list, create, revoke) and credit grants, through the same
// services as the HTTP API — a revocation fans out to running nodes over the key bus, and every
// write is audited as the system's, with `via: "cli"`. Output is for pipes: a created key alone on
// stdout (KEY=$(tollgate keys create …)), everything else tab-separated, one row per line.
import { isKeyActive } from '../core/key-state.js';
import type { Services } from '../services.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';

export type ManagementDeps = Pick<Services, 'storage' | 'keys' | 'keyEvents' | 'config' | 'credits'>;

/** A failure the operator can act on: printed as `tollgate: <message>`, exit 1. */
export class CommandError extends Error {}

async function userByEmail(services: ManagementDeps, email: string) {
  const user = await services.storage.users.findByEmail(email.trim().toLowerCase());
  if (!user) throw new CommandError(`no user with email ${email}; they register first`);
  return user;
}

function keyStatus(key: ApiKeyRecord, now: string): string {
  if (isKeyActive(key, now)) return key.revokedAt ? 'rotating' : 'active';
  return key.revokedAt && key.revokedAt <= now ? 'revoked' : 'expired';
}

export async function listKeys(services: ManagementDeps, email: string): Promise<string[]> {
  const user = await userByEmail(services, email);
  const now = new Date().toISOString();
  const keys = [...(await services.storage.apiKeys.listByCreator(user.id, 'personal')), ...(await services.storage.apiKeys.listByCreator(user.id, 'org'))];
  return [['id', 'prefix', 'kind', 'name', 'status', 'created_at', 'last_used_at'].join('\t'), ...keys.map((k) => [k.id, k.keyPrefix, k.kind, k.name ?? '', keyStatus(k, now), k.createdAt, k.lastUsedAt ?? ''].join('\t'))];
}

export async function createKey(services: ManagementDeps, input: { email: string; name: string | null; environment: 'live' | 'test' }): Promise<{ key: string; id: string; accountId: string }> {
  const user = await userByEmail(services, input.email);
  const account = await services.storage.accounts.findPersonal(user.id);
  if (!account) throw new CommandError(`${input.email} has no personal account`);
  const { record, key } = await services.storage.transaction(async (tx) => {
    const minted = await services.keys.withStorage(tx).mint({
      accountId: account.id,
      createdBy: user.id,
      kind: 'personal',
      name: input.name,
      environment: input.environment,
      expiresAt: null,
      allowedOrigins: [],
      scopes: [],
      models: null,
      rateLimit: null,
      isDefault: false,
      recoverable: services.config.keyRecovery,
      rotatedFrom: null,
    });
    await tx.audit.record({ accountId: account.id, actorType: 'system', actorId: null, action: 'key.created', targetType: 'api_key', targetId: minted.record.id, data: { via: 'cli' } });
    return minted;
  });
  return { key, id: record.id, accountId: account.id };
}

export async function revokeKey(services: ManagementDeps, keyId: string): Promise<'revoked' | 'already revoked'> {
  const key = await services.storage.apiKeys.findById(keyId);
  if (!key) throw new CommandError(`no key with id ${keyId}`);
  const at = new Date().toISOString();
  const changed = await services.storage.transaction(async (tx) => {
    if (!(await services.keys.withStorage(tx).revoke(key, at))) return false;
    await tx.audit.record({ accountId: key.accountId, actorType: 'system', actorId: null, action: 'key.revoked', targetType: 'api_key', targetId: key.id, data: { via: 'cli' } });
    return true;
  });
  // This node's cache and, over the key bus, every running node's (SPEC §2).
  services.keyEvents.changed(key.id);
  return changed ? 'revoked' : 'already revoked';
}

export async function grantCredits(services: ManagementDeps, input: { accountId?: string; email?: string; amount: number; reason: string | null }): Promise<{ accountId: string; balanceAfter: number }> {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0) throw new CommandError('--amount must be a whole number of credits other than 0');
  const accountId = input.accountId ?? (await services.storage.accounts.findPersonal((await userByEmail(services, input.email!)).id))?.id;
  if (!accountId || !(await services.storage.accounts.findById(accountId))) throw new CommandError(`no account ${input.accountId ?? `for ${input.email}`}`);
  const result = await services.credits.ledger.grant({
    accountId,
    amount: input.amount,
    reason: input.reason,
    actorId: null,
    requestId: null,
    alsoInTransaction: async (tx, entry) => {
      await tx.audit.record({ accountId, actorType: 'system', actorId: null, action: input.amount > 0 ? 'credits.granted' : 'credits.debited', targetType: 'account', targetId: accountId, data: { amount: input.amount, reason: input.reason, ledger_entry_id: entry.id, via: 'cli' } });
    },
  });
  if (result.kind === 'insufficient') throw new CommandError(`the account holds only ${result.available} credits; a debit cannot take it below 0`);
  if (result.kind !== 'created') throw new CommandError('the grant was not written');
  return { accountId, balanceAfter: result.entry.balanceAfter };
}
