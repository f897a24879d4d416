// /api/v1/accounts/{id}/service-tokens: org-scoped credentials for the admin plane (CI pipelines,
// back offices). Owners and admins mint, list and revoke them with their own access token; a
// service token can never mint another. The token is in the creation answer only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { nameField } from '../http/name-field.js';
import { invalidField } from '../core/validation-error.js';
import type { Services } from '../services.js';
import type { ServiceTokenRecord } from '../storage/service-tokens.js';
import { accountAccess, requireManager } from '../http/account-access.js';
import { AccountIdParams, CreatedServiceToken, CreateServiceTokenBody, ServiceTokenList, ServiceTokenParams } from '../http/schemas/account-schemas.js';

/** What these routes use of the composition root. */
export type ServiceTokenRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'serviceTokens' | 'storage'>;

const tags = ['accounts'];
const security = [{ bearer: [] }];
export const MAX_ACTIVE_SERVICE_TOKENS = 100;

function serviceTokenOut(token: ServiceTokenRecord, now: string) {
  return {
    id: token.id,
    name: token.name,
    token_prefix: token.tokenPrefix,
    created_by: token.createdBy,
    created_at: token.createdAt,
    expires_at: token.expiresAt,
    last_used_at: token.lastUsedAt,
    revoked_at: token.revokedAt,
    is_active: token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now),
  };
}

function futureTime(value: string | null | undefined, now: Date): string | null {
  if (value === undefined || value === null) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || at.getTime() <= now.getTime()) throw invalidField('expires_at', 'must be a time in the future');
  return at.toISOString();
}

export function registerServiceTokenRoutes(app: FastifyInstance, services: ServiceTokenRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { storage } = services;

  r.post('/api/v1/accounts/:id/service-tokens', { schema: { tags, security, params: AccountIdParams, body: CreateServiceTokenBody, response: { 201: CreatedServiceToken } } }, async (request, reply) => {
    const access = await accountAccess(services, request, request.params.id);
    requireManager(access, 'create service tokens');
    const now = new Date();
    const expiresAt = futureTime(request.body.expires_at, now);
    if ((await storage.serviceTokens.countActive(access.account.id, now.toISOString())) >= MAX_ACTIVE_SERVICE_TOKENS) {
      throw new ApiError('conflict', { message: `An account may have at most ${MAX_ACTIVE_SERVICE_TOKENS} active service tokens.`, suggestion: 'Revoke tokens you no longer use.' });
    }
    const { record, token } = await storage.transaction(async (tx) => {
      const issued = await services.serviceTokens.withStorage(tx).issue({ accountId: access.account.id, createdBy: access.user.id, name: nameField('name', request.body.name), expiresAt }, now);
      await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: 'service_token.created', targetType: 'service_token', targetId: issued.record.id, data: { name: issued.record.name, expires_at: expiresAt }, requestId: request.id });
      return issued;
    });
    return reply.status(201).send({ ...serviceTokenOut(record, now.toISOString()), token });
  });

  r.get('/api/v1/accounts/:id/service-tokens', { schema: { tags, security, params: AccountIdParams, response: { 200: ServiceTokenList } } }, async (request) => {
    const access = await accountAccess(services, request, request.params.id);
    requireManager(access, 'list service tokens');
    const now = new Date().toISOString();
    return { service_tokens: (await storage.serviceTokens.listByAccount(access.account.id)).map((t) => serviceTokenOut(t, now)) };
  });

  r.delete('/api/v1/accounts/:id/service-tokens/:token_id', { schema: { tags, security, params: ServiceTokenParams, response: { 204: Type.Null() } } }, async (request, reply) => {
    const access = await accountAccess(services, request, request.params.id);
    requireManager(access, 'revoke service tokens');
    const token = await storage.serviceTokens.findById(request.params.token_id);
    if (!token || token.accountId !== access.account.id) throw new ApiError('not_found', { message: 'No such service token.' });
    const at = new Date().toISOString();
    await storage.transaction(async (tx) => {
      if (await tx.serviceTokens.revoke(token.id, at)) {
        await tx.audit.record({ accountId: access.account.id, actorType: 'user', actorId: access.user.id, action: 'service_token.revoked', targetType: 'service_token', targetId: token.id, requestId: request.id });
      }
    });
    return reply.status(204).send(null);
  });
}
