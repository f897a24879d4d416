// /admin/routes: the account's own plain HTTP routes, onto its own `http` providers.
import type { FastifyInstance } from 'fastify';
import { adminScope } from '../catalog/catalog-owner.js';
import { registerRouteCrud } from '../catalog/route-crud.js';
import type { Services } from '../services.js';

export function registerAdminRouteRoutes(app: FastifyInstance, services: Services): void {
  registerRouteCrud(app, services, adminScope('/admin/routes'));
}
