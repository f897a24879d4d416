// /api/v1/auth/keys: a user's personal API keys. Access tokens only: an API key can never mint,
// change or reveal keys. Another user's key answers 404 on every route (no existence leak).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { nameField } from '../http/name-field.js';
import { authenticateUser } from '../http/authenticate.js';
import type { Services } from '../services.js';
import { isKeyActive } from '../core/key-state.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import type { StorageTransaction } from '../storage/storage.js';
import { keyChangeAudit, keyMetadata, validateKeySettings } from '../keys/key-settings.js';
import { Budgets } from '../credits/budgets.js';
import { announceNextPage, KeyListQuery, keyPageRequest } from '../http/key-list-page.js';
import { CreatedKey, CreateKeyBody, DecryptedKey, KeyIdParams, KeyMetadata, PatchKeyBody, RotateKeyBody } from '../http/schemas/key-schemas.js';

/** What these routes use of the composition root. */
export type KeyRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'keyEvents' | 'keys' | 'storage' | 'throttles'>;

const tags = ['auth'];
const security = [{ bearer: [] }];
const MAX_ACTIVE_KEYS_PER_USER = 1000;

/** Why a rotation did not start: the key was rotated already (naming its successor) or revoked. */
async function notRotatable(tx: StorageTransaction, id: string): Promise<ApiError> {
  const successor = await tx.apiKeys.findSuccessor(id);
  if (!successor) return new ApiError('conflict', { message: 'Only an active key can be rotated.' });
  return new ApiError('conflict', {
    message: `This key was already rotated; its successor is ${successor.id}.`,
    suggestion: `Rotate ${successor.id} instead, or revoke this key to end its grace period now.`,
  });
}

