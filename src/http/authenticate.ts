// Who is calling. The control plane takes user access tokens; some self-service routes also take
// the account's API key — checked by the data plane's own verifier over the key cache, so a
// revoked key stops here exactly when it stops there; key management never takes one (SPEC §3).
// A "no" here is an ApiError the error handler renders.
import type { FastifyRequest } from 'fastify';
import type { AccessClaims, AccessTokens } from '../auth/access-tokens.js';
import type { Config } from '../config.js';
import { ApiError } from '../core/errors.js';
import type { KeyCache } from '../keys/key-cache.js';
import type { LastUsedTracker } from '../keys/last-used.js';
import type { KeyService } from '../keys/key-service.js';
import { ipNotAllowed, verifyKey, type KeyVerifier } from '../keys/verify-key.js';
import type { CheckedKey } from '../storage/api-keys.js';
import type { Storage } from '../storage/storage.js';
import type { User } from '../storage/users.js';

/**
 * An API key speaks for its account. `user` is the key's creator, who must still be active; it is
 * null for an org key minted by a service token, which no user owns (SPEC §3: it still reads its
 * account's usage, balance, sessions and automation settings).
 */
export type Principal = { type: 'user'; user: User } | { type: 'api_key'; key: CheckedKey; user: User | null };

/** The bearer credential: `Authorization: Bearer …` wins over `X-API-Key`. */
export function presentedCredential(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : undefined;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey.trim() : undefined;
}

/** What the key verifier every caller shares needs: the prefix, the gateway's key cache, the key HMAC. */
export interface KeyVerifierDeps {
  config: Pick<Config, 'keyPrefix'>;
  gateway: { keyCache: KeyCache };
  keys: Pick<KeyService, 'hash'>;
}

export function keyVerifier(services: KeyVerifierDeps): KeyVerifier {
  return { prefix: services.config.keyPrefix, cache: services.gateway.keyCache, hash: (key) => services.keys.hash(key) };
}

function looksLikeApiKey(services: UserAuthDeps, credential: string): boolean {
  return credential.startsWith(`${services.config.keyPrefix}_live_`) || credential.startsWith(`${services.config.keyPrefix}_test_`);
}

/** What recognising a user's access token needs (an API key is told apart by its prefix). */
export interface UserAuthDeps {
  config: Pick<Config, 'keyPrefix'>;
  accessTokens: Pick<AccessTokens, 'verify'>;
  storage: Pick<Storage, 'users'>;
}

/** Self-service routes that also take the account's API key check it with the shared verifier, and note its use. */
export interface UserOrKeyAuthDeps extends UserAuthDeps, KeyVerifierDeps {
  gateway: KeyVerifierDeps['gateway'] & { lastUsed: Pick<LastUsedTracker, 'note'> };
}

const invalidToken = () => new ApiError('invalid_token');

async function userFromAccessToken(services: UserAuthDeps, token: string): Promise<{ user: User; claims: AccessClaims }> {
  const claims = await services.accessTokens.verify(token);
  if (!claims) throw invalidToken();
  const user = await services.storage.users.findById(claims.userId);
  // A password change bumps token_version: tokens issued before it no longer match.
  if (!user || !user.isActive || user.tokenVersion !== claims.tokenVersion) throw invalidToken();
  return { user, claims };
}

/** Requires a user access token. An API key is refused: it may not manage credentials. */
export async function authenticateUser(services: UserAuthDeps, request: FastifyRequest): Promise<User> {
  return (await authenticateSession(services, request)).user;
}

/** Like authenticateUser, with the token's claims (for "fresh sign-in" checks). */
export async function authenticateSession(services: UserAuthDeps, request: FastifyRequest): Promise<{ user: User; claims: AccessClaims }> {
  const credential = presentedCredential(request);
  if (!credential) throw new ApiError('invalid_token', { message: 'An access token is required.' });
  if (looksLikeApiKey(services, credential)) {
    throw new ApiError('forbidden', {
      message: 'API keys cannot be used here; this endpoint requires a user access token.',
      suggestion: 'Sign in with POST /api/v1/auth/login and send the access token.',
    });
  }
  return userFromAccessToken(services, credential);
}

/** Accepts a user access token or an API key of the user's account (self-service routes). */
export async function authenticateUserOrKey(services: UserOrKeyAuthDeps, request: FastifyRequest): Promise<Principal> {
  const credential = presentedCredential(request);
  if (!credential) throw new ApiError('invalid_token', { message: 'An access token or API key is required.' });
  if (!looksLikeApiKey(services, credential)) return { type: 'user', user: (await userFromAccessToken(services, credential)).user };
  // Self-service routes apply no origin rule (they are not called from the key's web pages), but
  // a key's address rule holds everywhere the key is accepted: a leaked key stays useless elsewhere.
  const now = new Date();
  const check = await verifyKey(keyVerifier(services), { credential, origin: undefined, clientIp: request.ip }, now);
  if (!check.ok) throw check.code === 'ip_not_allowed' ? ipNotAllowed(check.clientIp) : new ApiError('invalid_api_key');
  // A key at work on the control plane is in use as much as on the data plane (last_used_at).
  services.gateway.lastUsed.note(check.key.id, now.toISOString());
  if (check.key.createdBy === null) {
    // Only org keys are minted without a user; a personal key always has its creator.
    if (check.key.kind !== 'org') throw new ApiError('invalid_api_key');
    return { type: 'api_key', key: check.key, user: null };
  }
  const user = await services.storage.users.findById(check.key.createdBy);
  if (!user || !user.isActive) throw new ApiError('invalid_api_key');
  return { type: 'api_key', key: check.key, user };
}
