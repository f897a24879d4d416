// /api/v1/operator/users/{id}/deactivate and /reactivate: an operator switches a user off or on.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireOperator } from '../http/authenticate-admin.js';
import type { Services } from '../services.js';
import { operatorUserOut } from './directory.js';
import { IdParams, OperatorUser } from '../http/schemas/operator-schemas.js';
import { setUserActive } from './set-user-active.js';

/** What these routes use of the composition root. */
export type OperatorUserRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'keyEvents' | 'storage'>;

const tags = ['operator'];
const security = [{ bearer: [] }];

export function registerOperatorUserRoutes(app: FastifyInstance, services: OperatorUserRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  for (const [action, active] of [['deactivate', false], ['reactivate', true]] as const) {
    r.post(`/api/v1/operator/users/:id/${action}`, { schema: { tags, security, params: IdParams, response: { 200: OperatorUser } } }, async (request) => {
      const operator = await requireOperator(services, request);
      return operatorUserOut(await setUserActive(services, { userId: request.params.id, active, operator, requestId: request.id }));
    });
  }
}
