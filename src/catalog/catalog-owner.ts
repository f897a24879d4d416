// Who owns the upstream catalog entries a CRUD request touches: the admin plane acts on one
// account's own providers, aliases and routes (authenticateAdmin: a service token, or a member in
// an allowed role, or an operator naming the account); the operator plane acts on server-wide ones
// (account id null). Operators are trusted like the config file; account admins are not, so their
// upstreams go through the private-address guard unless the server allows private upstreams.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { authenticateAdmin, requireOperator, type AdminAuthDeps } from '../http/authenticate-admin.js';
import type { CatalogRole } from '../core/provider-repoint.js';
import type { PriceBook } from '../credits/price-book.js';
import type { DerivedSecrets } from '../crypto/master-key.js';
import type { Storage } from '../storage/storage.js';
import type { Catalog } from './catalog.js';

export interface CatalogActor {
  /** null = server-wide. */
  accountId: string | null;
  actorType: 'user' | 'service_token';
  actorId: string;
  /** May point upstreams at private addresses. */
  trusted: boolean;
  /** Who is asking: members may not re-point providers (core/provider-repoint.ts). */
  role: CatalogRole;
}

/** What naming the actor needs: the admin plane's principals, and whether private upstreams are allowed. */
export interface CatalogActorDeps extends AdminAuthDeps {
  config: Pick<Config, 'keyPrefix' | 'adminAllowedRoles' | 'allowPrivateUpstreams'>;
}

/**
 * What the catalog's CRUD routes need: the actor's principal, storage, the provider-secret keys, and
 * the live catalog and price book to invalidate after a write (grouped as the composition root
 * groups them, so the route folders hand their deps on unchanged).
 */
export interface CatalogCrudDeps extends CatalogActorDeps {
  config: CatalogActorDeps['config'] & Pick<Config, 'file'>;
  storage: Storage;
  secrets: DerivedSecrets;
  gateway: { catalog: Pick<Catalog, 'changed'> };
  credits: { prices: Pick<PriceBook, 'invalidate'> };
}

export interface CatalogScope {
  /** e.g. /admin/providers or /api/v1/operator/providers */
  basePath: string;
  tags: string[];
  actor(services: CatalogActorDeps, request: FastifyRequest): Promise<CatalogActor>;
}

export function adminScope(basePath: string): CatalogScope {
  return {
    basePath,
    tags: ['admin'],
    async actor(services, request) {
      const principal = await authenticateAdmin(services, request);
      return { accountId: principal.accountId, actorType: principal.actor.type, actorId: principal.actor.id, trusted: services.config.allowPrivateUpstreams, role: principal.role };
    },
  };
}

export function operatorScope(basePath: string): CatalogScope {
  return {
    basePath,
    tags: ['operator'],
    async actor(services, request) {
      const user = await requireOperator(services, request);
      return { accountId: null, actorType: 'user', actorId: user.id, trusted: true, role: 'operator' };
    },
  };
}
