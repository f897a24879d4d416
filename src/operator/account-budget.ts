// GET/PUT /api/v1/operator/accounts/{id}/budget: an operator reads or sets any account's spend cap
// (SPEC §8): the budget object, or JSON null to clear it. Audited in the account's trail.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../core/errors.js';
import { requireOperator } from '../http/authenticate-admin.js';
import { AccountBudgetOut, NullableBudgetBody } from '../http/schemas/budget-schemas.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type OperatorBudgetRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['operator'];
const security = [{ bearer: [] }];
const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });

export function registerOperatorBudgetRoutes(app: FastifyInstance, services: OperatorBudgetRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;
  const { budgets } = services.credits;

  async function requireAccount(accountId: string): Promise<void> {
    if (!(await storage.accounts.findById(accountId))) throw new ApiError('not_found', { message: 'No such account.' });
  }

  r.get('/api/v1/operator/accounts/:id/budget', { schema: { tags, security, params: Params, response: { 200: AccountBudgetOut } } }, async function readBudget(request) {
    await requireOperator(services, request);
    await requireAccount(request.params.id);
    return { account_id: request.params.id, budget: await budgets.view('account', request.params.id) };
  });

  r.put(
    '/api/v1/operator/accounts/:id/budget',
    { schema: { tags, security, params: Params, body: NullableBudgetBody, response: { 200: AccountBudgetOut } } },
    async function setBudget(request) {
      const operator = await requireOperator(services, request);
      const accountId = request.params.id;
      await requireAccount(accountId);
      return budgets.setForAccount(accountId, request.body, { userId: operator.id, requestId: request.id });
    },
  );
}
