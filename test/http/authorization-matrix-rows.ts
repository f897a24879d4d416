// One row per control (/api/v1/*), admin (/admin/*) and operator route: who gets which status.
// A row names a kind of access (the columns follow from it), the status of success, and how to
// build a request that would succeed for an authorized caller, so every "yes" is a real yes.
import { randomBytes } from 'node:crypto';
import { createKey, signUp } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { addMember, createServiceToken, createTeam, invite } from '../support/accounts-fixtures.js';
import type { Caller, PrincipalName, World } from './authorization-matrix-world.js';

type Expectation = Record<PrincipalName, number>;

/**
 * The kinds of access, as statuses per caller (`ok` stands for the route's success status):
 * - public: no credential needed (sign-up and sign-in);
 * - user: a user access token; API keys 403 (they never manage credentials), service tokens 401;
 * - user_or_key: self-service that also takes the account's API key;
 * - account_read / account_manage: /api/v1/accounts/{id}…, members read, owners/admins manage,
 *   another account is 404, operators see all;
 * - admin: /admin/*, SPEC §3 (default TOLLGATE_ADMIN_ALLOWED_ROLES lets members in);
 * - operator: operators only;
 * - service_or_operator: a service token of the account or an operator.
 */
export function expectations(kind: Kind, ok: number): Expectation {
  const user = { anonymous: 401, api_key: 403, member: ok, admin: ok, owner: ok, other_admin: ok, service_token: 401, other_service_token: 401, operator: ok };
  switch (kind) {
    case 'public':
      return { anonymous: ok, api_key: ok, member: ok, admin: ok, owner: ok, other_admin: ok, service_token: ok, other_service_token: ok, operator: ok };
    case 'user':
      return user;
    case 'user_or_key':
      return { ...user, api_key: ok };
    case 'account_read':
      return { ...user, other_admin: 404 };
    case 'account_manage':
      return { ...user, member: 403, other_admin: 404 };
    case 'admin':
      return { ...user, other_admin: 404, service_token: ok, other_service_token: 404 };
    case 'operator':
      return { anonymous: 401, api_key: 403, member: 403, admin: 403, owner: 403, other_admin: 403, service_token: 403, other_service_token: 403, operator: ok };
    case 'service_or_operator':
      return { anonymous: 401, api_key: 403, member: 403, admin: 403, owner: 403, other_admin: 403, service_token: ok, other_service_token: ok, operator: ok };
  }
}

export type Kind = 'public' | 'user' | 'user_or_key' | 'account_read' | 'account_manage' | 'admin' | 'operator' | 'service_or_operator';

export interface Row {
  kind: Kind;
  ok: number;
  /** Statuses that differ from the kind's, with the reason in a comment beside them. */
  except?: Partial<Expectation>;
  /** The route changes or deletes its caller: each cell gets a caller made for it. */
  self?: boolean;
  request: (world: World, caller: Caller) => Promise<{ url: string; payload?: object }>;
}

const password = () => {
  const value = `pw-${randomBytes(8).toString('hex')}`;
  rememberSecret(value);
  return value;
};

/** A key of the caller (so an authorized caller acts on its own key), or of the member otherwise. */
async function ownKeyId(world: World, caller: Caller): Promise<string> {
  return (await createKey(world.app, caller.user ?? world.member)).id;
}

async function freshOrgKeyId(world: World): Promise<string> {
  const response = await world.app.inject({ method: 'POST', url: '/admin/keys', headers: { ...world.owner.auth, 'x-account-id': world.accountId }, payload: { name: 'matrix' } });
  rememberSecret(response.json().secret);
  return response.json().key.id;
}

async function freshMemberId(world: World): Promise<string> {
  const user = await signUp(world.app);
  await addMember(world.app, world.owner, world.accountId, user, 'member');
  return user.userId;
}

/** An invitation for the caller's email (any email for callers without a user), to a team of a fresh owner. */
async function invitationFor(world: World, caller: Caller): Promise<string> {
  const owner = await signUp(world.app);
  const teamId = await createTeam(world.app, owner, 'Inviting team');
  return invite(world.app, owner, teamId, caller.user?.email ?? `nobody-${randomBytes(4).toString('hex')}@example.com`);
}

