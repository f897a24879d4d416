// /api/v1/accounts: the accounts a user belongs to, and team accounts they create. The personal
// account exists from registration; a new team account starts with its creator as owner.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { authenticateUser } from '../http/authenticate.js';
import { nameField } from '../http/name-field.js';
import type { Services } from '../services.js';
import type { Account } from '../storage/accounts.js';
import type { BudgetView } from '../credits/budgets.js';
import { accountAccess, noSuchAccount, requireManager } from '../http/account-access.js';
import { AccountIdParams, AccountList, AccountOut, CreateAccountBody, PatchAccountBody } from '../http/schemas/account-schemas.js';

/** What these routes use of the composition root. */
export type AccountRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['accounts'];
const security = [{ bearer: [] }];
/** A bound on what one user can create, so a script gone wrong cannot fill the database. */
export const MAX_TEAMS_OWNED_PER_USER = 100;

/** `budget`: the account's budget as read now (src/credits/budgets.ts), or null when it has none. */
export function accountOut(account: Account, role: 'owner' | 'admin' | 'member' | 'operator', budget: BudgetView | null) {
  return { id: account.id, name: account.name, kind: account.kind, role, created_at: account.createdAt, updated_at: account.updatedAt, budget };
}

export function registerAccountRoutes(app: FastifyInstance, services: AccountRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;
  const { budgets } = services.credits;

  r.post('/api/v1/accounts', { schema: { tags, security, body: CreateAccountBody, response: { 201: AccountOut } } }, async (request, reply) => {
    const user = await authenticateUser(services, request);
    if ((await storage.memberships.countTeamsOwnedBy(user.id)) >= MAX_TEAMS_OWNED_PER_USER) {
      throw new ApiError('conflict', { message: `A user may own at most ${MAX_TEAMS_OWNED_PER_USER} team accounts.` });
    }
    const at = new Date().toISOString();
    const account: Account = { id: newId('acc'), name: nameField('name', request.body.name), kind: 'team', createdAt: at, updatedAt: at };
    await storage.transaction(async (tx) => {
      await tx.accounts.insert(account);
      await tx.accounts.addMember({ accountId: account.id, userId: user.id, role: 'owner', createdAt: at });
      await tx.audit.record({ accountId: account.id, actorType: 'user', actorId: user.id, action: 'account.created', targetType: 'account', targetId: account.id, data: { name: account.name }, requestId: request.id });
    });
    return reply.status(201).send(accountOut(account, 'owner', null));
  });

  r.get('/api/v1/accounts', { schema: { tags, security, response: { 200: AccountList } } }, async (request) => {
    const user = await authenticateUser(services, request);
    const memberships = await storage.accounts.listForUser(user.id);
    const views = await budgets.viewMany('account', memberships.map((m) => m.account.id));
    return { accounts: memberships.map((m) => accountOut(m.account, m.role, views.get(m.account.id) ?? null)) };
  });

  r.get('/api/v1/accounts/:id', { schema: { tags, security, params: AccountIdParams, response: { 200: AccountOut } } }, async (request) => {
    const access = await accountAccess(services, request, request.params.id);
    return accountOut(access.account, access.role, await budgets.view('account', access.account.id));
  });

  r.patch('/api/v1/accounts/:id', { schema: { tags, security, params: AccountIdParams, body: PatchAccountBody, response: { 200: AccountOut } } }, async (request) => {
    const access = await accountAccess(services, request, request.params.id);
    requireManager(access, 'rename the account');
    const name = nameField('name', request.body.name);
    const at = new Date().toISOString();
    if (name !== undefined) {
      await storage.transaction(async (tx) => {
        if (!(await tx.memberships.lockAccount(access.account.id, at, name))) throw noSuchAccount();
        await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: 'account.renamed', targetType: 'account', targetId: access.account.id, data: { from: access.account.name, to: name }, requestId: request.id });
      });
    }
    const account = await storage.accounts.findById(access.account.id);
    if (!account) throw noSuchAccount();
    return accountOut(account, access.role, await budgets.view('account', account.id));
  });
}
