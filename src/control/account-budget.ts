// /api/v1/accounts/{id}/budget: the account's spend cap (SPEC §8). Members read it; owners and
// admins (and operators) set it with the budget object, or clear it with JSON null. Another
// account answers 404, as every account route does.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { accountAccess, requireManager } from '../http/account-access.js';
import { AccountIdParams } from '../http/schemas/account-schemas.js';
import { AccountBudgetOut, NullableBudgetBody } from '../http/schemas/budget-schemas.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type AccountBudgetRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['accounts'];
const security = [{ bearer: [] }];

export function registerAccountBudgetRoutes(app: FastifyInstance, services: AccountBudgetRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { budgets } = services.credits;

  r.get('/api/v1/accounts/:id/budget', { schema: { tags, security, params: AccountIdParams, response: { 200: AccountBudgetOut } } }, async function readAccountBudget(request) {
    const access = await accountAccess(services, request, request.params.id);
    return { account_id: access.account.id, budget: await budgets.view('account', access.account.id) };
  });

  r.put(
    '/api/v1/accounts/:id/budget',
    { schema: { tags, security, params: AccountIdParams, body: NullableBudgetBody, response: { 200: AccountBudgetOut } } },
    async function setAccountBudget(request) {
      const access = await accountAccess(services, request, request.params.id);
      requireManager(access, "set the account's budget");
      const accountId = access.account.id;
      return budgets.setForAccount(accountId, request.body, { userId: access.user.id, requestId: request.id });
    },
  );
}
