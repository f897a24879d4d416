// Who may call the admin plane (/admin/*) and the operator plane (SPEC §3):
// - a service token acts on its own account only;
// - a user access token acts on the account named by X-Account-Id (default: the personal account)
//   if their membership role is in TOLLGATE_ADMIN_ALLOWED_ROLES (the owner always is);
// - an operator may act on any account.
// API keys are never accepted here. Membership is re-read on every request and never cached, so a
// removed member loses access at once. An account the caller cannot see answers 404, not 403,
// so account ids do not leak by probing.
import type { FastifyRequest } from 'fastify';
import { looksLikeServiceToken, type ServiceTokens } from '../auth/service-tokens.js';
import type { Config } from '../config.js';
import { ApiError } from '../core/errors.js';
import { authenticateUser, presentedCredential, type UserAuthDeps } from './authenticate.js';
import type { Storage } from '../storage/storage.js';
import type { User } from '../storage/users.js';

export interface AdminPrincipal {
  accountId: string;
  actor: { type: 'user' | 'service_token'; id: string };
  role: 'owner' | 'admin' | 'member' | 'operator' | 'service';
  user: User | null;
}

/** What the admin and operator planes' principals need: service tokens, and memberships read fresh. */
export interface AdminAuthDeps extends UserAuthDeps {
  config: Pick<Config, 'keyPrefix' | 'adminAllowedRoles'>;
  serviceTokens: Pick<ServiceTokens, 'check'>;
  storage: Pick<Storage, 'users' | 'accounts'>;
}

const ACCOUNT_ID_PATTERN = /^acc_[0-9A-Za-z]{1,64}$/;

const noSuchAccount = () => new ApiError('not_found', { message: 'No such account.' });

/** The X-Account-Id header: undefined when absent; a malformed one names no account we have. */
function requestedAccountId(request: FastifyRequest): string | undefined {
  const raw = request.headers['x-account-id'];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value || !ACCOUNT_ID_PATTERN.test(value)) throw noSuchAccount();
  return value;
}

async function serviceTokenAccount(services: Pick<AdminAuthDeps, 'serviceTokens'>, credential: string): Promise<{ accountId: string; tokenId: string }> {
  const check = await services.serviceTokens.check(credential);
  if (!check.ok) throw new ApiError('invalid_token', { message: 'The service token is invalid, expired or revoked.' });
  return { accountId: check.token.accountId, tokenId: check.token.id };
}

export async function authenticateAdmin(services: AdminAuthDeps, request: FastifyRequest): Promise<AdminPrincipal> {
  const credential = presentedCredential(request);
  if (!credential) throw new ApiError('invalid_token', { message: 'A service token or an access token is required.' });
  const requested = requestedAccountId(request);

  if (looksLikeServiceToken(credential)) {
    const { accountId, tokenId } = await serviceTokenAccount(services, credential);
    // A token speaks for its own account only; naming another one is naming an account it cannot see.
    if (requested !== undefined && requested !== accountId) throw noSuchAccount();
    return { accountId, actor: { type: 'service_token', id: tokenId }, role: 'service', user: null };
  }

  // Refuses API keys with 403 and bad tokens with 401.
  const user = await authenticateUser(services, request);
  const actor = { type: 'user' as const, id: user.id };
  const accountId = requested ?? (await services.storage.accounts.findPersonal(user.id))?.id;
  if (accountId === undefined) throw noSuchAccount();

  if (user.isOperator) {
    if (!(await services.storage.accounts.findById(accountId))) throw noSuchAccount();
    return { accountId, actor, role: 'operator', user };
  }
  const membership = await services.storage.accounts.findMembership(accountId, user.id);
  if (!membership) throw noSuchAccount();
  if (!services.config.adminAllowedRoles.includes(membership.role)) {
    throw new ApiError('forbidden', { message: `The ${membership.role} role may not use the admin API on this server.` });
  }
  return { accountId, actor, role: membership.role, user };
}

/** /api/v1/operator/*: an operator's access token; anyone else signed in gets 403. */
export async function requireOperator(services: UserAuthDeps, request: FastifyRequest): Promise<User> {
  const credential = presentedCredential(request);
  if (credential !== undefined && looksLikeServiceToken(credential)) {
    throw new ApiError('forbidden', { message: 'Service tokens cannot be used on the operator API.' });
  }
  const user = await authenticateUser(services, request);
  if (!user.isOperator) throw new ApiError('forbidden', { message: 'Only operators may do this.' });
  return user;
}

/** POST /api/v1/keys/verify: a service token (limited to its account) or an operator (null = any account). */
export async function requireServiceTokenOrOperator(services: UserAuthDeps & Pick<AdminAuthDeps, 'serviceTokens'>, request: FastifyRequest): Promise<{ accountId: string | null }> {
  const credential = presentedCredential(request);
  if (credential !== undefined && looksLikeServiceToken(credential)) {
    return { accountId: (await serviceTokenAccount(services, credential)).accountId };
  }
  const user = await authenticateUser(services, request);
  if (!user.isOperator) throw new ApiError('forbidden', { message: 'A service token or an operator is required.' });
  return { accountId: null };
}
