// Credit, limit and price routes answer 503 `unavailable` when the database cannot be
// reached (SPEC §5), instead of an opaque 500. Each write is one transaction, so a failure leaves
// nothing half-written.
import { ApiError } from '../core/errors.js';

export async function storageUnavailable<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ApiError || !looksLikeConnectionFailure(error)) throw error;
    throw new ApiError('unavailable', { message: 'The database cannot be reached.', suggestion: 'Retry in a few seconds.' });
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P03', '08000', '08001', '08003', '08006', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR']);

function looksLikeConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /connection (terminated|refused|closed)|database connection is not open|pool .*(ended|closed)|timeout exceeded when trying to connect/i.test(message);
}
