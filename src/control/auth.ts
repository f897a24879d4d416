// /api/v1/auth: register, login, refresh, logout, me, password change and self-deletion.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ACCESS_TOKEN_TTL_S } from '../auth/access-tokens.js';
import { attemptPassword, normalizeEmail, type PasswordAttempt } from '../auth/password-attempt.js';
import { checkPassword } from '../auth/password-policy.js';
import { registerUser } from '../auth/register-user.js';
import { ApiError } from '../core/errors.js';
import { authenticateSession, authenticateUser } from '../http/authenticate.js';
import { invalidField } from '../core/validation-error.js';
import { nameField } from '../http/name-field.js';
import type { Services } from '../services.js';
import type { User } from '../storage/users.js';
import { DeleteSelfBody, LoginBody, LogoutBody, MeOut, PasswordChangeBody, RefreshBody, RegisterBody, TokenPair, UserOut } from '../http/schemas/auth-schemas.js';
import { clearRefreshCookie, refreshTokenFromCookie, setRefreshCookie } from '../http/refresh-cookie.js';

/** What these routes use of the composition root. */
export type AuthRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'keys' | 'keyEvents' | 'passwords' | 'refreshTokens' | 'storage' | 'throttles'>;

const tags = ['auth'];
const secured = [{ bearer: [] }];
/** A sign-in this recent counts as "fresh" for deleting the account without the password. */
const FRESH_SIGN_IN_S = 5 * 60;

function userOut(user: User) {
  return { id: user.id, email: user.email, name: user.name, is_active: user.isActive };
}

/** Where the refresh token goes: the response body, or (for a browser that asked) an HttpOnly cookie. */
interface Delivery {
  request: FastifyRequest;
  reply: FastifyReply;
  useCookie: boolean;
}

async function tokenPair(services: AuthRouteDeps, user: User, delivery: Delivery, refreshToken?: string) {
  const refresh = refreshToken ?? (await services.refreshTokens.issue(user.id)).token;
  const pair = { access_token: await services.accessTokens.issue(user.id, user.tokenVersion), token_type: 'bearer' as const, expires_in: ACCESS_TOKEN_TTL_S };
  if (!delivery.useCookie) return { ...pair, refresh_token: refresh };
  setRefreshCookie(delivery.request, delivery.reply, refresh);
  return pair;
}

function rateLimited(retryAfterS: number, message = 'Too many sign-in attempts.'): ApiError {
  return new ApiError('rate_limited', { message, headers: { 'retry-after': String(retryAfterS) } });
}

/** A password check outside sign-in: the owner's guess budget, spent from this client address. */
function checkOwnPassword(services: AuthRouteDeps, request: FastifyRequest, user: User, password: string): Promise<PasswordAttempt> {
  return attemptPassword(services.throttles, { email: normalizeEmail(user.email), address: request.ip }, () => services.passwords.verify(user.passwordHash, password));
}

function throwIfThrottled(attempt: PasswordAttempt): void {
  if (!attempt.ok && attempt.reason === 'throttled') throw rateLimited(attempt.retryAfterS, 'Too many password attempts.');
}

