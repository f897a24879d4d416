// The cast of the authorization matrix: one team with an owner, an admin and a member; another
// team with its own admin; a service token of each; an operator; an API key. Each caller sends
// X-Account-Id of the team, so "another account" callers are asking for an account not theirs.
import type { App } from '../../src/app.js';
import { createKey, signUp, type SignedIn, type TestGateway } from '../support/harness.js';
import { addMember, bearer, createServiceToken, createTeam, makeOperator } from '../support/accounts-fixtures.js';

export const PRINCIPALS = [
  'anonymous',
  'api_key',
  'member',
  'admin',
  'owner',
  'other_admin',
  'service_token',
  'other_service_token',
  'operator',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export interface World {
  gw: TestGateway;
  app: App;
  accountId: string;
  owner: SignedIn;
  admin: SignedIn;
  member: SignedIn;
  otherAccountId: string;
  otherOwner: SignedIn;
  otherAdmin: SignedIn;
  operator: SignedIn;
  memberKey: string;
  serviceToken: string;
  otherServiceToken: string;
}

export interface Caller {
  name: PrincipalName;
  headers: Record<string, string>;
  /** The signed-in user behind the caller, if any. */
  user: SignedIn | null;
}

export async function buildWorld(gw: TestGateway): Promise<World> {
  const app = gw.app;
  const [owner, admin, member, otherOwner, otherAdmin, operator] = [
    await signUp(app),
    await signUp(app),
    await signUp(app),
    await signUp(app),
    await signUp(app),
    await signUp(app),
  ];
  const accountId = await createTeam(app, owner, 'Matrix team');
  await addMember(app, owner, accountId, admin, 'admin');
  await addMember(app, owner, accountId, member, 'member');
  const otherAccountId = await createTeam(app, otherOwner, 'Other team');
  await addMember(app, otherOwner, otherAccountId, otherAdmin, 'admin');
  await makeOperator(gw, operator);
  return {
    gw,
    app,
    accountId,
    owner,
    admin,
    member,
    otherAccountId,
    otherOwner,
    otherAdmin,
    operator,
    memberKey: (await createKey(app, member)).key,
    serviceToken: (await createServiceToken(app, owner, accountId)).token,
    otherServiceToken: (await createServiceToken(app, otherOwner, otherAccountId)).token,
  };
}

/** A user signed up just now in the given role: for routes that change or delete their caller. */
async function freshUser(world: World, name: PrincipalName): Promise<SignedIn> {
  const user = await signUp(world.app);
  if (name === 'member' || name === 'admin' || name === 'owner') await addMember(world.app, world.owner, world.accountId, user, name);
  if (name === 'other_admin') await addMember(world.app, world.otherOwner, world.otherAccountId, user, 'admin');
  if (name === 'operator') await makeOperator(world.gw, user);
  return user;
}

export async function callerFor(world: World, name: PrincipalName, fresh: boolean): Promise<Caller> {
  const account = { 'x-account-id': world.accountId };
  switch (name) {
    case 'anonymous':
      return { name, headers: account, user: null };
    case 'api_key': {
      const key = fresh ? (await createKey(world.app, await freshUser(world, 'member'))).key : world.memberKey;
      return { name, headers: { ...account, ...bearer(key) }, user: null };
    }
    case 'service_token':
      return { name, headers: { ...account, ...bearer(world.serviceToken) }, user: null };
    case 'other_service_token':
      return { name, headers: { ...account, ...bearer(world.otherServiceToken) }, user: null };
    default: {
      const standing = { member: world.member, admin: world.admin, owner: world.owner, other_admin: world.otherAdmin, operator: world.operator };
      const user = fresh ? await freshUser(world, name) : standing[name];
      return { name, headers: { ...account, ...user.auth }, user };
    }
  }
}
