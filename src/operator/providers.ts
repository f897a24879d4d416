// /api/v1/operator/providers, /aliases and /routes: server-wide upstreams, managed by operators
// (trusted like the config file, so private addresses are allowed). Config-file entries are
// read-only here: their names cannot be reused. A server-wide provider is reached through aliases;
// `direct: true` also opens it to `provider/model` calls from any key (off by default, issue 9).
import type { FastifyInstance } from 'fastify';
import { registerAliasCrud } from '../catalog/alias-crud.js';
import { operatorScope } from '../catalog/catalog-owner.js';
import { registerProviderCrud } from '../catalog/provider-crud.js';
import { registerRouteCrud } from '../catalog/route-crud.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type OperatorUpstreamRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'gateway' | 'secrets' | 'serviceTokens' | 'storage'>;

export function registerOperatorUpstreamRoutes(app: FastifyInstance, services: OperatorUpstreamRouteDeps): void {
  registerProviderCrud(app, services, operatorScope('/api/v1/operator/providers'));
  registerAliasCrud(app, services, operatorScope('/api/v1/operator/aliases'));
  registerRouteCrud(app, services, operatorScope('/api/v1/operator/routes'));
}
