// The invitee's side of invitations (issue 9 item 10, SPEC §4): GET /api/v1/invitations lists the
// caller's pending invitations, matched by their email (case-insensitively: emails are stored
// lower-case); accept makes them a member with the invited role, decline ends the invitation.
// An invitation for another email answers 404, like one that does not exist; one of the caller's
// that was answered, withdrawn or expired answers 409. Access tokens only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { decideMemberChange, type ActorRole } from '../core/membership-rules.js';
import { authenticateUser } from '../http/authenticate.js';
import type { Services } from '../services.js';
import type { Invitation } from '../storage/invitations.js';
import type { StorageTransaction } from '../storage/storage.js';
import type { User } from '../storage/users.js';
import { accountOut } from './accounts.js';
import { AccountOut } from '../http/schemas/account-schemas.js';
import { InvitationParams, MyInvitationList } from '../http/schemas/invitation-schemas.js';
import { MAX_MEMBERS_PER_ACCOUNT } from './members.js';

/** What these routes use of the composition root. */
export type MyInvitationRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['accounts'];
const security = [{ bearer: [] }];

const noSuchInvitation = () => new ApiError('not_found', { message: 'No such invitation.' });
const noLongerPending = () =>
  new ApiError('conflict', { message: 'This invitation is no longer pending: it was answered, withdrawn, or it expired.', suggestion: 'Ask an owner or admin of the account to invite you again.' });

/** The caller's own invitation by id; anyone else's (or none) is a 404. */
async function ownInvitation(services: MyInvitationRouteDeps, user: User, id: string): Promise<Invitation> {
  const invitation = await services.storage.invitations.findById(id);
  if (!invitation || invitation.email !== user.email.toLowerCase()) throw noSuchInvitation();
  return invitation;
}

/**
 * The role rules again at acceptance, with the inviter's standing now: an invitation must not
 * outlive its sender's right to grant the role (they were removed or demoted since).
 */
async function inviterMayStillGrant(tx: StorageTransaction, invitation: Invitation): Promise<boolean> {
  if (invitation.invitedBy === null) return false;
  const inviter = await tx.users.findById(invitation.invitedBy);
  if (!inviter || !inviter.isActive) return false;
  const role: ActorRole | undefined = inviter.isOperator ? 'operator' : (await tx.accounts.findMembership(invitation.accountId, inviter.id))?.role;
  return role !== undefined && decideMemberChange(role, { kind: 'add', role: invitation.role }, 0).ok;
}

export function registerMyInvitationRoutes(app: FastifyInstance, services: MyInvitationRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;

  r.get('/api/v1/invitations', { schema: { tags, security, response: { 200: MyInvitationList } } }, async function listMyInvitations(request) {
    const user = await authenticateUser(services, request);
    const pending = await storage.invitations.listPendingForEmail(user.email.toLowerCase(), new Date().toISOString());
    return {
      invitations: pending.map((i) => ({ id: i.id, account_id: i.accountId, account_name: i.accountName, email: i.email, role: i.role, created_at: i.createdAt, expires_at: i.expiresAt })),
    };
  });

  r.post('/api/v1/invitations/:id/accept', { schema: { tags, security, params: InvitationParams, response: { 200: AccountOut } } }, async function acceptInvitation(request) {
    const user = await authenticateUser(services, request);
    const invitation = await ownInvitation(services, user, request.params.id);
    const at = new Date().toISOString();
    const account = await storage.transaction(async (tx) => {
      // The account lock orders this with every other membership change (members.ts).
      if (!(await tx.memberships.lockAccount(invitation.accountId, at))) throw noSuchInvitation();
      if (await tx.accounts.findMembership(invitation.accountId, user.id)) throw new ApiError('conflict', { message: 'You are already a member of this account.' });
      if (!(await inviterMayStillGrant(tx, invitation))) {
        throw new ApiError('conflict', { message: 'This invitation is no longer valid: whoever sent it may no longer grant this role.', suggestion: 'Ask an owner or admin of the account to invite you again.' });
      }
      if ((await tx.memberships.countMembers(invitation.accountId)) >= MAX_MEMBERS_PER_ACCOUNT) {
        throw new ApiError('conflict', { message: `An account may have at most ${MAX_MEMBERS_PER_ACCOUNT} members.` });
      }
      // Single use: the conditional update lets one answer through, however many race.
      if (!(await tx.invitations.respond(invitation.id, 'accepted', user.id, at))) throw noLongerPending();
      await tx.accounts.addMember({ accountId: invitation.accountId, userId: user.id, role: invitation.role, createdAt: at });
      await tx.audit.record({ accountId: invitation.accountId, actorType: 'user', actorId: user.id, action: 'invitation.accepted', targetType: 'invitation', targetId: invitation.id, data: { role: invitation.role, invited_by: invitation.invitedBy }, requestId: request.id });
      // The membership trail keeps its `member.*` events: this is where someone was added.
      await tx.audit.record({ accountId: invitation.accountId, actorType: 'user', actorId: user.id, action: 'member.added', targetType: 'user', targetId: user.id, data: { role: invitation.role, invitation_id: invitation.id }, requestId: request.id });
      const account = await tx.accounts.findById(invitation.accountId);
      if (!account) throw noLongerPending();
      return account;
    });
    return accountOut(account, invitation.role, await services.credits.budgets.view('account', account.id));
  });

  r.post('/api/v1/invitations/:id/decline', { schema: { tags, security, params: InvitationParams, response: { 204: Type.Null() } } }, async function declineInvitation(request, reply) {
    const user = await authenticateUser(services, request);
    const invitation = await ownInvitation(services, user, request.params.id);
    const at = new Date().toISOString();
    await storage.transaction(async (tx) => {
      if (!(await tx.invitations.respond(invitation.id, 'declined', user.id, at))) throw noLongerPending();
      await tx.audit.record({ accountId: invitation.accountId, actorType: 'user', actorId: user.id, action: 'invitation.declined', targetType: 'invitation', targetId: invitation.id, data: { role: invitation.role }, requestId: request.id });
    });
    return reply.status(204).send(null);
  });
}
