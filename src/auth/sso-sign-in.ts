// Single sign-on with OpenID Connect (SPEC §12): the authorization request (code flow, PKCE S256,
// state, nonce) and the callback that turns the issuer's answer into a Tollgate user. openid-client
// checks everything the protocol defines (state, PKCE, the ID token's signature, issuer, audience,
// expiry and nonce, the iss parameter when the issuer sends it); this module adds Tollgate's rules:
// a verified email, the provider's allowed domains, an active user. Users are matched by normalized
// email and created on first sign-in, without a password (NO_PASSWORD).
import { createHash, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { nameProblem, normalizeName } from '../core/names.js';
import type { Storage } from '../storage/storage.js';
import type { User } from '../storage/users.js';
import { normalizeEmail } from './password-attempt.js';
import { NO_PASSWORD } from './passwords.js';
import { registerUser } from './register-user.js';
import { SSO_ATTEMPT_TTL_MS, type SsoAttempt } from './sso-attempt.js';
import { SsoUnavailableError, type SsoProvider } from './sso-clients.js';

const SCOPE = 'openid email profile';

export type SsoFailure = 'invalid_attempt' | 'refused_by_provider' | 'provider_unavailable' | 'provider_error' | 'email_missing' | 'email_unverified' | 'domain_not_allowed' | 'user_inactive';

/** What the sign-in page shows (`?sso_error=`): short, fixed texts that carry nothing from the request. */
export const SSO_FAILURE_MESSAGES: Record<SsoFailure, string> = {
  invalid_attempt: 'The sign-in attempt expired or was not started here. Please try again.',
  refused_by_provider: 'The identity provider did not complete the sign-in.',
  provider_unavailable: 'The identity provider could not be reached. Please try again later.',
  provider_error: 'The identity provider\'s answer could not be verified.',
  email_missing: 'The identity provider did not share an email address.',
  email_unverified: 'The identity provider has not verified your email address.',
  domain_not_allowed: 'Your email domain may not sign in with this provider.',
  user_inactive: 'This user is deactivated.',
};

export type SsoOutcome =
  | { ok: true; user: User; created: boolean; bootstrapOperator: boolean }
  /** `cause` is for the log only: why, without tokens or secrets. */
  | { ok: false; reason: SsoFailure; cause: string };

/** The issuer's authorization URL and the attempt to keep until the callback. */
export async function startSignIn(provider: SsoProvider, redirectUri: string, now = Date.now()): Promise<{ url: URL; attempt: SsoAttempt }> {
  const client = await provider.client();
  const attempt: SsoAttempt = {
    providerId: provider.settings.id,
    codeVerifier: oidc.randomPKCECodeVerifier(),
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    expiresAt: now + SSO_ATTEMPT_TTL_MS,
  };
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(attempt.codeVerifier),
    code_challenge_method: 'S256',
    state: attempt.state,
    nonce: attempt.nonce,
  });
  return { url, attempt };
}

export interface FinishDeps {
  storage: Storage;
  bootstrapOperatorEmail: string | undefined;
}

/**
 * The callback: `callbackUrl` is the redirect URI with the query the issuer sent; `attempt` is
 * null when the cookie was missing, tampered with or expired.
 */
export async function finishSignIn(deps: FinishDeps, provider: SsoProvider, callbackUrl: URL, attempt: SsoAttempt | null, requestId: string): Promise<SsoOutcome> {
  if (!attempt) return { ok: false, reason: 'invalid_attempt', cause: 'no valid attempt cookie (missing, tampered, expired or for another provider)' };
  // openid-client checks the state too; checked first here so that a forged or stale callback is
  // told apart from an issuer's bad answer, and costs no request to the issuer.
  if (!sameSecret(callbackUrl.searchParams.get('state') ?? '', attempt.state)) {
    return { ok: false, reason: 'invalid_attempt', cause: 'the state parameter does not match the attempt' };
  }
  const identity = await verifiedIdentity(provider, callbackUrl, attempt);
  if (!identity.ok) return identity;
  const { email, name } = identity;
  const domains = provider.settings.allowedEmailDomains;
  if (domains && !domains.includes(email.slice(email.lastIndexOf('@') + 1))) {
    return { ok: false, reason: 'domain_not_allowed', cause: `email domain not in allowed_email_domains of ${provider.settings.id}` };
  }
  const found = await findOrCreateUser(deps, provider.settings.id, email, name, requestId);
  if (!found.user.isActive) return { ok: false, reason: 'user_inactive', cause: `user ${found.user.id} is inactive` };
  return { ok: true, ...found };
}

