// The HTTP edge of the key check: reads the credential and Origin from the request, runs
// verifyKeyRequest, notes the key's use (written in batches) and turns a refusal into the ApiError
// the plane renders (OpenAI's shape on the OpenAI-compatible endpoints, Tollgate's elsewhere).
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { presentedCredential } from '../http/authenticate.js';
import type { Services } from '../services.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import { verifyKeyRequest, type KeyRequestCheck } from '../keys/verify-key-request.js';

export function requestOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin.length > 0 ? origin : undefined;
}

export async function checkRequestKey(services: Services, credential: string | undefined, origin: string | undefined, now = new Date()): Promise<KeyRequestCheck> {
  const gateway = services.gateway;
  return verifyKeyRequest({ prefix: services.config.keyPrefix, cache: gateway.keyCache, hash: (key) => services.keys.hash(key) }, { credential, origin }, now);
}

export function refusalError(check: Exclude<KeyRequestCheck, { ok: true }>): ApiError {
  if (check.code === 'origin_not_allowed') return new ApiError('origin_not_allowed');
  if (check.reason === 'missing') {
    return new ApiError('invalid_api_key', {
      message: 'No API key was provided.',
      suggestion: 'Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".',
    });
  }
  return new ApiError('invalid_api_key');
}

/** Steps 1–5 of SPEC §4 for a data-plane request; returns the key or throws 401/403. */
export async function authenticateKey(services: Services, request: FastifyRequest): Promise<ApiKeyRecord> {
  const now = new Date();
  const check = await checkRequestKey(services, presentedCredential(request), requestOrigin(request), now);
  if (!check.ok) throw refusalError(check);
  services.gateway.lastUsed.note(check.key.id, now.toISOString());
  return check.key;
}
