// The opaque cursor of keyset-paginated listings (SPEC §8 "Listing at scale"): the sort position of
// the last row of a page, (created_at, id), as base64url JSON. A position, not an offset, so a page
// is an index range read however deep it is, and rows inserted meanwhile never shift a later page.
// Pure. Callers must still scope the read to the caller: a cursor carries no authority.

export interface ListPosition {
  createdAt: string;
  id: string;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeListCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

/** The position a cursor names, or null when it is not one this server wrote. */
export function decodeListCursor(cursor: string): ListPosition | null {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || !ISO_INSTANT.test(createdAt) || typeof id !== 'string' || !ID.test(id)) return null;
  return { createdAt, id };
}