type Identity = { ok: true; email: string; name: string | null } | { ok: false; reason: SsoFailure; cause: string };

async function verifiedIdentity(provider: SsoProvider, callbackUrl: URL, attempt: SsoAttempt): Promise<Identity> {
  try {
    const client = await provider.client();
    const tokens = await oidc.authorizationCodeGrant(client, callbackUrl, {
      pkceCodeVerifier: attempt.codeVerifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    });
    let claims: Record<string, unknown> = tokens.claims() ?? {};
    // Many issuers put email claims only in userinfo; openid-client checks its `sub` is the ID token's.
    if (claims.email === undefined || claims.email_verified === undefined) {
      const userinfo = await oidc.fetchUserInfo(client, tokens.access_token, String(claims.sub));
      claims = { ...userinfo, ...definedOnly(claims) };
    }
    if (typeof claims.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(claims.email.trim()) || claims.email.length > 254) {
      return { ok: false, reason: 'email_missing', cause: 'no usable email claim' };
    }
    if (claims.email_verified !== true) return { ok: false, reason: 'email_unverified', cause: 'email_verified is not true' };
    const name = typeof claims.name === 'string' && nameProblem(claims.name) === null ? normalizeName(claims.name) : null;
    return { ok: true, email: normalizeEmail(claims.email), name };
  } catch (error) {
    return failureOf(error);
  }
}

/** Constant-time equality of two strings of any length (compared as SHA-256 digests). */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function definedOnly(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

function failureOf(error: unknown): Identity & { ok: false } {
  if (error instanceof SsoUnavailableError) return { ok: false, reason: 'provider_unavailable', cause: error.message };
  // `error=access_denied` and the like, sent back by the issuer instead of a code.
  if (error instanceof oidc.AuthorizationResponseError) return { ok: false, reason: 'refused_by_provider', cause: `issuer answered ${error.error}` };
  const code = (error as { code?: unknown }).code;
  // Network failures reaching the token or userinfo endpoint.
  if (error instanceof TypeError && code === undefined) return { ok: false, reason: 'provider_unavailable', cause: error.message };
  // State mismatch, PKCE or ID token checks, an error from the token endpoint: openid-client's codes and messages hold no secret.
  return { ok: false, reason: 'provider_error', cause: `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}` };
}

async function findOrCreateUser(deps: FinishDeps, providerId: string, email: string, name: string | null, requestId: string): Promise<{ user: User; created: boolean; bootstrapOperator: boolean }> {
  const existing = await deps.storage.users.findByEmail(email);
  if (existing) return { user: await retireUnverifiedPassword(deps, providerId, existing, requestId), created: false, bootstrapOperator: false };
  const result = await registerUser(deps.storage, { email, name, passwordHash: NO_PASSWORD, isActive: true }, deps.bootstrapOperatorEmail, new Date(), (tx, user, accountId) =>
    tx.audit
      .record({ accountId, actorType: 'user', actorId: user.id, action: 'user.created', targetType: 'user', targetId: user.id, data: { via: 'sso', provider: providerId }, requestId })
      .then(() => undefined),
  );
  if (result.ok) return { user: result.user, created: true, bootstrapOperator: result.bootstrapOperator };
  // Two first sign-ins at once: the other one created the user.
  const raced = await deps.storage.users.findByEmail(email);
  if (!raced) throw new Error('registration reported the email taken, but no user has it');
  return { user: raced, created: false, bootstrapOperator: false };
}

/**
 * Password registration does not verify emails, so a password user whose address an issuer now
 * verifies may have been registered by someone else first (pre-registration account takeover).
 * The verified owner wins: on the first SSO sign-in the password stops working and every session
 * made with it ends (the token version bump retires access tokens), in one transaction with its
 * audit entry. Keys and memberships stay: they belong to the account, which the owner now holds.
 */
async function retireUnverifiedPassword(deps: FinishDeps, providerId: string, user: User, requestId: string): Promise<User> {
  if (user.passwordHash === NO_PASSWORD) return user;
  const at = new Date().toISOString();
  await deps.storage.transaction(async (tx) => {
    await tx.users.changePassword(user.id, NO_PASSWORD, at);
    await tx.refreshTokens.revokeAllForUser(user.id, at);
    const personal = await tx.accounts.findPersonal(user.id);
    await tx.audit.record({ accountId: personal?.id ?? null, actorType: 'user', actorId: user.id, action: 'user.sso_linked', targetType: 'user', targetId: user.id, data: { provider: providerId, password_retired: true }, requestId });
  });
  return (await deps.storage.users.findById(user.id)) ?? user;
}
