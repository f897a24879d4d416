// Small helpers the account, admin and operator suites share: a team with members in each role,
// service tokens, operators. Every secret handed out is remembered for the log check.
import type { App } from '../../src/app.js';
import type { TestGateway, SignedIn } from './harness.js';
import { signUp } from './harness.js';
import { rememberSecret } from './log-capture.js';

export async function createTeam(app: App, owner: SignedIn, name = 'Team'): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/accounts', headers: owner.auth, payload: { name } });
  if (response.statusCode !== 201) throw new Error(`create team failed: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

/** Invites the user (`by` an owner or admin) and returns the invitation id. */
export async function invite(app: App, by: SignedIn, accountId: string, email: string, role: 'owner' | 'admin' | 'member' = 'member'): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/members`, headers: by.auth, payload: { email, role } });
  if (response.statusCode !== 202) throw new Error(`invite failed: ${response.statusCode} ${response.body}`);
  return response.json().invitation_id;
}

/** Adds a member the only way there is: an invitation, which they accept. */
export async function addMember(app: App, by: SignedIn, accountId: string, user: SignedIn, role: 'owner' | 'admin' | 'member'): Promise<void> {
  const id = await invite(app, by, accountId, user.email, role);
  const response = await app.inject({ method: 'POST', url: `/api/v1/invitations/${id}/accept`, headers: user.auth });
  if (response.statusCode !== 200) throw new Error(`accept invitation failed: ${response.statusCode} ${response.body}`);
}

export async function createServiceToken(app: App, by: SignedIn, accountId: string, body: Record<string, unknown> = {}): Promise<{ id: string; token: string } & Record<string, unknown>> {
  const response = await app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/service-tokens`, headers: by.auth, payload: { name: 'ci', ...body } });
  if (response.statusCode !== 201) throw new Error(`create service token failed: ${response.statusCode} ${response.body}`);
  const created = response.json();
  rememberSecret(created.token);
  return created;
}

export async function makeOperator(gw: TestGateway, user: SignedIn): Promise<void> {
  await gw.services.storage.users.setOperator(user.userId, true, new Date().toISOString());
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Team {
  accountId: string;
  owner: SignedIn;
  admin: SignedIn;
  member: SignedIn;
}

/** A team account with an owner, an admin and a member. */
export async function teamWithRoles(app: App, name = 'Team'): Promise<Team> {
  const [owner, admin, member] = [await signUp(app), await signUp(app), await signUp(app)];
  const accountId = await createTeam(app, owner, name);
  await addMember(app, owner, accountId, admin, 'admin');
  await addMember(app, owner, accountId, member, 'member');
  return { accountId, owner, admin, member };
}
