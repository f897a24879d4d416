// Registration: a user, their personal account and their owner membership, in one transaction.
// The bootstrap operator email (SPEC §4 Operator) makes that user an operator when they register,
// while the server has never had one (bootstrap-operator.ts).
import { newId } from '../core/ids.js';
import { bootstrapOpen, grantOperator } from './bootstrap-operator.js';
import { isUniqueViolation } from '../storage/database-errors.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import type { User } from '../storage/users.js';

export interface RegisterInput {
  email: string;
  name: string | null;
  passwordHash: string;
  isActive: boolean;
}

/** Work done in the registration's transaction once the user and their personal account exist (an audit entry). */
export type OnRegistered = (tx: StorageTransaction, user: User, personalAccountId: string) => Promise<void>;

export type RegisterResult = { ok: true; user: User; bootstrapOperator: boolean } | { ok: false; reason: 'email_taken' };

export async function registerUser(
  storage: Storage,
  input: RegisterInput,
  bootstrapOperatorEmail: string | undefined,
  now = new Date(),
  onRegistered?: OnRegistered,
): Promise<RegisterResult> {
  const at = now.toISOString();
  const email = input.email.trim().toLowerCase();
  const user: User = {
    id: newId('usr'),
    email,
    name: input.name,
    passwordHash: input.passwordHash,
    isActive: input.isActive,
    isOperator: false,
    tokenVersion: 0,
    createdAt: at,
    updatedAt: at,
  };
  let bootstrapOperator = false;
  try {
    bootstrapOperator = await storage.transaction(async (tx) => {
      await tx.users.insert(user);
      const accountId = newId('acc');
      await tx.accounts.insert({ id: accountId, name: input.name ? `${input.name}'s account` : 'Personal', kind: 'personal', createdAt: at, updatedAt: at });
      await tx.accounts.addMember({ accountId, userId: user.id, role: 'owner', createdAt: at });
      await onRegistered?.(tx, user, accountId);
      if (bootstrapOperatorEmail === undefined || email !== bootstrapOperatorEmail || !(await bootstrapOpen(tx))) return false;
      await grantOperator(tx, user.id, 'bootstrap', at);
      return true;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
  return { ok: true, user: { ...user, isOperator: bootstrapOperator }, bootstrapOperator };
}
