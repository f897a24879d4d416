// /admin/providers: the account's own upstreams (SPEC §4 admin plane). Secrets are write-only;
// base URLs pass the private-address guard unless the operator allows private upstreams.
import type { FastifyInstance } from 'fastify';
import { adminScope } from '../catalog/catalog-owner.js';
import { registerProviderCrud } from '../catalog/provider-crud.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type AdminProviderRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'gateway' | 'secrets' | 'serviceTokens' | 'storage'>;

export function registerAdminProviderRoutes(app: FastifyInstance, services: AdminProviderRouteDeps): void {
  registerProviderCrud(app, services, adminScope('/admin/providers'));
}
