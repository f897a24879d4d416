// The HTTP edge of the key check (steps 1–5): reads the credential, Origin and client address from
// the request, runs the one verifier (src/keys/verify-key.ts), notes the key's use (written in
// batches) and turns a refusal into the ApiError the plane renders (OpenAI's shape on the
// OpenAI-compatible endpoints, Tollgate's elsewhere). The client address is `request.ip`: the
// socket's peer, or the X-Forwarded-For client only behind proxies TOLLGATE_TRUST_PROXY trusts
// (src/app.ts), so a spoofed header from anyone else changes nothing.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { presentedCredential } from '../http/authenticate.js';
import type { CheckedKey } from '../storage/api-keys.js';
import { ipNotAllowed, verifyKey, type KeyRefusal, type KeyVerifier } from '../keys/verify-key.js';

export interface KeyCheckDeps {
  verifier: KeyVerifier;
  /** Notes a key's use (last_used_at, written in batches). */
  noteUse(keyId: string, at: string): void;
}

export function requestOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin.length > 0 ? origin : undefined;
}

export function refusalError(check: KeyRefusal): ApiError {
  if (check.code === 'origin_not_allowed') return new ApiError('origin_not_allowed');
  if (check.code === 'ip_not_allowed') return ipNotAllowed(check.clientIp);
  if (check.reason === 'missing') {
    return new ApiError('invalid_api_key', {
      message: 'No API key was provided.',
      suggestion: 'Send it as "Authorization: Bearer <key>" or "X-API-Key: <key>".',
    });
  }
  return new ApiError('invalid_api_key');
}

/** Steps 1–5 of SPEC §4 for a data-plane request; returns the key or throws 401/403. */
export async function authenticateKey(deps: KeyCheckDeps, request: FastifyRequest): Promise<CheckedKey> {
  const now = new Date();
  const check = await verifyKey(deps.verifier, { credential: presentedCredential(request), origin: requestOrigin(request), clientIp: request.ip }, now);
  if (!check.ok) throw refusalError(check);
  deps.noteUse(check.key.id, now.toISOString());
  return check.key;
}
