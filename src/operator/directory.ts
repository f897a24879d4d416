// /api/v1/operator/accounts and /api/v1/operator/users: the server-wide directory an operator
// searches (case-insensitive substring) and pages through, newest first.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireOperator } from '../http/authenticate-admin.js';
import { ApiError } from '../core/errors.js';
import type { Services } from '../services.js';
import type { DirectoryAccount, DirectoryUser } from '../storage/directory.js';
import type { BudgetView } from '../credits/budgets.js';
import { AccountPage, DirectoryQuery, IdParams, OperatorAccountDetail, OperatorUserDetail, UserPage } from '../http/schemas/operator-schemas.js';

/** What these routes use of the composition root. */
export type OperatorDirectoryRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['operator'];
const security = [{ bearer: [] }];

export function operatorUserOut(user: DirectoryUser) {
  return { id: user.id, email: user.email, name: user.name, is_active: user.isActive, is_operator: user.isOperator, created_at: user.createdAt };
}

function accountOut(account: DirectoryAccount, budget: BudgetView | null) {
  return { id: account.id, name: account.name, kind: account.kind, member_count: account.memberCount, created_at: account.createdAt, updated_at: account.updatedAt, budget };
}

export function registerOperatorDirectoryRoutes(app: FastifyInstance, services: OperatorDirectoryRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;

  r.get('/api/v1/operator/users', { schema: { tags, security, querystring: DirectoryQuery, response: { 200: UserPage } } }, async (request) => {
    await requireOperator(services, request);
    const page = await storage.directory.users({ search: request.query.q?.trim(), limit: request.query.limit ?? 50, cursor: request.query.cursor });
    return { users: page.items.map(operatorUserOut), next_cursor: page.nextCursor };
  });

  r.get('/api/v1/operator/users/:id', { schema: { tags, security, params: IdParams, response: { 200: OperatorUserDetail } } }, async (request) => {
    await requireOperator(services, request);
    const user = await storage.users.findById(request.params.id);
    if (!user) throw new ApiError('not_found', { message: 'No such user.' });
    const memberships = await storage.accounts.listForUser(user.id);
    return {
      ...operatorUserOut(user),
      memberships: memberships.map((m) => ({ account_id: m.accountId, account_name: m.account.name, kind: m.account.kind, role: m.role })),
    };
  });

  r.get('/api/v1/operator/accounts', { schema: { tags, security, querystring: DirectoryQuery, response: { 200: AccountPage } } }, async (request) => {
    await requireOperator(services, request);
    const page = await storage.directory.accounts({ search: request.query.q?.trim(), limit: request.query.limit ?? 50, cursor: request.query.cursor });
    const views = await services.credits.budgets.viewMany('account', page.items.map((a) => a.id));
    return { accounts: page.items.map((a) => accountOut(a, views.get(a.id) ?? null)), next_cursor: page.nextCursor };
  });

  r.get('/api/v1/operator/accounts/:id', { schema: { tags, security, params: IdParams, response: { 200: OperatorAccountDetail } } }, async (request) => {
    await requireOperator(services, request);
    const account = await storage.accounts.findById(request.params.id);
    if (!account) throw new ApiError('not_found', { message: 'No such account.' });
    const members = await storage.memberships.listByAccount(account.id);
    return {
      ...accountOut({ ...account, memberCount: members.length }, await services.credits.budgets.view('account', account.id)),
      members: members.map((m) => ({ user_id: m.userId, email: m.email, role: m.role, is_active: m.isActive })),
    };
  });
}
