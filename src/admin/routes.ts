// /admin/routes: the account's own plain HTTP routes, onto its own `http` providers.
import type { FastifyInstance } from 'fastify';
import { adminScope } from '../catalog/catalog-owner.js';
import { registerRouteCrud } from '../catalog/route-crud.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type AdminRouteRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'gateway' | 'secrets' | 'serviceTokens' | 'storage'>;

export function registerAdminRouteRoutes(app: FastifyInstance, services: AdminRouteRouteDeps): void {
  registerRouteCrud(app, services, adminScope('/admin/routes'));
}
