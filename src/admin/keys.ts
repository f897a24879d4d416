// /admin/keys: the account's org proxy keys (Morph-style, seed-compatible shapes of SPEC §4).
// Org keys belong to the account, are never recoverable, and record who minted them: the user, or
// null for a service token (the audit trail names the token). A change or revoke is announced on
// the key events so every node's key cache drops the key.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { nameField } from '../http/name-field.js';
import { keyChangeAudit, validateKeySettings } from '../keys/key-settings.js';
import type { Services } from '../services.js';
import { isKeyActive } from '../core/key-state.js';
import { AdminKey, AdminKeyList, AdminKeyParams, CreatedAdminKey, CreateAdminKeyBody, PatchAdminKeyBody } from '../http/schemas/admin-schemas.js';
import { Budgets, type BudgetView } from '../credits/budgets.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import { authenticateAdmin, type AdminPrincipal } from '../http/authenticate-admin.js';
import { announceNextPage, KeyListQuery, keyPageRequest } from '../http/key-list-page.js';

/** What these routes use of the composition root. */
export type AdminKeyRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'keyEvents' | 'keys' | 'serviceTokens' | 'storage'>;

const tags = ['admin'];
const security = [{ bearer: [] }];
export const MAX_ACTIVE_ORG_KEYS = 1000;

/** An org key as every admin read shows it. */
function adminKeyOut(k: ApiKeyRecord, now: string, budget: BudgetView | null) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.keyPrefix,
    enabled: isKeyActive(k, now),
    created_at: k.createdAt,
    last_used_at: k.lastUsedAt,
    revoked_at: k.revokedAt,
    allowed_ips: k.allowedIps,
    metadata: k.metadata,
    budget,
  };
}

export function registerAdminKeyRoutes(app: FastifyInstance, services: AdminKeyRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage, keys } = services;
  const { budgets } = services.credits;

  /** SPEC §8: budgets are set by owners, admins (and service tokens they mint) and operators. */
  function mayChangeBudget(principal: AdminPrincipal, budget: unknown): void {
    if (budget !== undefined && principal.role === 'member') throw new ApiError('forbidden', { message: 'Only owners and admins can set a budget.' });
  }

  /** The account's org key, or 404: another account's key does not exist from here. */
  async function orgKey(accountId: string, id: string): Promise<ApiKeyRecord> {
    const key = await storage.apiKeys.findById(id);
    if (!key || key.kind !== 'org' || key.accountId !== accountId) throw new ApiError('not_found', { message: 'No such key.' });
    return key;
  }

  r.post('/admin/keys', { schema: { tags, security, body: CreateAdminKeyBody, response: { 201: CreatedAdminKey } } }, async (request, reply) => {
    const principal = await authenticateAdmin(services, request);
    const now = new Date();
    const settings = validateKeySettings(request.body, now);
    Budgets.check(request.body.budget);
    mayChangeBudget(principal, request.body.budget);
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
          allowedIps: settings.allowedIps ?? [],
          metadata: settings.metadata ?? {},
          isDefault: false,
          recoverable: false,
          rotatedFrom: null,
        },
        now,
      );
      await budgets.set(tx, 'key', minted.record.id, principal.accountId, request.body.budget);
      await tx.audit.record({ accountId: principal.accountId, actorType: principal.actor.type, actorId: principal.actor.id, action: 'org_key.created', targetType: 'api_key', targetId: minted.record.id, data: { name: minted.record.name }, requestId: request.id });
      return minted;
    });
    if (request.body.budget) budgets.changed(principal.accountId);
    const enabled = isKeyActive(record, now.toISOString());
    const budget = await budgets.view('key', record.id);
    return reply.status(201).send({
      key: { id: record.id, name: record.name, prefix: record.keyPrefix, enabled, created_at: record.createdAt, allowed_ips: record.allowedIps, metadata: record.metadata, budget },
      secret: key,
    });
  });

  // Newest first, a page at a time (SPEC §8): the next page's cursor in `next_cursor`, X-Next-Cursor and Link.
  r.get('/admin/keys', { schema: { tags, security, querystring: KeyListQuery, response: { 200: AdminKeyList } } }, async (request, reply) => {
    const principal = await authenticateAdmin(services, request);
    const now = new Date().toISOString();
    const page = await storage.apiKeys.page({ owner: { accountId: principal.accountId }, kind: 'org', order: 'desc', ...keyPageRequest(request.query) });
    const views = await budgets.viewMany('key', page.keys.map((k) => k.id));
    return { keys: page.keys.map((k) => adminKeyOut(k, now, views.get(k.id) ?? null)), next_cursor: announceNextPage(request, reply, page.next) };
  });

  r.get('/admin/keys/:id', { schema: { tags, security, params: AdminKeyParams, response: { 200: AdminKey } } }, async (request) => {
    const principal = await authenticateAdmin(services, request);
    const key = await orgKey(principal.accountId, request.params.id);
    return adminKeyOut(key, new Date().toISOString(), await budgets.view('key', key.id));
  });

  r.patch('/admin/keys/:id', { schema: { tags, security, params: AdminKeyParams, body: PatchAdminKeyBody, response: { 200: AdminKey } } }, async (request) => {
    const principal = await authenticateAdmin(services, request);
    const key = await orgKey(principal.accountId, request.params.id);
    Budgets.check(request.body.budget);
    mayChangeBudget(principal, request.body.budget);
    const now = new Date();
    const { budget, ...rest } = request.body;
    const settings = validateKeySettings(rest, now);
    const name = rest.name !== undefined ? { name: nameField('name', rest.name) } : {};
    const updated = await storage.transaction(async (tx) => {
      const row = await tx.apiKeys.update(key.id, { ...settings, ...name }, now.toISOString());
      await budgets.set(tx, 'key', key.id, principal.accountId, budget);
      await tx.audit.record({ accountId: principal.accountId, actorType: principal.actor.type, actorId: principal.actor.id, action: 'org_key.updated', targetType: 'api_key', targetId: key.id, data: keyChangeAudit(request.body, settings), requestId: request.id });
      return row;
    });
    // Every node's key cache drops the key, so the new settings apply on the next request.
    services.keyEvents.changed(key.id);
    if (budget !== undefined) budgets.changed(principal.accountId);
    if (!updated) throw new ApiError('not_found', { message: 'No such key.' });
    return adminKeyOut(updated, now.toISOString(), await budgets.view('key', key.id));
  });

  r.delete('/admin/keys/:id', { schema: { tags, security, params: AdminKeyParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const principal = await authenticateAdmin(services, request);
    const key = await orgKey(principal.accountId, request.params.id);
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