export function registerKeyRoutes(app: FastifyInstance, services: KeyRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage, keys } = services;
  const { budgets } = services.credits;

  /** A key's metadata with its budget as it stands now. */
  async function withBudget(key: ApiKeyRecord, now: Date) {
    return keyMetadata(key, now, await budgets.view('key', key.id));
  }

  async function ownedKey(userId: string, id: string): Promise<ApiKeyRecord> {
    const key = await storage.apiKeys.findById(id);
    if (!key || key.createdBy !== userId || key.kind !== 'personal') throw new ApiError('not_found', { message: 'No such key.' });
    return key;
  }

  async function personalAccountId(userId: string): Promise<string> {
    const account = await storage.accounts.findPersonal(userId);
    if (!account) throw new ApiError('not_found', { message: 'The personal account no longer exists.' });
    return account.id;
  }

  /**
   * The default key: the one marked, else the oldest active one — among keys not already scheduled
   * to stop (a rotated key in its grace period is dying: its successor is the one to hand out).
   */
  async function defaultKey(userId: string): Promise<ApiKeyRecord> {
    const now = new Date().toISOString();
    const active = (await storage.apiKeys.listByCreator(userId, 'personal')).filter((k) => isKeyActive(k, now));
    const lasting = active.filter((k) => k.revokedAt === null);
    const key = lasting.find((k) => k.isDefault) ?? lasting[0] ?? active.find((k) => k.isDefault) ?? active[0];
    if (!key) throw new ApiError('not_found', { message: 'You have no active key.', suggestion: 'Create one with POST /api/v1/auth/keys.' });
    return key;
  }

  r.post('/api/v1/auth/keys', { schema: { tags, security, body: CreateKeyBody, response: { 201: CreatedKey } } }, async (request, reply) => {
    const user = await authenticateUser(services, request);
    const settings = validateKeySettings(request.body, new Date());
    Budgets.check(request.body.budget);
    const now = new Date();
    const existing = (await storage.apiKeys.listByCreator(user.id, 'personal')).filter((k) => isKeyActive(k, now.toISOString()));
    if (existing.length >= MAX_ACTIVE_KEYS_PER_USER) {
      throw new ApiError('conflict', { message: `A user may have at most ${MAX_ACTIVE_KEYS_PER_USER} active keys.`, suggestion: 'Revoke keys you no longer use.' });
    }
    const accountId = await personalAccountId(user.id);
    const { record, key } = await storage.transaction(async (tx) => {
      const minted = await keys.withStorage(tx).mint({
        accountId,
        createdBy: user.id,
        kind: 'personal',
        name: nameField('name', request.body.name ?? null),
        environment: request.body.environment ?? 'live',
        expiresAt: settings.expiresAt ?? null,
        allowedOrigins: settings.allowedOrigins ?? [],
        scopes: settings.scopes ?? [],
        models: settings.models ?? null,
        rateLimit: settings.rateLimit ?? null,
        allowedIps: settings.allowedIps ?? [],
        metadata: settings.metadata ?? {},
        isDefault: false,
        recoverable: services.config.keyRecovery,
        rotatedFrom: null,
      });
      if (request.body.is_default) {
        await tx.apiKeys.setDefault(user.id, minted.record.id, minted.record.createdAt);
        minted.record.isDefault = true;
      }
      await budgets.set(tx, 'key', minted.record.id, accountId, request.body.budget);
      await tx.audit.record({ accountId, actorType: 'user', actorId: user.id, action: 'key.created', targetType: 'api_key', targetId: minted.record.id, requestId: request.id });
      return minted;
    });
    if (request.body.budget) budgets.changed(accountId);
    return reply.status(201).send({ ...(await withBudget(record, now)), key });
  });

  // Oldest first, a page at a time (SPEC §8): the next page's cursor comes in X-Next-Cursor and Link.
  r.get('/api/v1/auth/keys', { schema: { tags, security, querystring: KeyListQuery, response: { 200: Type.Array(KeyMetadata) } } }, async (request, reply) => {
    const user = await authenticateUser(services, request);
    const now = new Date();
    const page = await storage.apiKeys.page({ owner: { createdBy: user.id }, kind: 'personal', order: 'asc', ...keyPageRequest(request.query) });
    announceNextPage(request, reply, page.next);
    const views = await budgets.viewMany('key', page.keys.map((k) => k.id));
    return page.keys.map((k) => keyMetadata(k, now, views.get(k.id) ?? null));
  });

  r.get('/api/v1/auth/keys/default', { schema: { tags, security, response: { 200: KeyMetadata } } }, async (request) => {
    const user = await authenticateUser(services, request);
    return withBudget(await defaultKey(user.id), new Date());
  });

  r.get('/api/v1/auth/keys/first', { schema: { tags, security, response: { 200: KeyMetadata } } }, async (request) => {
    const user = await authenticateUser(services, request);
    const now = new Date();
    const first = (await storage.apiKeys.listByCreator(user.id, 'personal')).find((k) => isKeyActive(k, now.toISOString()));
    if (!first) throw new ApiError('not_found', { message: 'You have no active key.' });
    return withBudget(first, now);
  });

  r.get('/api/v1/auth/keys/default/decrypted', { schema: { tags, security, response: { 200: DecryptedKey } } }, async (request) => {
    const user = await authenticateUser(services, request);
    if (!services.config.keyRecovery) throw new ApiError('key_recovery_disabled');
    // A stricter limit than anything else on the control plane: this route hands out secrets.
    const over = services.throttles.keyRecovery.hit(user.id);
    if (over !== null) throw new ApiError('rate_limited', { message: 'Too many key recoveries.', headers: { 'retry-after': String(over) } });
    const key = await defaultKey(user.id);
    const plaintext = keys.reveal(key);
    if (plaintext === null) {
      throw new ApiError('conflict', { message: 'This key cannot be recovered.', suggestion: 'Rotate it to get a new key, shown once.' });
    }
    await storage.audit.record({ accountId: key.accountId, actorType: 'user', actorId: user.id, action: 'key.revealed', targetType: 'api_key', targetId: key.id, requestId: request.id });
    const now = new Date();
    return { id: key.id, key: plaintext, key_prefix: key.keyPrefix, name: key.name, created_at: key.createdAt, is_active: isKeyActive(key, now.toISOString()), is_default: key.isDefault };
  });

  r.get('/api/v1/auth/keys/:id', { schema: { tags, security, params: KeyIdParams, response: { 200: KeyMetadata } } }, async (request) => {
    const user = await authenticateUser(services, request);
    return withBudget(await ownedKey(user.id, request.params.id), new Date());
  });

  r.patch('/api/v1/auth/keys/:id', { schema: { tags, security, params: KeyIdParams, body: PatchKeyBody, response: { 200: KeyMetadata } } }, async (request) => {
    const user = await authenticateUser(services, request);
    const key = await ownedKey(user.id, request.params.id);
    const now = new Date();
    const settings = validateKeySettings(request.body, now);
    Budgets.check(request.body.budget);
    const updated = await storage.transaction(async (tx) => {
      const row = await tx.apiKeys.update(key.id, { ...settings, ...(request.body.name !== undefined ? { name: nameField('name', request.body.name) } : {}) }, now.toISOString());
      await budgets.set(tx, 'key', key.id, key.accountId, request.body.budget);
      await tx.audit.record({ accountId: key.accountId, actorType: 'user', actorId: user.id, action: 'key.updated', targetType: 'api_key', targetId: key.id, data: keyChangeAudit(request.body, settings), requestId: request.id });
      return row;
    });
    services.keyEvents.changed(key.id);
    if (request.body.budget !== undefined) budgets.changed(key.accountId);
    if (!updated) throw new ApiError('not_found', { message: 'No such key.' });
    return withBudget(updated, now);
  });

  r.delete('/api/v1/auth/keys/:id', { schema: { tags, security, params: KeyIdParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const user = await authenticateUser(services, request);
    const key = await ownedKey(user.id, request.params.id);
    const at = new Date().toISOString();
    await storage.transaction(async (tx) => {
      if (await keys.withStorage(tx).revoke(key, at)) {
        await tx.audit.record({ accountId: key.accountId, actorType: 'user', actorId: user.id, action: 'key.revoked', targetType: 'api_key', targetId: key.id, requestId: request.id });
      }
    });
    services.keyEvents.changed(key.id);
    return reply.status(204).send(null);
  });

  r.post('/api/v1/auth/keys/:id/rotate', { schema: { tags, security, params: KeyIdParams, body: Type.Optional(RotateKeyBody), response: { 201: CreatedKey } } }, async (request, reply) => {
    const user = await authenticateUser(services, request);
    const old = await ownedKey(user.id, request.params.id);
    const now = new Date();
    if (!isKeyActive(old, now.toISOString())) throw new ApiError('conflict', { message: 'Only an active key can be rotated.' });
    const graceS = request.body?.grace_period_seconds ?? 0;
    const revokeAt = new Date(now.getTime() + graceS * 1000).toISOString();
    const { record, key } = await storage.transaction(async (tx) => {
      // The old key keeps working until revokeAt; its settings carry over to the new one. A key
      // that already has a successor is not rotated again: one live successor per key.
      if (!(await tx.apiKeys.beginRotation(old.id, revokeAt, now.toISOString()))) throw await notRotatable(tx, old.id);
      const minted = await keys.withStorage(tx).mint({
        accountId: old.accountId,
        createdBy: user.id,
        kind: 'personal',
        name: old.name,
        environment: old.environment,
        expiresAt: old.expiresAt,
        allowedOrigins: old.allowedOrigins,
        scopes: old.scopes,
        models: old.models,
        rateLimit: old.rateLimit,
        allowedIps: old.allowedIps,
        metadata: old.metadata,
        isDefault: old.isDefault,
        recoverable: services.config.keyRecovery,
        rotatedFrom: old.id,
      }, now);
      // The default passes to the successor: the old key is dying (issue 14 item 10).
      if (old.isDefault) await tx.apiKeys.setDefault(user.id, minted.record.id, now.toISOString());
      // So does the budget's setting (its spend is the old key's own: the successor starts at 0).
      const budget = await tx.budgets.find('key', old.id);
      if (budget) await tx.budgets.upsert({ ...budget, ownerId: minted.record.id, createdAt: now.toISOString(), updatedAt: now.toISOString() });
      await tx.audit.record({ accountId: old.accountId, actorType: 'user', actorId: user.id, action: 'key.rotated', targetType: 'api_key', targetId: minted.record.id, data: { rotated_from: old.id, grace_period_seconds: graceS }, requestId: request.id });
      return minted;
    });
    services.keyEvents.changed(old.id);
    return reply.status(201).send({ ...(await withBudget(record, now)), key });
  });

  r.put('/api/v1/auth/keys/:id/default', { schema: { tags, security, params: KeyIdParams, response: { 200: KeyMetadata } } }, async (request) => {
    const user = await authenticateUser(services, request);
    const key = await ownedKey(user.id, request.params.id);
    const now = new Date();
    if (!isKeyActive(key, now.toISOString())) throw new ApiError('conflict', { message: 'Only an active key can be the default.' });
    await storage.transaction((tx) => tx.apiKeys.setDefault(user.id, key.id, now.toISOString()));
    return withBudget({ ...key, isDefault: true }, now);
  });
}
