// The authorization matrix (issue #4, scope 5): every control, admin and operator route of the
// running app × every kind of caller → the expected status. The routes come from the app's own
// route table, so a route added without a row here fails the first test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { databaseTargets } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { expectations, ROWS as OWN_ROWS } from './authorization-matrix-rows.js';
import { GATEWAY_ROWS, MATRIX_CONFIG } from './authorization-matrix-rows-gateway.js';
import { WEBHOOK_ROWS } from './authorization-matrix-rows-webhooks.js';
import { buildWorld, callerFor, PRINCIPALS, type World } from './authorization-matrix-world.js';

const ROWS = { ...OWN_ROWS, ...GATEWAY_ROWS, ...WEBHOOK_ROWS };

/** Data-plane routes (API keys only, OpenAI-shaped errors): covered by the data-plane suites. */
const DATA_PLANE = ['/api/v1/chat/completions', '/api/v1/responses', '/api/v1/embeddings', '/api/v1/models', '/api/v1/forward-auth'];
/** Authenticated by GitHub's signature, never by a caller's credential: covered by test/keys/secret-scanning*.test.ts. */
const SIGNED_INTAKE = ['/api/v1/secret-scanning/github'];

function inMatrix(path: string): boolean {
  // `/api/v1/models/*` prints as `/api/v1/models*`: match the sub-routes of each entry too.
  if (DATA_PLANE.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}*`))) return false;
  if (SIGNED_INTAKE.includes(path)) return false;
  return path.startsWith('/api/v1/') || path.startsWith('/admin/') || path === '/admin';
}

/**
 * The app's routes as "METHOD /path", read from Fastify's route tree (printRoutes with
 * commonPrefix off prints each node's path suffix, indented four columns per level). HEAD is
 * Fastify's automatic twin of GET and is left out. Each parsed route is checked with hasRoute, so
 * a parsing slip cannot hide a route.
 */
export function routeTable(app: App): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = path;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method === 'HEAD') continue;
      if (!path.includes('*') && !app.hasRoute({ method: method as 'GET', url: path })) throw new Error(`route table parse error at ${method} ${path}`);
      routes.push(`${method} ${path}`);
    }
  }
  return [...new Set(routes)].sort();
}

/** Any secret in a response body is remembered, so the log check looks for it too. */
function rememberSecretsIn(body: string): void {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    for (const field of ['key', 'secret', 'token', 'access_token', 'refresh_token']) {
      if (typeof parsed[field] === 'string') rememberSecret(parsed[field] as string);
    }
  } catch {
    // not JSON: nothing to remember
  }
}

for (const target of databaseTargets()) {
  describe(`the authorization matrix on ${target.name}`, () => {
    let gw: TestGateway;
    let world: World;
    const configDir = mkdtempSync(join(tmpdir(), 'tollgate-matrix-'));
    beforeAll(async () => {
      const configPath = join(configDir, 'tollgate.json');
      writeFileSync(configPath, JSON.stringify(MATRIX_CONFIG));
      // Upstreams on loopback keep the catalog fixtures local; nothing is ever called.
      gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: configPath, TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
      world = await buildWorld(gw);
    });
    afterAll(async () => {
      await gw?.close();
      rmSync(configDir, { recursive: true, force: true });
    });

    it('has exactly one row for every control, admin and operator route', () => {
      const routes = routeTable(gw.app).filter((route) => inMatrix(route.split(' ')[1]!));
      expect(routes.length).toBeGreaterThan(30);
      const rows = Object.keys(ROWS).sort();
      expect({ withoutRow: routes.filter((r) => !rows.includes(r)), rowWithoutRoute: rows.filter((r) => !routes.includes(r)) }).toEqual({ withoutRow: [], rowWithoutRoute: [] });
    });

    for (const [route, row] of Object.entries(ROWS)) {
      it(`${route}: ${row.kind}`, async () => {
        const [method] = route.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'];
        const expected = { ...expectations(row.kind, row.ok), ...row.except };
        const seen: Record<string, number> = {};
        for (const name of PRINCIPALS) {
          const caller = await callerFor(world, name, row.self ?? false);
          const { url, payload } = await row.request(world, caller);
          const response = await gw.app.inject({ method, url, headers: caller.headers, ...(payload ? { payload } : {}) });
          rememberSecretsIn(response.body);
          seen[name] = response.statusCode;
        }
        expect(seen).toEqual(expected);
      });
    }
  });
}
