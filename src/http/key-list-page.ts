// Cursor pagination and search of the key listings (SPEC §8 "Listing at scale"), shared by the
// personal keys (/api/v1/auth/keys) and the org proxy keys (/admin/keys): the query they accept, its
// reading (a bad cursor is a 422 naming the field) and the headers that point at the next page:
// `X-Next-Cursor` and an RFC 8288 `Link: <…>; rel="next"`, which repeats the request with the cursor.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { decodeListCursor, encodeListCursor, type ListPosition } from '../core/list-cursor.js';
import { validationError } from '../core/validation-error.js';

export const DEFAULT_KEY_PAGE = 100;
export const MAX_KEY_PAGE = 1000;

export const KeyListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_KEY_PAGE, default: DEFAULT_KEY_PAGE, description: `keys per page (default ${DEFAULT_KEY_PAGE})` })),
  cursor: Type.Optional(Type.String({ maxLength: 256, description: 'the X-Next-Cursor of the previous page' })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'a case-insensitive substring of the name, or a prefix of the key prefix' })),
});
export type KeyListQuery = Static<typeof KeyListQuery>;

export interface KeyPageRequest {
  limit: number;
  after: ListPosition | undefined;
  search: string | undefined;
}

/** The page a query asks for; a cursor this server did not write is a 422 on `cursor`. */
export function keyPageRequest(query: KeyListQuery): KeyPageRequest {
  let after: ListPosition | undefined;
  if (query.cursor !== undefined) {
    const position = decodeListCursor(query.cursor);
    if (!position) throw validationError('query', [{ instancePath: '/cursor', message: 'is not a cursor of this listing; pass the X-Next-Cursor of the previous page', keyword: 'value', params: {} }]);
    after = position;
  }
  return { limit: query.limit ?? DEFAULT_KEY_PAGE, after, search: query.search };
}

/** Sets the next-page headers when there is a next page; the cursor (or null) for bodies that carry it. */
export function announceNextPage(request: FastifyRequest, reply: FastifyReply, next: ListPosition | null): string | null {
  if (!next) return null;
  const cursor = encodeListCursor(next);
  const url = new URL(request.url, 'http://tollgate.invalid');
  url.searchParams.set('cursor', cursor);
  reply.header('x-next-cursor', cursor);
  // A relative reference, resolved against the request's own URL (RFC 8288 §3.1): right behind any proxy.
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  return cursor;
}
