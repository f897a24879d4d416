// Registration: a user, their personal account and their owner membership, in one transaction.
// The bootstrap operator email (SPEC §4 Operator) makes that user an operator when they register.
import { newId } from '../core/ids.js';
import type { Storage } from '../storage/storage.js';
import type { User } from '../storage/users.js';

export interface RegisterInput {
  email: string;
  name: string | null;
  passwordHash: string;
  isActive: boolean;
}

export type RegisterResult = { ok: true; user: User } | { ok: false; reason: 'email_taken' };

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e.message ?? '');
}

export async function registerUser(storage: Storage, input: RegisterInput, bootstrapOperatorEmail: string | undefined, now = new Date()): Promise<RegisterResult> {
  const at = now.toISOString();
  const email = input.email.trim().toLowerCase();
  const user: User = {
    id: newId('usr'),
    email,
    name: input.name,
    passwordHash: input.passwordHash,
    isActive: input.isActive,
    isOperator: bootstrapOperatorEmail !== undefined && email === bootstrapOperatorEmail,
    tokenVersion: 0,
    createdAt: at,
    updatedAt: at,
  };
  try {
    await storage.transaction(async (tx) => {
      await tx.users.insert(user);
      const accountId = newId('acc');
      await tx.accounts.insert({ id: accountId, name: input.name ? `${input.name}'s account` : 'Personal', kind: 'personal', createdAt: at, updatedAt: at });
      await tx.accounts.addMember({ accountId, userId: user.id, role: 'owner', createdAt: at });
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
  return { ok: true, user };
}
