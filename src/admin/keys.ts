// /admin/keys: the account's org proxy keys (Morph-style, seed-compatible shapes of SPEC §4).
// Org keys belong to the account, are never recoverable, and record who minted them: the user, or
// null for a service token (the audit trail names the token). A revoke is announced on the key
// events so every node's key cache drops the key.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { nameField } from '../http/name-field.js';
import { validateKeySettings } from '../keys/key-settings.js';
import type { Services } from '../services.js';
import { isKeyActive } from '../core/key-state.js';
import { AdminKeyList, AdminKeyParams, CreatedAdminKey, CreateAdminKeyBody } from '../http/schemas/admin-schemas.js';
import { authenticateAdmin } from '../http/authenticate-admin.js';

const tags = ['admin'];
const security = [{ bearer: [] }];
export const MAX_ACTIVE_ORG_KEYS = 1000;

export function registerAdminKeyRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage, keys } = services;

  r.post('/admin/keys', { schema: { tags, security, body: CreateAdminKeyBody, response: { 201: CreatedAdminKey } } }, async (request, reply) => {
    const principal = await authenticateAdmin(services, request);
    const now = new Date();
    const settings = validateKeySettings(request.body, now);
    const active = (await storage.apiKeys.listByAccount(principal.accountId, 'org')).filter((k) => isKeyActive(k, now.toISOString()));
    if (active.length >= MAX_ACTIVE_ORG_KEYS) {
      throw new ApiError('conflict', { message: `An account may have at most ${MAX_ACTIVE_ORG_KEYS} active org keys.`, suggestion: 'Revoke keys you no longer use.' });
    }
    const { record, key } = await storage.transaction(async (tx) => {
      const minted = await keys.withStorage(tx).mint(
        {
          accountId: principal.accountId,
          createdBy: principal.user?.id ?? null,
          kind: 'org',
          name: nameField('name', request.body.name),
          environment: request.body.environment ?? 'live',
          expiresAt: settings.expiresAt ?? null,
          allowedOrigins: settings.allowedOrigins ?? [],
          scopes: settings.scopes ?? [],
          models: settings.models ?? null,
          rateLimit: null,
          isDefault: false,
          recoverable: false,
          rotatedFrom: null,
        },
        now,
      );
      await tx.audit.record({ accountId: principal.accountId, actorType: principal.actor.type, actorId: principal.actor.id, action: 'org_key.created', targetType: 'api_key', targetId: minted.record.id, data: { name: minted.record.name }, requestId: request.id });
      return minted;
    });
    const enabled = isKeyActive(record, now.toISOString());
    return reply.status(201).send({ key: { id: record.id, name: record.name, prefix: record.keyPrefix, enabled, created_at: record.createdAt }, secret: key });
  });

  r.get('/admin/keys', { schema: { tags, security, response: { 200: AdminKeyList } } }, async (request) => {
    const principal = await authenticateAdmin(services, request);
    const now = new Date().toISOString();
    const list = await storage.apiKeys.listByAccount(principal.accountId, 'org');
    return {
      keys: list.reverse().map((k) => ({
        id: k.id,
        name: k.name,
        prefix: k.keyPrefix,
        enabled: isKeyActive(k, now),
        created_at: k.createdAt,
        last_used_at: k.lastUsedAt,
        revoked_at: k.revokedAt,
      })),
    };
  });

  r.delete('/admin/keys/:id', { schema: { tags, security, params: AdminKeyParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const principal = await authenticateAdmin(services, request);
    const key = await storage.apiKeys.findById(request.params.id);
    if (!key || key.kind !== 'org' || key.accountId !== principal.accountId) throw new ApiError('not_found', { message: 'No such key.' });
    const at = new Date().toISOString();
    await storage.transaction(async (tx) => {
      if (await keys.withStorage(tx).revoke(key, at)) {
        await tx.audit.record({ accountId: principal.accountId, actorType: principal.actor.type, actorId: principal.actor.id, action: 'org_key.revoked', targetType: 'api_key', targetId: key.id, requestId: request.id });
      }
    });
    services.keyEvents.changed(key.id);
    return reply.status(204).send(null);
  });
}
