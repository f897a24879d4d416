// CRUD of upstream providers, for one owner scope (an account on /admin/providers, the server on
// /api/v1/operator/providers). Secrets are sealed before they are stored and never returned; a
// provider of another owner answers 404; every change is audited and announced to the catalog.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { DEFAULT_OUTPUT_CAP_FIELD } from '../core/output-cap.js';
import { newId } from '../core/ids.js';
import { decideRepoint } from '../core/provider-repoint.js';
import type { ProviderRecord } from '../storage/providers.js';
import type { StorageTransaction } from '../storage/storage.js';
import { auditedChange } from './audited-change.js';
import type { CatalogActor, CatalogCrudDeps, CatalogScope } from './catalog-owner.js';
import { CreateProviderBody, IdParams, PatchProviderBody, ProviderOut } from './catalog-schemas.js';
import { sealProviderSecret } from './provider-secrets.js';
import { assertAllowedUpstream } from './upstream-address-check.js';

export const MAX_PROVIDERS_PER_OWNER = 200;

export function providerOut(p: ProviderRecord) {
  // An account's own providers always resolve as `provider/model`; a server-wide one only when opted in.
  const direct = p.accountId === null ? p.direct : true;
  return { id: p.id, name: p.name, type: p.type, base_url: p.baseUrl, models: p.models, has_secret: p.encryptedSecret !== null, direct, output_cap_field: p.outputCapField ?? DEFAULT_OUTPUT_CAP_FIELD, account_id: p.accountId, created_at: p.createdAt, updated_at: p.updatedAt };
}

/** `direct` is the operator's opt-in for server-wide providers; an account's own are always direct. */
function directSetting(actor: CatalogActor, direct: boolean | undefined): boolean | undefined {
  if (direct !== undefined && actor.accountId !== null) {
    throw new ApiError('validation_error', { message: "An account's own providers always resolve as provider/model; direct is for server-wide providers.", field: 'direct' });
  }
  return direct;
}

/** The owner's provider by id, or 404 (another owner's provider does not exist for this caller). */
export async function ownedProvider(services: CatalogCrudDeps, actor: CatalogActor, id: string): Promise<ProviderRecord> {
  const provider = await services.storage.providers.findById(id);
  if (!provider || provider.accountId !== actor.accountId) throw new ApiError('not_found', { message: 'No such provider.' });
  return provider;
}

export function registerProviderCrud(app: FastifyInstance, services: CatalogCrudDeps, scope: CatalogScope): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;
  const { tags, basePath } = scope;
  const security = [{ bearer: [] }];

  /** The write and its audit entry in one transaction; the catalog hears of it once both are stored. */
  async function change<T>(actor: CatalogActor, action: string, targetId: string, requestId: string, data: Record<string, unknown>, write: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    const result = await auditedChange(storage, actor, { action, targetType: 'provider', targetId, data, requestId }, write);
    services.gateway.catalog.changed(actor.accountId);
    return result;
  }

  r.post(basePath, { schema: { tags, security, body: CreateProviderBody, response: { 201: ProviderOut } } }, async (request, reply) => {
    const actor = await scope.actor(services, request);
    const body = request.body;
    const existing = await storage.providers.listByOwner(actor.accountId);
    const configured = actor.accountId === null && services.config.file.providers.some((p) => p.id === body.name);
    if (configured || existing.some((p) => p.name === body.name)) throw new ApiError('conflict', { message: `A provider named ${JSON.stringify(body.name)} already exists.` });
    if (existing.length >= MAX_PROVIDERS_PER_OWNER) throw new ApiError('conflict', { message: `At most ${MAX_PROVIDERS_PER_OWNER} providers.` });
    const baseUrl = await assertAllowedUpstream(body.base_url, actor.trusted);
    const id = newId('prv');
    const at = new Date().toISOString();
    const provider: ProviderRecord = {
      id,
      accountId: actor.accountId,
      name: body.name,
      type: body.type,
      baseUrl,
      encryptedSecret: body.api_key ? sealProviderSecret(services.secrets, id, actor.accountId, body.api_key) : null,
      models: body.models ?? null,
      direct: directSetting(actor, body.direct) ?? false,
      outputCapField: body.output_cap_field ?? null,
      createdAt: at,
      updatedAt: at,
    };
    await change(actor, 'provider.created', id, request.id, { name: provider.name, type: provider.type }, (tx) => tx.providers.insert(provider));
    return reply.status(201).send(providerOut(provider));
  });

  r.get(basePath, { schema: { tags, security, response: { 200: Type.Object({ providers: Type.Array(ProviderOut) }) } } }, async (request) => {
    const actor = await scope.actor(services, request);
    return { providers: (await storage.providers.listByOwner(actor.accountId)).map(providerOut) };
  });

  r.get(`${basePath}/:id`, { schema: { tags, security, params: IdParams, response: { 200: ProviderOut } } }, async (request) => {
    const actor = await scope.actor(services, request);
    return providerOut(await ownedProvider(services, actor, request.params.id));
  });

  r.patch(`${basePath}/:id`, { schema: { tags, security, params: IdParams, body: PatchProviderBody, response: { 200: ProviderOut } } }, async (request) => {
    const actor = await scope.actor(services, request);
    const provider = await ownedProvider(services, actor, request.params.id);
    const body = request.body;
    const baseUrl = body.base_url === undefined ? undefined : await assertAllowedUpstream(body.base_url, actor.trusted);
    // The stored secret never follows the provider to another origin (issue 9 item 3).
    const repoint = decideRepoint(actor.role, provider.baseUrl, baseUrl, body.api_key !== undefined);
    if (!repoint.ok) throw new ApiError('forbidden', { message: repoint.message, field: 'base_url' });
    const dropSecret = repoint.changed && repoint.dropSecret;
    const encryptedSecret = body.api_key === undefined ? (dropSecret ? null : undefined) : body.api_key === null ? null : sealProviderSecret(services.secrets, provider.id, provider.accountId, body.api_key);
    const direct = directSetting(actor, body.direct);
    // Names of changed fields only: never the secret itself; a move to another origin says so.
    const moved = repoint.changed && repoint.originChanged ? { origin: { from: repoint.from, to: repoint.to }, secret_dropped: dropSecret && provider.encryptedSecret !== null } : {};
    const updated = await change(actor, 'provider.updated', provider.id, request.id, { fields: Object.keys(body), ...moved }, (tx) =>
      tx.providers.update(provider.id, { baseUrl, encryptedSecret, models: body.models, direct, outputCapField: body.output_cap_field }, new Date().toISOString()),
    );
    if (!updated) throw new ApiError('not_found', { message: 'No such provider.' });
    return providerOut(updated);
  });

  r.delete(`${basePath}/:id`, { schema: { tags, security, params: IdParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const actor = await scope.actor(services, request);
    const provider = await ownedProvider(services, actor, request.params.id);
    const inUse = (await storage.routes.listByOwner(actor.accountId)).find((route) => route.provider === provider.name);
    if (inUse) throw new ApiError('conflict', { message: `The route ${inUse.path} uses this provider.`, suggestion: 'Delete or re-point the route first.' });
    await change(actor, 'provider.deleted', provider.id, request.id, { name: provider.name }, (tx) => tx.providers.delete(provider.id));
    return reply.status(204).send(null);
  });
}
