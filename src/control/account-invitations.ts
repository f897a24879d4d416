// The account side of invitations (issue 9 item 10, SPEC §4): POST /api/v1/accounts/{id}/members
// invites an email with a role, and owners and admins list and withdraw pending invitations.
//
// SECURITY: the invitation answer must not tell which emails are registered. It is the same 202
// for every email, and the work behind it is the same too: nothing looks the email up among users;
// the one query that involves users ("is someone with this email already a member?") runs for
// every email and only answers about this account's members, whom its admins may see anyway.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { decideMemberChange } from '../core/membership-rules.js';
import type { Services } from '../services.js';
import type { Invitation } from '../storage/invitations.js';
import { accountAccess, noSuchAccount, requireManager } from '../http/account-access.js';
import { AccountIdParams } from '../http/schemas/account-schemas.js';
import { AccountInvitationList, AccountInvitationParams, InvitationCreated, InviteBody } from '../http/schemas/invitation-schemas.js';
import { actorRoleUnderLock } from './members.js';

/** What these routes use of the composition root. */
export type AccountInvitationRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'storage'>;

const tags = ['accounts'];
const security = [{ bearer: [] }];
/** Invitations expire after 7 days unanswered (GitHub's organisation invitations do too). */
export const INVITATION_TTL_MS = 7 * 86_400_000;
/** A bound on pending invitations per account, so a script gone wrong cannot fill the table. */
export const MAX_PENDING_INVITATIONS = 100;

const noSuchInvitation = () => new ApiError('not_found', { message: 'No such invitation.' });

export function registerAccountInvitationRoutes(app: FastifyInstance, services: AccountInvitationRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;

  r.post('/api/v1/accounts/:id/members', { schema: { tags, security, params: AccountIdParams, body: InviteBody, response: { 202: InvitationCreated } } }, async function inviteMember(request, reply) {
    const access = await accountAccess(services, request, request.params.id);
    const role = request.body.role ?? 'member';
    const email = request.body.email.toLowerCase();
    const decision = decideMemberChange(access.role, { kind: 'add', role }, 0);
    if (!decision.ok) throw new ApiError(decision.code, { message: decision.message });
    if (access.account.kind === 'personal') {
      throw new ApiError('conflict', { message: 'A personal account has no other members.', suggestion: 'Create a team account with POST /api/v1/accounts.' });
    }
    const now = new Date();
    const at = now.toISOString();
    const invitation: Invitation = {
      id: newId('inv'),
      accountId: access.account.id,
      email,
      role,
      invitedBy: access.user.id,
      status: 'pending',
      createdAt: at,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
      respondedAt: null,
      respondedBy: null,
    };
    await storage.transaction(async (tx) => {
      // Under the account lock, like every membership change: the role rules see the caller's
      // current role, and two invitations of one email cannot both slip in.
      if (!(await tx.memberships.lockAccount(access.account.id, at))) throw noSuchAccount();
      const again = decideMemberChange(await actorRoleUnderLock(tx, access), { kind: 'add', role }, 0);
      if (!again.ok) throw new ApiError(again.code, { message: again.message });
      if (await tx.memberships.hasMemberWithEmail(access.account.id, email)) throw new ApiError('conflict', { message: 'Someone with this email is already a member.' });
      const pending = await tx.invitations.listPendingForAccount(access.account.id, at);
      if (pending.some((p) => p.email === email)) {
        throw new ApiError('conflict', { message: 'This email already has a pending invitation.', suggestion: 'Withdraw it first to invite with another role.' });
      }
      if (pending.length >= MAX_PENDING_INVITATIONS) throw new ApiError('conflict', { message: `An account may have at most ${MAX_PENDING_INVITATIONS} pending invitations.` });
      await tx.invitations.insert(invitation);
      await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: 'invitation.created', targetType: 'invitation', targetId: invitation.id, data: { email, role }, requestId: request.id });
    });
    return reply.status(202).send({ invitation_id: invitation.id, email, role, expires_at: invitation.expiresAt });
  });

  r.get('/api/v1/accounts/:id/invitations', { schema: { tags, security, params: AccountIdParams, response: { 200: AccountInvitationList } } }, async function listAccountInvitations(request) {
    const access = await accountAccess(services, request, request.params.id);
    requireManager(access, 'see invitations');
    const pending = await storage.invitations.listPendingForAccount(access.account.id, new Date().toISOString());
    return {
      invitations: pending.map((i) => ({ id: i.id, account_id: i.accountId, account_name: access.account.name, email: i.email, role: i.role, invited_by: i.invitedBy, created_at: i.createdAt, expires_at: i.expiresAt })),
    };
  });

  r.delete('/api/v1/accounts/:id/invitations/:invitation_id', { schema: { tags, security, params: AccountInvitationParams, response: { 204: Type.Null() } } }, async function withdrawInvitation(request, reply) {
    const access = await accountAccess(services, request, request.params.id);
    requireManager(access, 'withdraw invitations');
    const invitation = await storage.invitations.findById(request.params.invitation_id);
    if (!invitation || invitation.accountId !== access.account.id) throw noSuchInvitation();
    const at = new Date().toISOString();
    await storage.transaction(async (tx) => {
      // Only a pending invitation can be withdrawn; an answered or expired one is gone already.
      if (!(await tx.invitations.respond(invitation.id, 'withdrawn', access.user.id, at))) throw noSuchInvitation();
      await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: 'invitation.withdrawn', targetType: 'invitation', targetId: invitation.id, data: { email: invitation.email, role: invitation.role }, requestId: request.id });
    });
    return reply.status(204).send(null);
  });
}
