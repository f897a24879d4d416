// Matrix rows for the routes of the data-plane issue (#3) that live on the control, admin and
// operator planes: upstream catalogs (admin: the account's own; operator: server-wide), sessions,
// usage and key verification. Fixtures are made by a caller who may make them, once per world.
import { randomBytes } from 'node:crypto';
import { createKey } from '../support/harness.js';
import type { Row } from './authorization-matrix-rows.js';
import { bearer } from '../support/accounts-fixtures.js';
import type { Caller, World } from './authorization-matrix-world.js';

/** The config-file provider the matrix gateway declares, for sessions to resolve a model. */
export const MATRIX_CONFIG = { providers: [{ id: 'mock', type: 'openai', base_url: 'http://127.0.0.1:9/v1', direct: true }] };

const rand = () => randomBytes(4).toString('hex');
type Plane = 'admin' | 'operator';
const basePath = (plane: Plane) => (plane === 'admin' ? '/admin' : '/api/v1/operator');
/** Someone allowed to create fixtures on the plane: the team's owner, or the operator. */
const creator = (w: World, plane: Plane) => (plane === 'admin' ? { ...w.owner.auth, 'x-account-id': w.accountId } : w.operator.auth);

async function create(w: World, plane: Plane, what: string, payload: object): Promise<string> {
  const response = await w.app.inject({ method: 'POST', url: `${basePath(plane)}/${what}`, headers: creator(w, plane), payload });
  if (response.statusCode !== 201) throw new Error(`create ${what}: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

/** One OpenAI and one http provider per owner (team or server), named mx-openai and mx-http. */
const providersMade = new WeakMap<World, Map<Plane, Promise<void>>>();
function ensureProviders(w: World, plane: Plane): Promise<void> {
  const byPlane = providersMade.get(w) ?? new Map<Plane, Promise<void>>();
  providersMade.set(w, byPlane);
  let made = byPlane.get(plane);
  if (!made) {
    made = (async () => {
      await create(w, plane, 'providers', { name: 'mx-openai', type: 'openai', base_url: 'http://127.0.0.1:9/v1' });
      await create(w, plane, 'providers', { name: 'mx-http', type: 'http', base_url: 'http://127.0.0.1:9' });
    })();
    byPlane.set(plane, made);
  }
  return made;
}

const providerBody = () => ({ name: `p-${rand()}`, type: 'openai', base_url: 'http://127.0.0.1:9/v1' });
const aliasBody = () => ({ name: `a-${rand()}`, targets: [{ provider: 'mx-openai', model: 'm' }] });
const routeBody = () => ({ path: `/mx/${rand()}`, provider: 'mx-http' });

function catalogRows(plane: Plane): Record<string, Row> {
  const base = basePath(plane);
  const kind = plane;
  const rows: Record<string, Row> = {};
  const resources = [
    ['providers', providerBody, { models: ['m'] }],
    ['aliases', aliasBody, { strategy: 'fallback' }],
    ['routes', routeBody, { cost: 1 }],
  ] as const;
  for (const [what, body, patch] of resources) {
    const fresh = async (w: World) => {
      await ensureProviders(w, plane);
      return create(w, plane, what, body());
    };
    rows[`POST ${base}/${what}`] = { kind, ok: 201, request: async (w) => (await ensureProviders(w, plane), { url: `${base}/${what}`, payload: body() }) };
    rows[`GET ${base}/${what}`] = { kind, ok: 200, request: async () => ({ url: `${base}/${what}` }) };
    rows[`GET ${base}/${what}/:id`] = { kind, ok: 200, request: async (w) => ({ url: `${base}/${what}/${await fresh(w)}` }) };
    rows[`PATCH ${base}/${what}/:id`] = { kind, ok: 200, request: async (w) => ({ url: `${base}/${what}/${await fresh(w)}`, payload: patch }) };
    rows[`DELETE ${base}/${what}/:id`] = { kind, ok: 204, request: async (w) => ({ url: `${base}/${what}/${await fresh(w)}` }) };
  }
  return rows;
}

/** A session of the caller's own key (the member's for callers that have none). */
async function ownSessionId(w: World, c: Caller): Promise<string> {
  if (c.user) await createKey(w.app, c.user);
  const headers = c.user ? c.user.auth : c.name === 'api_key' ? c.headers : bearer(w.memberKey);
  const response = await w.app.inject({ method: 'POST', url: '/api/v1/sessions', headers, payload: { model: 'mock/gpt-4o-mini' } });
  if (response.statusCode !== 201) throw new Error(`open session: ${response.statusCode} ${response.body}`);
  return response.json().id;
}

export const GATEWAY_ROWS: Record<string, Row> = {
  ...catalogRows('admin'),
  ...catalogRows('operator'),

  // Sessions and usage: self-service, so the account's API key is accepted too.
  'POST /api/v1/sessions': {
    kind: 'user_or_key',
    ok: 201,
    request: async (w, c) => {
      if (c.user) await createKey(w.app, c.user);
      return { url: '/api/v1/sessions', payload: { model: 'mock/gpt-4o-mini' } };
    },
  },
  'GET /api/v1/sessions': { kind: 'user_or_key', ok: 200, request: async () => ({ url: '/api/v1/sessions' }) },
  'DELETE /api/v1/sessions/:id': { kind: 'user_or_key', ok: 204, request: async (w, c) => ({ url: `/api/v1/sessions/${await ownSessionId(w, c)}` }) },
  'GET /api/v1/usage': { kind: 'user_or_key', ok: 200, request: async () => ({ url: '/api/v1/usage' }) },
  // One request's price and source; an id the caller's accounts never made is a 404 to everyone who gets past authentication.
  'GET /api/v1/usage/requests/:request_id': { kind: 'user_or_key', ok: 404, request: async () => ({ url: '/api/v1/usage/requests/req_unknown' }) },

  // For services that keep their own proxy: a service token of any account (the answer is scoped
  // to its account) or an operator.
  'POST /api/v1/keys/verify': { kind: 'service_or_operator', ok: 200, request: async (w) => ({ url: '/api/v1/keys/verify', payload: { key: w.memberKey } }) },
};
