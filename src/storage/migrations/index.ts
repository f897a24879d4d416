// Every migration, in order. A later migration never edits an earlier one.
import type { Migration } from 'kysely';
import type { Dialect } from '../connect.js';
import { foundation } from './001-foundation.js';

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '001-foundation': foundation(dialect),
  };
}
