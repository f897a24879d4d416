import { describe, expect, it } from 'vitest';
import { decideMemberChange, type ActorRole, type MemberChange } from '../../src/core/membership-rules.js';

const ok = { ok: true };
const decide = (actor: ActorRole, change: MemberChange, owners = 2) => decideMemberChange(actor, change, owners);
const codeOf = (decision: ReturnType<typeof decideMemberChange>) => (decision.ok ? 'ok' : decision.code);

describe('who may change whom in an account', () => {
  it.each([
    ['owner', 'owner', 'ok'],
    ['owner', 'admin', 'ok'],
    ['admin', 'admin', 'ok'],
    ['admin', 'member', 'ok'],
    ['admin', 'owner', 'forbidden'],
    ['member', 'member', 'forbidden'],
    ['operator', 'owner', 'ok'],
  ] as const)('a %s adding someone as %s: %s', (actor, role, expected) => {
    expect(codeOf(decide(actor, { kind: 'add', role }))).toBe(expected);
  });

  it('lets nobody raise their own role above what they hold', () => {
    expect(codeOf(decide('member', { kind: 'change_role', targetRole: 'member', newRole: 'admin', self: true }))).toBe('forbidden');
    expect(codeOf(decide('admin', { kind: 'change_role', targetRole: 'admin', newRole: 'owner', self: true }))).toBe('forbidden');
  });

  it('lets anyone lower their own role, except the last owner', () => {
    expect(decide('admin', { kind: 'change_role', targetRole: 'admin', newRole: 'member', self: true })).toEqual(ok);
    expect(decide('owner', { kind: 'change_role', targetRole: 'owner', newRole: 'admin', self: true }, 2)).toEqual(ok);
    expect(codeOf(decide('owner', { kind: 'change_role', targetRole: 'owner', newRole: 'admin', self: true }, 1))).toBe('conflict');
  });

  it('keeps admins off owners', () => {
    expect(codeOf(decide('admin', { kind: 'change_role', targetRole: 'owner', newRole: 'member', self: false }))).toBe('forbidden');
    expect(codeOf(decide('admin', { kind: 'remove', targetRole: 'owner', self: false }))).toBe('forbidden');
    expect(codeOf(decide('admin', { kind: 'change_role', targetRole: 'member', newRole: 'owner', self: false }))).toBe('forbidden');
  });

  it('lets members leave but not remove anyone else', () => {
    expect(decide('member', { kind: 'remove', targetRole: 'member', self: true })).toEqual(ok);
    expect(codeOf(decide('member', { kind: 'remove', targetRole: 'member', self: false }))).toBe('forbidden');
  });

  it('never lets the last owner go, even for an operator', () => {
    expect(codeOf(decide('owner', { kind: 'remove', targetRole: 'owner', self: true }, 1))).toBe('conflict');
    expect(codeOf(decide('operator', { kind: 'remove', targetRole: 'owner', self: false }, 1))).toBe('conflict');
    expect(codeOf(decide('operator', { kind: 'change_role', targetRole: 'owner', newRole: 'member', self: false }, 1))).toBe('conflict');
    expect(decide('owner', { kind: 'remove', targetRole: 'owner', self: false }, 2)).toEqual(ok);
  });

  it('lets an owner promote to owner and an operator do anything within the last-owner rule', () => {
    expect(decide('owner', { kind: 'change_role', targetRole: 'member', newRole: 'owner', self: false })).toEqual(ok);
    expect(decide('operator', { kind: 'change_role', targetRole: 'owner', newRole: 'member', self: false }, 2)).toEqual(ok);
  });
});
