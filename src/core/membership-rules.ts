// Who may change whom in an account, as a pure decision (no I/O). The rules follow GitHub
// organisations, with `admin` between owner and member:
// - owners manage everyone, including other owners;
// - admins manage admins and members, may grant up to `admin`, and can never touch an owner;
// - members manage no one, but may leave;
// - anyone may lower their own role or leave, except the last owner (an account always has one);
// - operators act as owners on every account.
// The last-owner rule is decided on the owner count read inside the same locked transaction.
import type { Role } from './roles.js';

export type ActorRole = Role | 'operator';

export type MemberChange =
  | { kind: 'add'; role: Role }
  | { kind: 'change_role'; targetRole: Role; newRole: Role; self: boolean }
  | { kind: 'remove'; targetRole: Role; self: boolean };

export type MemberDecision = { ok: true } | { ok: false; code: 'forbidden' | 'conflict'; message: string };

const RANK: Record<ActorRole, number> = { member: 1, admin: 2, owner: 3, operator: 4 };

export function canManageMembers(role: ActorRole): boolean {
  return RANK[role] >= RANK.admin;
}

const forbidden = (message: string): MemberDecision => ({ ok: false, code: 'forbidden', message });

/** `owners` is the number of owners before the change. */
export function decideMemberChange(actor: ActorRole, change: MemberChange, owners: number): MemberDecision {
  const lastOwner = (role: Role) => role === 'owner' && owners <= 1;
  switch (change.kind) {
    case 'add':
      if (!canManageMembers(actor)) return forbidden('Only owners and admins can add members.');
      if (RANK[change.role] > RANK[actor]) return forbidden('You cannot grant a role above your own.');
      return { ok: true };
    case 'change_role': {
      const lowering = RANK[change.newRole] <= RANK[change.targetRole];
      if (!(change.self && lowering)) {
        if (!canManageMembers(actor)) return forbidden('Only owners and admins can change roles.');
        if (RANK[change.targetRole] > RANK[actor]) return forbidden('You cannot change the role of someone above you.');
        if (RANK[change.newRole] > RANK[actor]) return forbidden('You cannot grant a role above your own.');
      }
      if (lastOwner(change.targetRole) && change.newRole !== 'owner') {
        return { ok: false, code: 'conflict', message: 'The last owner cannot be demoted; make someone else owner first.' };
      }
      return { ok: true };
    }
    case 'remove':
      if (!change.self) {
        if (!canManageMembers(actor)) return forbidden('Only owners and admins can remove members.');
        if (RANK[change.targetRole] > RANK[actor]) return forbidden('You cannot remove someone above you.');
      }
      if (lastOwner(change.targetRole)) {
        return { ok: false, code: 'conflict', message: 'The last owner cannot leave or be removed; make someone else owner first.' };
      }
      return { ok: true };
  }
}
