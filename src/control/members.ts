// /api/v1/accounts/{id}/members: who is in a team account and with which role (adding someone is an
// invitation they accept: account-invitations.ts, my-invitations.ts). The rules of who
// may change whom live in core/membership-rules.ts; every change runs under the account's row
// lock so the last-owner rule holds against concurrent changes. Access is re-read from storage on
// every request, so a removed member is refused from their next request on.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { canManageMembers, decideMemberChange, type ActorRole, type MemberChange } from '../core/membership-rules.js';
import type { Services } from '../services.js';
import type { Role } from '../storage/accounts.js';
import type { MemberView } from '../storage/memberships.js';
import type { StorageTransaction } from '../storage/storage.js';
import { accountAccess, noSuchAccount, type AccountAccess } from '../http/account-access.js';
import { AccountIdParams, MemberList, MemberOut, MemberParams, PatchMemberBody } from '../http/schemas/account-schemas.js';

/** What these routes use of the composition root. */
export type MemberRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'storage'>;

const tags = ['accounts'];
const security = [{ bearer: [] }];
export const MAX_MEMBERS_PER_ACCOUNT = 1000;

function memberOut(member: MemberView) {
  return { user_id: member.userId, email: member.email, name: member.name, is_active: member.isActive, role: member.role, created_at: member.createdAt };
}

const noSuchMember = () => new ApiError('not_found', { message: 'No such member.' });

/**
 * The actor's own role, read again under the account lock: a change that landed since the
 * request began (their demotion, say) must count.
 */
export async function actorRoleUnderLock(tx: StorageTransaction, access: AccountAccess): Promise<ActorRole> {
  if (access.role === 'operator') return 'operator';
  const role = (await tx.accounts.findMembership(access.account.id, access.user.id))?.role;
  if (!role) throw noSuchAccount();
  return role;
}

/**
 * Locks the account, reads the target's role and the owner count, and applies the rules.
 * Throws the refusal; returns the target's current role when the change may go ahead.
 */
async function checkChange(tx: StorageTransaction, access: AccountAccess, targetUserId: string, change: (targetRole: Role) => MemberChange, at: string): Promise<Role> {
  if (!(await tx.memberships.lockAccount(access.account.id, at))) throw noSuchAccount();
  const actorRole = await actorRoleUnderLock(tx, access);
  const target = await tx.accounts.findMembership(access.account.id, targetUserId);
  if (!target) throw noSuchMember();
  const decision = decideMemberChange(actorRole, change(target.role), await tx.memberships.countOwners(access.account.id));
  if (!decision.ok) throw new ApiError(decision.code, { message: decision.message });
  return target.role;
}

/**
 * Revokes the service tokens a member minted for this account, in the caller's transaction, so
 * the membership change and the revocation land together: a token must not outlive its minter's
 * right to mint it (only owners and admins may). One audit event per token, naming the reason.
 */
async function revokeServiceTokensOf(tx: StorageTransaction, access: AccountAccess, userId: string, reason: 'member.removed' | 'member.left' | 'member.demoted', requestId: string, at: string): Promise<void> {
  for (const tokenId of await tx.serviceTokens.revokeByCreatorInAccount(access.account.id, userId, at)) {
    await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: 'service_token.revoked', targetType: 'service_token', targetId: tokenId, data: { reason, created_by: userId }, requestId });
  }
}

export function registerMemberRoutes(app: FastifyInstance, services: MemberRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;

  async function findMember(accountId: string, userId: string): Promise<MemberView> {
    const member = (await storage.memberships.listByAccount(accountId)).find((m) => m.userId === userId);
    if (!member) throw noSuchMember();
    return member;
  }

  r.get('/api/v1/accounts/:id/members', { schema: { tags, security, params: AccountIdParams, response: { 200: MemberList } } }, async (request) => {
    const access = await accountAccess(services, request, request.params.id);
    return { members: (await storage.memberships.listByAccount(access.account.id)).map(memberOut) };
  });

  r.patch('/api/v1/accounts/:id/members/:user_id', { schema: { tags, security, params: MemberParams, body: PatchMemberBody, response: { 200: MemberOut } } }, async (request) => {
    const access = await accountAccess(services, request, request.params.id);
    const targetId = request.params.user_id;
    const newRole = request.body.role;
    const at = new Date().toISOString();
    await storage.transaction(async (tx) => {
      const self = targetId === access.user.id;
      const from = await checkChange(tx, access, targetId, (targetRole) => ({ kind: 'change_role', targetRole, newRole, self }), at);
      if (from === newRole) return;
      await tx.memberships.setRole(access.account.id, targetId, newRole);
      await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: 'member.role_changed', targetType: 'user', targetId, data: { from, to: newRole }, requestId: request.id });
      if (!canManageMembers(newRole)) await revokeServiceTokensOf(tx, access, targetId, 'member.demoted', request.id, at);
    });
    return memberOut(await findMember(access.account.id, targetId));
  });

  r.delete('/api/v1/accounts/:id/members/:user_id', { schema: { tags, security, params: MemberParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const access = await accountAccess(services, request, request.params.id);
    const targetId = request.params.user_id;
    const at = new Date().toISOString();
    await storage.transaction(async (tx) => {
      const self = targetId === access.user.id;
      const role = await checkChange(tx, access, targetId, (targetRole) => ({ kind: 'remove', targetRole, self }), at);
      await tx.memberships.remove(access.account.id, targetId);
      // The account's keys stay (they belong to the account); the trail says who minted each.
      // Service tokens are the minter's admin-plane power, and go with their membership.
      await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: self ? 'member.left' : 'member.removed', targetType: 'user', targetId, data: { role }, requestId: request.id });
      await revokeServiceTokensOf(tx, access, targetId, self ? 'member.left' : 'member.removed', request.id, at);
    });
    return reply.status(204).send(null);
  });
}
