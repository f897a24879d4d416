// Paging through key listings: `?limit=&cursor=&search=` with the next cursor in `X-Next-Cursor`.
// A server that does not page answers the whole list without that header, and one that refuses
// the parameters (422) is asked again without them; the search is then applied here, so the
// search box works either way.
import { ApiProblem, problemFrom } from './problem';
import { currentAccessToken, refreshSession } from './session';

export const PAGE_SIZE = 25;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

async function authorizedGet(url: string, headers: Record<string, string>): Promise<Response> {
  const send = () => fetch(url, { headers: { ...headers, authorization: `Bearer ${currentAccessToken() ?? ''}` } });
  const response = await send();
  return response.status === 401 && (await refreshSession()) ? send() : response;
}

export async function fetchKeyPage<T>(
  path: string,
  options: { cursor: string | null; search: string; headers?: Record<string, string>; pick(body: unknown): T[]; matches(item: T, search: string): boolean },
): Promise<Page<T>> {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (options.cursor) query.set('cursor', options.cursor);
  if (options.search) query.set('search', options.search);
  let response = await authorizedGet(`${path}?${query}`, options.headers ?? {});
  if (response.status === 422) response = await authorizedGet(path, options.headers ?? {});
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw problemFrom(response.status, body);
  const needle = options.search.trim().toLowerCase();
  const items = options.pick(body).filter((item) => !needle || options.matches(item, needle));
  const nextCursor = response.headers.get('x-next-cursor') ?? ((body as { next_cursor?: string | null } | null)?.next_cursor ?? null);
  return { items, nextCursor };
}

export function isProblem(error: unknown): error is ApiProblem {
  return error instanceof ApiProblem;
}
