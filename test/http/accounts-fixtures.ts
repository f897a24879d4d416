// Small helpers the account, admin and operator suites share: a team with members in each role,
// service tokens, operators. Every secret handed out is remembered for the log check.
import type { App } from '../../src/app.js';
import type { TestGateway, SignedIn } from '../support/harness.js';
import { signUp } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';

export async function createTeam(app: App, owner: SignedIn, name = 'Team'): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/accounts', headers: owner.auth, payload: { name } });
  if (response.statusCode !== 201) throw new Error(`create team failed: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

export async function addMember(app: App, by: SignedIn, accountId: string, user: SignedIn, role: 'owner' | 'admin' | 'member'): Promise<void> {
  const response = await app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/members`, headers: by.auth, payload: { email: user.email, role } });
  if (response.statusCode !== 201) throw new Error(`add member failed: ${response.statusCode} ${response.body}`);
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
