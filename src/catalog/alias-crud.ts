// CRUD of aliases (public model name → targets with a strategy), for one owner scope. Targets
// must name OpenAI-compatible providers of the same owner: an account's alias cannot reach (or
// re-price) the operator's upstreams, and a server alias cannot depend on an account's.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { invalidField } from '../core/validation-error.js';
import { nameField } from '../http/name-field.js';
import type { AliasRecord, AliasTarget } from '../storage/aliases.js';
import type { StorageTransaction } from '../storage/storage.js';
import { auditedChange } from './audited-change.js';
import type { CatalogActor, CatalogCrudDeps, CatalogScope } from './catalog-owner.js';
import { AliasOut, CreateAliasBody, IdParams, PatchAliasBody } from './catalog-schemas.js';

export const MAX_ALIASES_PER_OWNER = 500;

function aliasOut(a: AliasRecord) {
  return { id: a.id, name: a.name, strategy: a.strategy, targets: a.targets, account_id: a.accountId, created_at: a.createdAt, updated_at: a.updatedAt };
}

/** The names of OpenAI-compatible providers an owner's aliases may target. */
async function targetableProviders(services: CatalogCrudDeps, accountId: string | null): Promise<Set<string>> {
  const stored = (await services.storage.providers.listByOwner(accountId)).filter((p) => p.type === 'openai').map((p) => p.name);
  const configured = accountId === null ? services.config.file.providers.filter((p) => p.type === 'openai').map((p) => p.id) : [];
  return new Set([...stored, ...configured]);
}

async function validTargets(services: CatalogCrudDeps, actor: CatalogActor, strategy: AliasRecord['strategy'], targets: AliasTarget[]): Promise<AliasTarget[]> {
  const known = await targetableProviders(services, actor.accountId);
  targets.forEach((target, index) => {
    if (!known.has(target.provider)) throw invalidField(`targets/${index}/provider`, 'must name an OpenAI-compatible provider of the same owner');
  });
  if (strategy === 'weighted' && !targets.some((t) => (t.weight ?? 1) > 0)) throw invalidField('targets', 'need at least one positive weight');
  return targets.map((t) => ({ provider: t.provider, model: t.model, ...(t.weight !== undefined ? { weight: t.weight } : {}) }));
}

export function registerAliasCrud(app: FastifyInstance, services: CatalogCrudDeps, scope: CatalogScope): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;
  const { tags, basePath } = scope;
  const security = [{ bearer: [] }];

  async function owned(actor: CatalogActor, id: string): Promise<AliasRecord> {
    const alias = await storage.aliases.findById(id);
    if (!alias || alias.accountId !== actor.accountId) throw new ApiError('not_found', { message: 'No such alias.' });
    return alias;
  }

  /** The write and its audit entry in one transaction; the catalog hears of it once both are stored. */
  async function change<T>(actor: CatalogActor, action: string, alias: AliasRecord, requestId: string, write: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    const result = await auditedChange(storage, actor, { action, targetType: 'alias', targetId: alias.id, data: { name: alias.name }, requestId }, write);
    services.gateway.catalog.changed(actor.accountId);
    return result;
  }

  r.post(basePath, { schema: { tags, security, body: CreateAliasBody, response: { 201: AliasOut } } }, async (request, reply) => {
    const actor = await scope.actor(services, request);
    const name = nameField('name', request.body.name);
    const existing = await storage.aliases.listByOwner(actor.accountId);
    const configured = actor.accountId === null && services.config.file.aliases.some((a) => a.name === name);
    if (configured || existing.some((a) => a.name === name)) throw new ApiError('conflict', { message: `An alias named ${JSON.stringify(name)} already exists.` });
    if (existing.length >= MAX_ALIASES_PER_OWNER) throw new ApiError('conflict', { message: `At most ${MAX_ALIASES_PER_OWNER} aliases.` });
    const strategy = request.body.strategy ?? 'fallback';
    const at = new Date().toISOString();
    const alias: AliasRecord = {
      id: newId('ali'),
      accountId: actor.accountId,
      name,
      strategy,
      targets: await validTargets(services, actor, strategy, request.body.targets),
      createdAt: at,
      updatedAt: at,
    };
    await change(actor, 'alias.created', alias, request.id, (tx) => tx.aliases.insert(alias));
    return reply.status(201).send(aliasOut(alias));
  });

  r.get(basePath, { schema: { tags, security, response: { 200: Type.Object({ aliases: Type.Array(AliasOut) }) } } }, async (request) => {
    const actor = await scope.actor(services, request);
    return { aliases: (await storage.aliases.listByOwner(actor.accountId)).map(aliasOut) };
  });

  r.get(`${basePath}/:id`, { schema: { tags, security, params: IdParams, response: { 200: AliasOut } } }, async (request) => {
    const actor = await scope.actor(services, request);
    return aliasOut(await owned(actor, request.params.id));
  });

  r.patch(`${basePath}/:id`, { schema: { tags, security, params: IdParams, body: PatchAliasBody, response: { 200: AliasOut } } }, async (request) => {
    const actor = await scope.actor(services, request);
    const alias = await owned(actor, request.params.id);
    const strategy = request.body.strategy ?? alias.strategy;
    const targets = await validTargets(services, actor, strategy, request.body.targets ?? alias.targets);
    const updated = await change(actor, 'alias.updated', alias, request.id, (tx) => tx.aliases.update(alias.id, { strategy, targets }, new Date().toISOString()));
    if (!updated) throw new ApiError('not_found', { message: 'No such alias.' });
    return aliasOut(updated);
  });

  r.delete(`${basePath}/:id`, { schema: { tags, security, params: IdParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const actor = await scope.actor(services, request);
    const alias = await owned(actor, request.params.id);
    await change(actor, 'alias.deleted', alias, request.id, (tx) => tx.aliases.delete(alias.id));
    return reply.status(204).send(null);
  });
}
