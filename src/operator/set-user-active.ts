// Deactivating a user stops everything that speaks for them, on every node within the key cache's
// invalidation time: access tokens (every request re-reads is_active), refresh tokens (revoked),
// API keys they created, personal and org (key events make every node's cache re-read them, and
// the data plane refuses a key whose creator is inactive), and service tokens they minted
// (checked on each use). Reactivating lets their keys work again; they must sign in anew.
import { ApiError } from '../core/errors.js';
import type { Services } from '../services.js';
import type { User } from '../storage/users.js';

/** What this uses of the composition root. */
export type SetUserActiveDeps = Pick<Services, 'keyEvents' | 'storage'>;

export interface SetUserActiveInput {
  userId: string;
  active: boolean;
  operator: User;
  requestId: string;
}

export async function setUserActive(services: SetUserActiveDeps, input: SetUserActiveInput): Promise<User> {
  const { storage } = services;
  const user = await storage.users.findById(input.userId);
  if (!user) throw new ApiError('not_found', { message: 'No such user.' });
  if (!input.active && user.id === input.operator.id) {
    throw new ApiError('conflict', { message: 'You cannot deactivate yourself.', suggestion: 'Ask another operator.' });
  }
  const at = new Date().toISOString();
  const personal = await storage.accounts.findPersonal(user.id);
  await storage.transaction(async (tx) => {
    await tx.users.setActive(user.id, input.active, at);
    if (!input.active) await tx.refreshTokens.revokeAllForUser(user.id, at);
    await tx.audit.record({
      accountId: personal?.id ?? null,
      actorType: 'user',
      actorId: input.operator.id,
      action: input.active ? 'user.reactivated' : 'user.deactivated',
      targetType: 'user',
      targetId: user.id,
      requestId: input.requestId,
    });
  });
  const created = [...(await storage.apiKeys.listByCreator(user.id, 'personal')), ...(await storage.apiKeys.listByCreator(user.id, 'org'))];
  for (const key of created) services.keyEvents.changed(key.id);
  return { ...user, isActive: input.active, updatedAt: at };
}
