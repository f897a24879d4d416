// /admin/audit: the account's audit trail, newest first, keyset-paginated (pass `next_cursor`
// back as `before`). Only the calling principal's account is ever read.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { AuditPageOut, AuditQuery } from '../http/schemas/admin-schemas.js';
import { authenticateAdmin } from '../http/authenticate-admin.js';

/** What these routes use of the composition root. */
export type AdminAuditRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'serviceTokens' | 'storage'>;

const tags = ['admin'];
const security = [{ bearer: [] }];

export function registerAdminAuditRoutes(app: FastifyInstance, services: AdminAuditRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/admin/audit', { schema: { tags, security, querystring: AuditQuery, response: { 200: AuditPageOut } } }, async (request) => {
    const principal = await authenticateAdmin(services, request);
    const page = await services.storage.audit.listByAccount(principal.accountId, { limit: request.query.limit ?? 50, before: request.query.before });
    return {
      events: page.events.map((e) => ({
        id: e.id,
        actor_type: e.actorType,
        actor_id: e.actorId,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        data: e.data,
        request_id: e.requestId,
        created_at: e.createdAt,
      })),
      next_cursor: page.nextCursor,
    };
  });
}
