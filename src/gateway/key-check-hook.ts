// Steps 1–5 of SPEC §4 as a Fastify `onRequest` hook: the key is checked before the body is read,
// so a request with a bad key is refused with 401 whatever its body (SPEC §4). The key found is
// kept on the request for the handler. Register it inside the encapsulated scope of data-plane
// routes only: every route of that scope then takes an API key and nothing else.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import { authenticateKey } from './authenticate-key.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key that passed steps 1–5 (set by the key-check hook of data-plane scopes). */
    apiKey: ApiKeyRecord | null;
  }
}

export function registerKeyCheck(scope: FastifyInstance, services: Services): void {
  scope.decorateRequest('apiKey', null);
  scope.addHook('onRequest', async function checkKeyBeforeBody(request) {
    request.apiKey = await authenticateKey(services, request);
  });
}

/** The key the hook accepted; a handler outside a key-checked scope is a wiring bug. */
export function requestKey(request: FastifyRequest): ApiKeyRecord {
  if (!request.apiKey) throw new Error('This route is not inside a key-checked scope.');
  return request.apiKey;
}
