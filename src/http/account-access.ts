// The caller's standing in one account, for the control-plane account routes: a user access
// token (never an API key or a service token), and a membership read fresh on every request.
// An account the caller is not in answers 404 (SPEC §5: no existence leaks); operators see all.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { ActorRole } from '../core/membership-rules.js';
import { authenticateUser, type UserAuthDeps } from './authenticate.js';
import type { Account } from '../storage/accounts.js';
import type { Storage } from '../storage/storage.js';
import type { User } from '../storage/users.js';

export interface AccountAccess {
  user: User;
  account: Account;
  role: ActorRole;
}

export const noSuchAccount = () => new ApiError('not_found', { message: 'No such account.' });

/** A user's access token, and the account and membership read fresh. */
export interface AccountAccessDeps extends UserAuthDeps {
  storage: Pick<Storage, 'users' | 'accounts'>;
}

export async function accountAccess(services: AccountAccessDeps, request: FastifyRequest, accountId: string): Promise<AccountAccess> {
  const user = await authenticateUser(services, request);
  const account = await services.storage.accounts.findById(accountId);
  if (!account) throw noSuchAccount();
  if (user.isOperator) return { user, account, role: 'operator' };
  const membership = await services.storage.accounts.findMembership(accountId, user.id);
  if (!membership) throw noSuchAccount();
  return { user, account, role: membership.role };
}

/** Owners, admins and operators; members get 403 (they can see the account, so 404 would lie). */
export function requireManager(access: AccountAccess, what: string): void {
  if (access.role === 'member') throw new ApiError('forbidden', { message: `Only owners and admins can ${what}.` });
}
