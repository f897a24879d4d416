// /api/v1/sessions: a key's leases on one upstream target per model (SPEC §1, §4). Self-service:
// an access token (acting for the user's keys; `key_id` picks one, else the default key) or the
// API key itself. Opening a session for a model that has one replaces it; another user's or
// another key's session answers 404.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { orderTargets, resolveModel } from '../core/model-targets.js';
import { isModelAllowed } from '../core/scopes.js';
import { automationFor } from '../sessions/session-target.js';
import { authenticateUserOrKey, type Principal } from '../http/authenticate.js';
import type { Services } from '../services.js';
import { isKeyActive } from '../core/key-state.js';
import type { ApiKeyRecord, CheckedKey } from '../storage/api-keys.js';
import type { SessionRecord } from '../storage/sessions.js';

/** What these routes use of the composition root. */
export type SessionRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'gateway' | 'keys' | 'storage'>;

const tags = ['sessions'];
const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

const OpenBody = Type.Object({
  model: Type.String({ minLength: 1, maxLength: 256 }),
  session_duration: Type.Optional(Type.Integer({ minimum: 60, maximum: 86_400, description: 'seconds (default: automation settings)' })),
  key_id: Type.Optional(Type.String({ maxLength: 64, description: 'With an access token: which of your keys (default: your default key)' })),
});
const SessionOut = Type.Object({
  id: Type.String(),
  model: Type.String(),
  provider: Type.String(),
  target_model: Type.String(),
  key_id: Type.String(),
  failovers: Type.Integer(),
  created_at: Type.String(),
  expires_at: Type.String(),
});

function sessionOut(s: SessionRecord) {
  return { id: s.id, model: s.model, provider: s.provider, target_model: s.targetModel, key_id: s.keyId, failovers: s.failovers, created_at: s.createdAt, expires_at: s.expiresAt };
}

/** Every active key the user created. */
async function userKeys(services: SessionRouteDeps, userId: string): Promise<ApiKeyRecord[]> {
  const now = new Date().toISOString();
  const keys = [...(await services.storage.apiKeys.listByCreator(userId, 'personal')), ...(await services.storage.apiKeys.listByCreator(userId, 'org'))];
  return keys.filter((k) => isKeyActive(k, now));
}

/** The keys a principal acts for: the API key itself, or every active key the user created. */
async function principalKeys(services: SessionRouteDeps, principal: Principal): Promise<CheckedKey[]> {
  return principal.type === 'api_key' ? [principal.key] : userKeys(services, principal.user.id);
}

async function keyForOpen(services: SessionRouteDeps, principal: Principal, keyId: string | undefined): Promise<CheckedKey> {
  if (principal.type === 'api_key') {
    if (keyId !== undefined && keyId !== principal.key.id) throw new ApiError('not_found', { message: 'No such key.' });
    return principal.key;
  }
  const keys = await userKeys(services, principal.user.id);
  const key = keyId !== undefined ? keys.find((k) => k.id === keyId) : (keys.find((k) => k.isDefault && k.kind === 'personal') ?? keys.find((k) => k.kind === 'personal'));
  if (!key) throw new ApiError('not_found', { message: keyId ? 'No such key.' : 'You have no active key.', suggestion: 'Create one with POST /api/v1/auth/keys.' });
  return key;
}

export function registerSessionRoutes(app: FastifyInstance, services: SessionRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { sessions, catalog } = services.gateway;

  r.post('/api/v1/sessions', { schema: { tags, security, body: OpenBody, response: { 201: SessionOut } } }, async (request, reply) => {
    const principal = await authenticateUserOrKey(services, request);
    const key = await keyForOpen(services, principal, request.body.key_id);
    const model = request.body.model;
    if (!isModelAllowed(key.models, model)) throw new ApiError('forbidden', { message: `This key may not use the model ${JSON.stringify(model)}.`, field: 'model' });
    const snapshot = await catalog.forAccount(key.accountId);
    const resolution = resolveModel(model, snapshot.aliases, snapshot.providers);
    if (!resolution.ok) throw new ApiError('invalid_request', { message: `The model ${JSON.stringify(model)} does not exist.`, field: 'model' });
    const durationS = request.body.session_duration ?? (await automationFor(services, key)).sessionDuration;
    const session = await sessions.open({ accountId: key.accountId, keyId: key.id, model, target: orderTargets(resolution, null)[0]!, durationS, replace: true });
    return reply.status(201).send(sessionOut(session));
  });

  r.get('/api/v1/sessions', { schema: { tags, security, response: { 200: Type.Array(SessionOut) } } }, async (request) => {
    const principal = await authenticateUserOrKey(services, request);
    const keys = await principalKeys(services, principal);
    return (await services.storage.sessions.listOpenByKeys(keys.map((k) => k.id), new Date().toISOString())).map(sessionOut);
  });

  r.delete('/api/v1/sessions/:id', { schema: { tags, security, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null() } } }, async (request, reply) => {
    const session = await ownedSession(services, request, request.params.id);
    await sessions.end(session);
    return reply.status(204).send(null);
  });
}

async function ownedSession(services: SessionRouteDeps, request: FastifyRequest, id: string): Promise<SessionRecord> {
  const principal = await authenticateUserOrKey(services, request);
  const session = await services.storage.sessions.findById(id);
  const keys = await principalKeys(services, principal);
  if (!session || session.endedAt !== null || !keys.some((k) => k.id === session.keyId)) throw new ApiError('not_found', { message: 'No such session.' });
  return session;
}
