// /api/v1/auth: register, login, refresh, logout, me, password change and self-deletion.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ACCESS_TOKEN_TTL_S } from '../auth/access-tokens.js';
import { checkPassword } from '../auth/password-policy.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.js';
import { registerUser } from '../auth/register-user.js';
import { ApiError } from '../core/errors.js';
import { authenticateSession, authenticateUser } from '../http/authenticate.js';
import { invalidField } from '../http/error-handler.js';
import type { Services } from '../services.js';
import type { User } from '../storage/users.js';
import { DeleteSelfBody, LoginBody, MeOut, PasswordChangeBody, RefreshBody, RegisterBody, TokenPair, UserOut } from './auth-schemas.js';

const tags = ['auth'];
const secured = [{ bearer: [] }];
/** A sign-in this recent counts as "fresh" for deleting the account without the password. */
const FRESH_SIGN_IN_S = 5 * 60;

function userOut(user: User) {
  return { id: user.id, email: user.email, name: user.name, is_active: user.isActive };
}

async function tokenPair(services: Services, user: User, refreshToken?: string) {
  return {
    access_token: await services.accessTokens.issue(user.id, user.tokenVersion),
    refresh_token: refreshToken ?? (await services.refreshTokens.issue(user.id)).token,
    token_type: 'bearer' as const,
    expires_in: ACCESS_TOKEN_TTL_S,
  };
}

function rateLimited(retryAfterS: number): ApiError {
  return new ApiError('rate_limited', {
    message: 'Too many sign-in attempts.',
    headers: { 'retry-after': String(retryAfterS) },
  });
}

function throttleKeys(request: FastifyRequest, email: string) {
  return { email: email.trim().toLowerCase(), address: request.ip };
}

export function registerAuthRoutes(app: FastifyInstance, services: Services): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage, throttles } = services;

  r.post('/api/v1/auth/register', { schema: { tags, body: RegisterBody, response: { 201: UserOut } } }, async (request, reply) => {
    const problem = checkPassword(request.body.password);
    if (problem) throw invalidField('password', problem);
    const result = await registerUser(
      storage,
      {
        email: request.body.email,
        name: request.body.name ?? null,
        passwordHash: await hashPassword(request.body.password),
        isActive: request.body.is_active ?? true,
      },
      services.config.bootstrapOperatorEmail,
    );
    if (!result.ok) throw new ApiError('conflict', { message: 'A user with this email already exists.', field: 'email' });
    return reply.status(201).send(userOut(result.user));
  });

  r.post('/api/v1/auth/login', { schema: { tags, body: LoginBody, response: { 200: TokenPair } } }, async (request) => {
    const keys = throttleKeys(request, request.body.email);
    const blocked = throttles.loginByEmail.blockedFor(keys.email) ?? throttles.loginByAddress.blockedFor(keys.address);
    if (blocked !== null) throw rateLimited(blocked);

    const user = await storage.users.findByEmail(keys.email);
    // Unknown email, wrong password and inactive user answer identically, after the same work.
    const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), request.body.password);
    if (!user || !valid || !user.isActive) {
      const byEmail = throttles.loginByEmail.hit(keys.email);
      const byAddress = throttles.loginByAddress.hit(keys.address);
      const over = byEmail ?? byAddress;
      if (over !== null) throw rateLimited(over);
      throw new ApiError('invalid_credentials');
    }
    throttles.loginByEmail.reset(keys.email);
    return tokenPair(services, user);
  });

  r.post('/api/v1/auth/refresh', { schema: { tags, body: RefreshBody, response: { 200: TokenPair } } }, async (request) => {
    const result = await services.refreshTokens.rotate(request.body.refresh_token);
    if (!result.ok) {
      throw new ApiError('invalid_token', {
        message: result.reason === 'reused' ? 'This refresh token was already used; its sessions are signed out.' : 'The refresh token is invalid or expired.',
      });
    }
    const user = await storage.users.findById(result.userId);
    if (!user || !user.isActive) throw new ApiError('invalid_token');
    return tokenPair(services, user, result.token);
  });

  r.post('/api/v1/auth/logout', { schema: { tags, body: RefreshBody, response: { 204: Type.Null() } } }, async (request, reply) => {
    await services.refreshTokens.revokeFamilyOf(request.body.refresh_token);
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
    if (!(await verifyPassword(user.passwordHash, request.body.current_password))) {
      throw invalidField('current_password', 'is incorrect');
    }
    const problem = checkPassword(request.body.new_password);
    if (problem) throw invalidField('new_password', problem);
    const at = new Date().toISOString();
    // Bumping the token version retires every access token issued before this moment.
    await storage.transaction(async (tx) => {
      await tx.users.changePassword(user.id, await hashPassword(request.body.new_password), at);
      await tx.refreshTokens.revokeAllForUser(user.id, at);
    });
    return reply.status(204).send(null);
  });

  // Authenticate before the body is validated, so an anonymous caller gets 401, not a 422.
  const sessions = new WeakMap<FastifyRequest, Awaited<ReturnType<typeof authenticateSession>>>();
  r.delete(
    '/api/v1/auth/register',
    {
      schema: { tags, security: secured, body: Type.Optional(DeleteSelfBody), response: { 204: Type.Null() } },
      preValidation: async (request) => {
        sessions.set(request, await authenticateSession(services, request));
      },
    },
    async (request, reply) => {
      const { user, claims } = sessions.get(request)!;
      const password = request.body?.password;
      const fresh = Math.floor(Date.now() / 1000) - claims.issuedAtS <= FRESH_SIGN_IN_S;
      if (password !== undefined ? !(await verifyPassword(user.passwordHash, password)) : !fresh) {
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
        const revokedKeys = await tx.apiKeys.revokeAllByCreator(user.id, at);
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
