// Users: sign-in identity. Emails are stored lower-cased, so uniqueness is case-insensitive.
import type { Kysely, Selectable } from 'kysely';
import { bool, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

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

const codec = tableCodec<Selectable<Tables['users']>, User>({ isActive: bool, isOperator: bool });

export class UsersRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(user: User): Promise<void> {
    await this.db.insertInto('users').values(codec.encode({ ...user, email: user.email.toLowerCase() })).execute();
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codec.decode(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    return row && codec.decode(row);
  }

  async anyOperator(): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').where('isOperator', '=', 1).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async setOperator(id: string, isOperator: boolean, at: string): Promise<void> {
    await this.db.updateTable('users').set(codec.encode({ isOperator, updatedAt: at })).where('id', '=', id).execute();
  }

  /** Deactivation also bumps the token version, so access tokens from before never work again. */
  async setActive(id: string, isActive: boolean, at: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ ...codec.encode({ isActive, updatedAt: at }), ...(isActive ? {} : { tokenVersion: eb('tokenVersion', '+', 1) }) }))
      .where('id', '=', id)
      .execute();
  }

  /** Changes the password and bumps the token version, which retires every access token issued before. */
  async changePassword(id: string, passwordHash: string, at: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ passwordHash, tokenVersion: eb('tokenVersion', '+', 1), updatedAt: at }))
      .where('id', '=', id)
      .execute();
  }

  async updateName(id: string, name: string | null, at: string): Promise<void> {
    await this.db.updateTable('users').set({ name, updatedAt: at }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }
}
