// /admin/aliases: the account's own model aliases, targeting its own providers.
import type { FastifyInstance } from 'fastify';
import { registerAliasCrud } from '../catalog/alias-crud.js';
import { adminScope } from '../catalog/catalog-owner.js';
import type { Services } from '../services.js';

export function registerAdminAliasRoutes(app: FastifyInstance, services: Services): void {
  registerAliasCrud(app, services, adminScope('/admin/aliases'));
}
