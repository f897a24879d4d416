// /healthz: the process is up. /readyz: storage answers and every migration is applied, so a load
// balancer sends traffic only to nodes that can serve it.
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../core/errors.js';
import { migrationsCurrent, type DatabaseHandle } from '../storage/connect.js';

export function registerHealthRoutes(app: FastifyInstance, services: { database: DatabaseHandle }): void {
  const ops = { tags: ['ops'] };
  app.get('/healthz', { schema: ops, config: { plane: 'ops' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: ops, config: { plane: 'ops' } }, async () => {
    try {
      await sql`select 1`.execute(services.database.db);
      if (!(await migrationsCurrent(services.database))) throw new Error('migrations pending');
    } catch {
      throw new ApiError('unavailable', { message: 'Storage is not reachable or migrations are pending.' });
    }
    return { status: 'ready' };
  });
}
