// /admin/aliases: the account's own model aliases, targeting its own providers.
import type { FastifyInstance } from 'fastify';
import { registerAliasCrud } from '../catalog/alias-crud.js';
import { adminScope } from '../catalog/catalog-owner.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type AdminAliasRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'gateway' | 'secrets' | 'serviceTokens' | 'storage'>;

export function registerAdminAliasRoutes(app: FastifyInstance, services: AdminAliasRouteDeps): void {
  registerAliasCrud(app, services, adminScope('/admin/aliases'));
}