const at = (url: string) => async () => ({ url });
const team = (world: World) => `/api/v1/accounts/${world.accountId}`;

export const ROWS: Record<string, Row> = {
  // Sign-up and sign-in: open to all; a credential sent along changes nothing.
  'POST /api/v1/auth/register': { kind: 'public', ok: 201, request: async () => ({ url: '/api/v1/auth/register', payload: { email: `m-${randomBytes(6).toString('hex')}@example.com`, password: password() } }) },
  'POST /api/v1/auth/login': {
    kind: 'public',
    ok: 200,
    request: async (world) => {
      const user = await signUp(world.app);
      return { url: '/api/v1/auth/login', payload: { email: user.email, password: user.password } };
    },
  },
  'POST /api/v1/auth/refresh': { kind: 'public', ok: 200, request: async (world) => ({ url: '/api/v1/auth/refresh', payload: { refresh_token: (await signUp(world.app)).refreshToken } }) },
  'POST /api/v1/auth/logout': { kind: 'public', ok: 204, request: async (world) => ({ url: '/api/v1/auth/logout', payload: { refresh_token: (await signUp(world.app)).refreshToken } }) },

  // The signed-in user's own things.
  'GET /api/v1/auth/me': { kind: 'user', ok: 200, request: at('/api/v1/auth/me') },
  // Single sign-on is for browsers without a credential; a credential sent along changes nothing.
  // The matrix configures no issuer, so start and callback answer 404 to every caller (the flow
  // itself, against a real issuer: test/control/sso.test.ts).
  'GET /api/v1/auth/sso/providers': { kind: 'public', ok: 200, request: at('/api/v1/auth/sso/providers') },
  'GET /api/v1/auth/sso/:id/start': { kind: 'public', ok: 404, request: at('/api/v1/auth/sso/absent/start') },
  'GET /api/v1/auth/sso/:id/callback': { kind: 'public', ok: 404, request: at('/api/v1/auth/sso/absent/callback?code=c&state=s') },
  // Sent with `{}`: without a body the route answers 422 before it looks at the caller.
  'DELETE /api/v1/auth/register': { kind: 'user', ok: 204, self: true, request: async () => ({ url: '/api/v1/auth/register', payload: {} }) },
  'POST /api/v1/auth/password': {
    kind: 'user',
    ok: 204,
    self: true,
    request: async (_world, caller) => ({ url: '/api/v1/auth/password', payload: { current_password: caller.user?.password ?? password(), new_password: password() } }),
  },
  'POST /api/v1/auth/keys': { kind: 'user', ok: 201, request: async () => ({ url: '/api/v1/auth/keys', payload: { name: 'matrix' } }) },
  'GET /api/v1/auth/keys': { kind: 'user', ok: 200, request: at('/api/v1/auth/keys') },
  'GET /api/v1/auth/keys/default': { kind: 'user', ok: 200, request: async (w, c) => (await ownKeyId(w, c), { url: '/api/v1/auth/keys/default' }) },
  'GET /api/v1/auth/keys/default/decrypted': { kind: 'user', ok: 200, request: async (w, c) => (await ownKeyId(w, c), { url: '/api/v1/auth/keys/default/decrypted' }) },
  'GET /api/v1/auth/keys/first': { kind: 'user', ok: 200, request: async (w, c) => (await ownKeyId(w, c), { url: '/api/v1/auth/keys/first' }) },
  'GET /api/v1/auth/keys/:id': { kind: 'user', ok: 200, request: async (w, c) => ({ url: `/api/v1/auth/keys/${await ownKeyId(w, c)}` }) },
  'PATCH /api/v1/auth/keys/:id': { kind: 'user', ok: 200, request: async (w, c) => ({ url: `/api/v1/auth/keys/${await ownKeyId(w, c)}`, payload: { name: 'renamed' } }) },
  'DELETE /api/v1/auth/keys/:id': { kind: 'user', ok: 204, request: async (w, c) => ({ url: `/api/v1/auth/keys/${await ownKeyId(w, c)}` }) },
  'POST /api/v1/auth/keys/:id/rotate': { kind: 'user', ok: 201, request: async (w, c) => ({ url: `/api/v1/auth/keys/${await ownKeyId(w, c)}/rotate`, payload: {} }) },
  'PUT /api/v1/auth/keys/:id/default': { kind: 'user', ok: 200, request: async (w, c) => ({ url: `/api/v1/auth/keys/${await ownKeyId(w, c)}/default` }) },
  'GET /api/v1/automation/settings': { kind: 'user_or_key', ok: 200, request: at('/api/v1/automation/settings') },
  'PUT /api/v1/automation/settings': { kind: 'user_or_key', ok: 200, request: async () => ({ url: '/api/v1/automation/settings', payload: { is_enabled: true } }) },

  // Accounts and members.
  'POST /api/v1/accounts': { kind: 'user', ok: 201, request: async () => ({ url: '/api/v1/accounts', payload: { name: 'Another team' } }) },
  'GET /api/v1/accounts': { kind: 'user', ok: 200, request: at('/api/v1/accounts') },
  'GET /api/v1/accounts/:id': { kind: 'account_read', ok: 200, request: async (w) => ({ url: team(w) }) },
  'PATCH /api/v1/accounts/:id': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: team(w), payload: { name: 'Matrix team' } }) },
  'GET /api/v1/accounts/:id/budget': { kind: 'account_read', ok: 200, request: async (w) => ({ url: `${team(w)}/budget` }) },
  'PUT /api/v1/accounts/:id/budget': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: `${team(w)}/budget`, payload: { limit: 1000, period: 'month' } }) },
  'GET /api/v1/accounts/:id/members': { kind: 'account_read', ok: 200, request: async (w) => ({ url: `${team(w)}/members` }) },
  // Adding a member is an invitation (202), accepted or declined by the invitee's own access token.
  'POST /api/v1/accounts/:id/members': {
    kind: 'account_manage',
    ok: 202,
    request: async (w) => ({ url: `${team(w)}/members`, payload: { email: (await signUp(w.app)).email, role: 'member' } }),
  },
  'GET /api/v1/accounts/:id/invitations': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: `${team(w)}/invitations` }) },
  'DELETE /api/v1/accounts/:id/invitations/:invitation_id': {
    kind: 'account_manage',
    ok: 204,
    request: async (w) => ({ url: `${team(w)}/invitations/${await invite(w.app, w.owner, w.accountId, `w-${randomBytes(4).toString('hex')}@example.com`)}` }),
  },
  'GET /api/v1/invitations': { kind: 'user', ok: 200, request: at('/api/v1/invitations') },
  'POST /api/v1/invitations/:id/accept': { kind: 'user', ok: 200, request: async (w, c) => ({ url: `/api/v1/invitations/${await invitationFor(w, c)}/accept` }) },
  'POST /api/v1/invitations/:id/decline': { kind: 'user', ok: 204, request: async (w, c) => ({ url: `/api/v1/invitations/${await invitationFor(w, c)}/decline` }) },
  'PATCH /api/v1/accounts/:id/members/:user_id': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: `${team(w)}/members/${await freshMemberId(w)}`, payload: { role: 'admin' } }) },
  'DELETE /api/v1/accounts/:id/members/:user_id': { kind: 'account_manage', ok: 204, request: async (w) => ({ url: `${team(w)}/members/${await freshMemberId(w)}` }) },
  'POST /api/v1/accounts/:id/service-tokens': { kind: 'account_manage', ok: 201, request: async (w) => ({ url: `${team(w)}/service-tokens`, payload: { name: 'matrix' } }) },
  'GET /api/v1/accounts/:id/service-tokens': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: `${team(w)}/service-tokens` }) },
  'DELETE /api/v1/accounts/:id/service-tokens/:token_id': {
    kind: 'account_manage',
    ok: 204,
    request: async (w) => ({ url: `${team(w)}/service-tokens/${(await createServiceToken(w.app, w.owner, w.accountId)).id}` }),
  },

  // The admin plane.
  'POST /admin/keys': { kind: 'admin', ok: 201, request: async () => ({ url: '/admin/keys', payload: { name: 'matrix' } }) },
  'GET /admin/keys': { kind: 'admin', ok: 200, request: at('/admin/keys') },
  'GET /admin/keys/:id': { kind: 'admin', ok: 200, request: async (w) => ({ url: `/admin/keys/${await freshOrgKeyId(w)}` }) },
  // Budgets are set by owners and admins (SPEC §8), so a member with admin-plane access gets 403.
  'PATCH /admin/keys/:id': { kind: 'admin', ok: 200, except: { member: 403 }, request: async (w) => ({ url: `/admin/keys/${await freshOrgKeyId(w)}`, payload: { budget: { limit: 100, period: 'day' } } }) },
  'DELETE /admin/keys/:id': { kind: 'admin', ok: 204, request: async (w) => ({ url: `/admin/keys/${await freshOrgKeyId(w)}` }) },
  'GET /admin/audit': { kind: 'admin', ok: 200, request: at('/admin/audit') },

  // The operator plane.
  'GET /api/v1/operator/users': { kind: 'operator', ok: 200, request: at('/api/v1/operator/users?q=example') },
  'GET /api/v1/operator/users/:id': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/users/${w.member.userId}` }) },
  'POST /api/v1/operator/users/:id/deactivate': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/users/${(await signUp(w.app)).userId}/deactivate` }) },
  'POST /api/v1/operator/users/:id/reactivate': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/users/${(await signUp(w.app)).userId}/reactivate` }) },
  'GET /api/v1/operator/accounts': { kind: 'operator', ok: 200, request: at('/api/v1/operator/accounts') },
  'GET /api/v1/operator/accounts/:id': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/accounts/${w.accountId}` }) },

  // Credits, limits and prices (issue #5).
  'GET /api/v1/accounts/:id/balance': {
    kind: 'account_read',
    ok: 200,
    // The API key belongs to the member's personal account, so the team is another account to it.
    except: { api_key: 404 },
    request: async (w) => ({ url: `${team(w)}/balance` }),
  },
  // Buying credits (issue 13 item 3). The matrix server has no billing.stripe, so a caller who gets
  // past authorization meets 501 billing_not_configured (test/control/top-ups.test.ts has the 201).
  'POST /api/v1/accounts/:id/top-ups': { kind: 'account_manage', ok: 501, request: async (w) => ({ url: `${team(w)}/top-ups`, payload: { amount: 1000 } }) },
  // Stripe's deliveries carry no Tollgate credential: the Stripe-Signature is checked once billing is configured.
  'POST /api/v1/billing/stripe/webhook': { kind: 'public', ok: 501, request: async () => ({ url: '/api/v1/billing/stripe/webhook', payload: {} }) },
  'POST /api/v1/operator/accounts/:id/credits': { kind: 'operator', ok: 201, request: async (w) => ({ url: `/api/v1/operator/accounts/${w.accountId}/credits`, payload: { amount: 10, reason: 'matrix' } }) },
  'GET /api/v1/operator/accounts/:id/budget': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/accounts/${w.accountId}/budget` }) },
  'PUT /api/v1/operator/accounts/:id/budget': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/accounts/${w.accountId}/budget`, payload: { limit: 1000, period: 'total' } }) },
  'GET /api/v1/operator/accounts/:id/limits': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/accounts/${w.accountId}/limits` }) },
  'PUT /api/v1/operator/accounts/:id/limits': { kind: 'operator', ok: 200, request: async (w) => ({ url: `/api/v1/operator/accounts/${w.accountId}/limits`, payload: { rpm: 1000 } }) },
  'GET /api/v1/operator/prices': { kind: 'operator', ok: 200, request: at('/api/v1/operator/prices') },
  'PUT /api/v1/operator/prices': { kind: 'operator', ok: 200, request: async () => ({ url: '/api/v1/operator/prices', payload: { model: 'matrix/model', per_request: 1 } }) },
  'DELETE /api/v1/operator/prices': {
    kind: 'operator',
    ok: 204,
    request: async (w) => {
      const model = `matrix/${randomBytes(4).toString('hex')}`;
      await w.app.inject({ method: 'PUT', url: '/api/v1/operator/prices', headers: w.operator.auth, payload: { model, per_request: 1 } });
      return { url: `/api/v1/operator/prices?model=${encodeURIComponent(model)}` };
    },
  },
};
