// Credit, limit and price routes answer 503 `unavailable` when the database cannot be
// reached (SPEC §5), instead of an opaque 500. Each write is one transaction, so a failure leaves
// nothing half-written.
import { ApiError } from '../core/errors.js';
import { databaseErrorKind } from '../storage/database-errors.js';

export async function storageUnavailable<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ApiError || !looksLikeConnectionFailure(error)) throw error;
    throw new ApiError('unavailable', { message: 'The database cannot be reached.', suggestion: 'Retry in a few seconds.' });
  }
}

function looksLikeConnectionFailure(error: unknown): boolean {
  if (databaseErrorKind(error) === 'unavailable') return true;
  const message = error instanceof Error ? error.message : '';
  return /connection (terminated|refused|closed)|database connection is not open|pool .*(ended|closed)|timeout exceeded when trying to connect/i.test(message);
}