export function registerAuthRoutes(app: FastifyInstance, services: AuthRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { passwords, storage, throttles } = services;

  r.post('/api/v1/auth/register', { schema: { tags, body: RegisterBody, response: { 201: UserOut } } }, async (request, reply) => {
    const name = nameField('name', request.body.name ?? null);
    const problem = checkPassword(request.body.password);
    if (problem) throw invalidField('password', problem);
    // Each registration costs an argon2id hash: counted per client address before hashing, and
    // kept whatever the outcome.
    const slot = throttles.registrationByAddress.reserve(request.ip);
    if (!slot.ok) throw rateLimited(slot.retryAfterS, 'Too many registrations from this address.');
    const result = await registerUser(
      storage,
      { email: request.body.email, name, passwordHash: await passwords.hash(request.body.password), isActive: request.body.is_active ?? true },
      services.config.bootstrapOperatorEmail,
    );
    if (!result.ok) throw new ApiError('conflict', { message: 'A user with this email already exists.', field: 'email' });
    if (result.bootstrapOperator) request.log.info({ userId: result.user.id }, 'TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL applied: the registering user is the first operator');
    return reply.status(201).send(userOut(result.user));
  });

  r.post('/api/v1/auth/login', { schema: { tags, body: LoginBody, response: { 200: TokenPair } } }, async (request, reply) => {
    const email = normalizeEmail(request.body.email);
    let user: User | undefined;
    // Unknown email, wrong password and inactive user answer identically, after the same work.
    const attempt = await attemptPassword(throttles, { email, address: request.ip }, async () => {
      user = await storage.users.findByEmail(email);
      const valid = await passwords.verify(user?.passwordHash ?? (await passwords.dummyHash()), request.body.password);
      return valid && user !== undefined && user.isActive;
    });
    if (!attempt.ok) throw attempt.reason === 'throttled' ? rateLimited(attempt.retryAfterS) : new ApiError('invalid_credentials');
    return tokenPair(services, user!, { request, reply, useCookie: request.body.use_cookie === true });
  });

  r.post('/api/v1/auth/refresh', { schema: { tags, body: RefreshBody, response: { 200: TokenPair } } }, async (request, reply) => {
    // A token in the body wins; without one, the session cookie (same-origin only).
    const fromCookie = request.body.refresh_token === undefined;
    const result = await services.refreshTokens.rotate(request.body.refresh_token ?? refreshTokenFromCookie(request));
    if (!result.ok) {
      if (fromCookie) clearRefreshCookie(request, reply);
      throw new ApiError('invalid_token', {
        message: result.reason === 'reused' ? 'This refresh token was already used; its sessions are signed out.' : 'The refresh token is invalid or expired.',
      });
    }
    const user = await storage.users.findById(result.userId);
    if (!user || !user.isActive) throw new ApiError('invalid_token');
    return tokenPair(services, user, { request, reply, useCookie: fromCookie || request.body.use_cookie === true }, result.token);
  });

  r.post('/api/v1/auth/logout', { schema: { tags, body: LogoutBody, response: { 204: Type.Null() } } }, async (request, reply) => {
    // Signing out twice is not an error: a browser whose cookie already expired is signed out.
    const token = request.body.refresh_token ?? refreshTokenFromCookie(request, { optional: true });
    if (token) await services.refreshTokens.revokeFamilyOf(token);
    clearRefreshCookie(request, reply);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/auth/me', { schema: { tags, security: secured, response: { 200: MeOut } } }, async (request) => {
    const user = await authenticateUser(services, request);
    const memberships = await storage.accounts.listForUser(user.id);
    return {
      ...userOut(user),
      is_operator: user.isOperator,
      created_at: user.createdAt,
      memberships: memberships.map((m) => ({ account_id: m.accountId, account_name: m.account.name, kind: m.account.kind, role: m.role })),
    };
  });

  r.post('/api/v1/auth/password', { schema: { tags, security: secured, body: PasswordChangeBody, response: { 204: Type.Null() } } }, async (request, reply) => {
    const user = await authenticateUser(services, request);
    const attempt = await checkOwnPassword(services, request, user, request.body.current_password);
    throwIfThrottled(attempt);
    if (!attempt.ok) throw invalidField('current_password', 'is incorrect');
    const problem = checkPassword(request.body.new_password);
    if (problem) throw invalidField('new_password', problem);
    const at = new Date().toISOString();
    // Bumping the token version retires every access token issued before this moment.
    await storage.transaction(async (tx) => {
      await tx.users.changePassword(user.id, await passwords.hash(request.body.new_password), at);
      await tx.refreshTokens.revokeAllForUser(user.id, at);
    });
    return reply.status(204).send(null);
  });

  // Authenticate before the body is validated, so an anonymous caller gets 401, not a 422.
  const sessions = new WeakMap<FastifyRequest, Awaited<ReturnType<typeof authenticateSession>>>();
  r.delete(
    '/api/v1/auth/register',
    {
      schema: { tags, security: secured, body: DeleteSelfBody, response: { 204: Type.Null() } },
      preValidation: async function authenticateDeletion(request) {
        sessions.set(request, await authenticateSession(services, request));
        // A DELETE usually has no body (RFC 9110 §9.3.5); no body means no password: `{}`.
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { user, claims } = sessions.get(request)!;
      const password = request.body.password;
      const fresh = Math.floor(Date.now() / 1000) - claims.issuedAtS <= FRESH_SIGN_IN_S;
      let allowed = fresh;
      if (password !== undefined) {
        const attempt = await checkOwnPassword(services, request, user, password);
        throwIfThrottled(attempt);
        allowed = attempt.ok;
      }
      if (!allowed) {
        throw new ApiError('forbidden', {
          message: 'Deleting your user needs your password or a sign-in from the last 5 minutes.',
          suggestion: 'Send {"password": "…"} or sign in again.',
        });
      }
      const blocking = await storage.accounts.teamsSolelyOwnedBy(user.id);
      if (blocking.length > 0) {
        throw new ApiError('conflict', { message: `You are the last owner of ${blocking.length} team account(s); transfer ownership first.` });
      }
      const personal = await storage.accounts.findPersonal(user.id);
      const at = new Date().toISOString();
      const revoked = await storage.transaction(async (tx) => {
        const revokedKeys = await services.keys.withStorage(tx).revokeAllByCreator(user.id, at);
        await tx.serviceTokens.revokeAllByCreator(user.id, at);
        await tx.refreshTokens.revokeAllForUser(user.id, at);
        // The audit trail outlives the user (no foreign key): it records who did what.
        await tx.audit.record({ accountId: personal?.id ?? null, actorType: 'user', actorId: user.id, action: 'user.deleted', targetType: 'user', targetId: user.id, requestId: request.id });
        if (personal) await tx.accounts.delete(personal.id);
        await tx.users.delete(user.id);
        return revokedKeys;
      });
      // Caches on every node drop the user's keys now, not when their entries expire.
      for (const keyId of revoked) services.keyEvents.changed(keyId);
      return reply.status(204).send(null);
    },
  );
}
