// CRUD of plain HTTP routes (a path prefix on Tollgate → an `http` provider), for one owner scope.
// Paths Tollgate itself serves are reserved; the provider must be an `http` provider of the same
// owner.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { normalizeRoutePath, pathMatches, RESERVED_PREFIXES } from '../core/route-match.js';
import { invalidField } from '../core/validation-error.js';
import type { RouteRecord } from '../storage/routes.js';
import type { StorageTransaction } from '../storage/storage.js';
import { auditedChange } from './audited-change.js';
import type { CatalogActor, CatalogCrudDeps, CatalogScope } from './catalog-owner.js';
import { CreateRouteBody, IdParams, PatchRouteBody, RouteOut } from './catalog-schemas.js';

export const MAX_ROUTES_PER_OWNER = 500;

function routeOut(route: RouteRecord) {
  return { id: route.id, path: route.path, provider: route.provider, methods: route.methods, scopes: route.scopes, cost: route.cost, account_id: route.accountId, created_at: route.createdAt, updated_at: route.updatedAt };
}

function validPath(raw: string): string {
  const path = normalizeRoutePath(raw);
  if (path.includes('//') || path.split('/').some((segment) => segment === '.' || segment === '..')) throw invalidField('path', 'must not contain empty, "." or ".." segments');
  if (RESERVED_PREFIXES.some((reserved) => pathMatches(reserved, path) || pathMatches(path, reserved))) throw invalidField('path', 'overlaps a path Tollgate serves itself');
  return path;
}

async function assertHttpProvider(services: CatalogCrudDeps, actor: CatalogActor, name: string): Promise<void> {
  const stored = (await services.storage.providers.listByOwner(actor.accountId)).some((p) => p.name === name && p.type === 'http');
  const configured = actor.accountId === null && services.config.file.providers.some((p) => p.id === name && p.type === 'http');
  if (!stored && !configured) throw invalidField('provider', 'must name an http provider of the same owner');
}

export function registerRouteCrud(app: FastifyInstance, services: CatalogCrudDeps, scope: CatalogScope): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;
  const { tags, basePath } = scope;
  const security = [{ bearer: [] }];

  async function owned(actor: CatalogActor, id: string): Promise<RouteRecord> {
    const route = await storage.routes.findById(id);
    if (!route || route.accountId !== actor.accountId) throw new ApiError('not_found', { message: 'No such route.' });
    return route;
  }

  /** The write and its audit entry in one transaction; the catalog hears of it once both are stored. */
  async function change<T>(actor: CatalogActor, action: string, route: RouteRecord, requestId: string, write: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    const result = await auditedChange(storage, actor, { action, targetType: 'route', targetId: route.id, data: { path: route.path }, requestId }, write);
    services.gateway.catalog.changed(actor.accountId);
    // A server-wide route's cost is a price: the unpriced policy's default depends on it (SPEC §8).
    if (actor.accountId === null) services.credits.prices.invalidate();
    return result;
  }

  r.post(basePath, { schema: { tags, security, body: CreateRouteBody, response: { 201: RouteOut } } }, async (request, reply) => {
    const actor = await scope.actor(services, request);
    const path = validPath(request.body.path);
    await assertHttpProvider(services, actor, request.body.provider);
    const existing = await storage.routes.listByOwner(actor.accountId);
    const configured = actor.accountId === null && services.config.file.routes.some((route) => normalizeRoutePath(route.path) === path);
    if (configured || existing.some((route) => route.path === path)) throw new ApiError('conflict', { message: `A route for ${path} already exists.` });
    if (existing.length >= MAX_ROUTES_PER_OWNER) throw new ApiError('conflict', { message: `At most ${MAX_ROUTES_PER_OWNER} routes.` });
    const at = new Date().toISOString();
    const route: RouteRecord = {
      id: newId('rte'),
      accountId: actor.accountId,
      path,
      provider: request.body.provider,
      methods: [...new Set(request.body.methods ?? ['GET'])],
      scopes: [...new Set(request.body.scopes ?? [])],
      cost: request.body.cost ?? 0,
      createdAt: at,
      updatedAt: at,
    };
    await change(actor, 'route.created', route, request.id, (tx) => tx.routes.insert(route));
    return reply.status(201).send(routeOut(route));
  });

  r.get(basePath, { schema: { tags, security, response: { 200: Type.Object({ routes: Type.Array(RouteOut) }) } } }, async (request) => {
    const actor = await scope.actor(services, request);
    return { routes: (await storage.routes.listByOwner(actor.accountId)).map(routeOut) };
  });

  r.get(`${basePath}/:id`, { schema: { tags, security, params: IdParams, response: { 200: RouteOut } } }, async (request) => {
    const actor = await scope.actor(services, request);
    return routeOut(await owned(actor, request.params.id));
  });

  r.patch(`${basePath}/:id`, { schema: { tags, security, params: IdParams, body: PatchRouteBody, response: { 200: RouteOut } } }, async (request) => {
    const actor = await scope.actor(services, request);
    const route = await owned(actor, request.params.id);
    if (request.body.provider !== undefined) await assertHttpProvider(services, actor, request.body.provider);
    const patch = {
      provider: request.body.provider,
      methods: request.body.methods && [...new Set(request.body.methods)],
      scopes: request.body.scopes && [...new Set(request.body.scopes)],
      cost: request.body.cost,
    };
    const updated = await change(actor, 'route.updated', route, request.id, (tx) => tx.routes.update(route.id, patch, new Date().toISOString()));
    if (!updated) throw new ApiError('not_found', { message: 'No such route.' });
    return routeOut(updated);
  });

  r.delete(`${basePath}/:id`, { schema: { tags, security, params: IdParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const actor = await scope.actor(services, request);
    const route = await owned(actor, request.params.id);
    await change(actor, 'route.deleted', route, request.id, (tx) => tx.routes.delete(route.id));
    return reply.status(204).send(null);
  });
}
