// Users: sign-in identity. Emails are stored lower-cased, so uniqueness is case-insensitive.
import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from './schema.js';

export interface User {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string;
  isActive: boolean;
  isOperator: boolean;
  tokenVersion: number;
  createdAt: string;
  updatedAt: string;
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    isActive: row.is_active === 1,
    isOperator: row.is_operator === 1,
    tokenVersion: row.token_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class UsersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(user: User): Promise<void> {
    await this.db
      .insertInto('users')
      .values({
        id: user.id,
        email: user.email.toLowerCase(),
        name: user.name,
        password_hash: user.passwordHash,
        is_active: user.isActive ? 1 : 0,
        is_operator: user.isOperator ? 1 : 0,
        token_version: user.tokenVersion,
        created_at: user.createdAt,
        updated_at: user.updatedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    return row && toUser(row);
  }

  async anyOperator(): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').where('is_operator', '=', 1).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async setOperator(id: string, isOperator: boolean, at: string): Promise<void> {
    await this.db.updateTable('users').set({ is_operator: isOperator ? 1 : 0, updated_at: at }).where('id', '=', id).execute();
  }

  /** Deactivation also bumps the token version, so access tokens from before never work again. */
  async setActive(id: string, isActive: boolean, at: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ is_active: isActive ? 1 : 0, updated_at: at, ...(isActive ? {} : { token_version: eb('token_version', '+', 1) }) }))
      .where('id', '=', id)
      .execute();
  }

  /** Changes the password and bumps the token version, which retires every access token issued before. */
  async changePassword(id: string, passwordHash: string, at: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ password_hash: passwordHash, token_version: eb('token_version', '+', 1), updated_at: at }))
      .where('id', '=', id)
      .execute();
  }

  async updateName(id: string, name: string | null, at: string): Promise<void> {
    await this.db.updateTable('users').set({ name, updated_at: at }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }
}
