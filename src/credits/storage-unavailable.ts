// Credit, limit and price routes answer 503 `unavailable` when the database cannot be
// reached (SPEC §5), instead of an opaque 500. Each write is one transaction, so a failure leaves
// nothing half-written.
import { ApiError } from '../core/errors.js';
import { isDatabaseUnreachable } from '../storage/database-errors.js';

export async function storageUnavailable<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ApiError || !isDatabaseUnreachable(error)) throw error;
    throw new ApiError('unavailable', { message: 'The database cannot be reached.', suggestion: 'Retry in a few seconds.' });
  }
}
