// /console: hashed assets cached for a year, index.html never cached and answered for every
// client-side path, a strict CSP with a fresh style nonce per page, and a 503 page saying how to
// build the console when it was not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { NONCE_PLACEHOLDER, registerConsole } from '../../src/http/console-static.js';

const INDEX = `<!doctype html><meta property="csp-nonce" nonce="${NONCE_PLACEHOLDER}"><script type="module" src="/console/assets/app-abc123.js"></script>`;

describe('the console, served at /console', () => {
  let dir: string;
  let app: FastifyInstance;
  afterEach(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(built: boolean): Promise<FastifyInstance> {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-console-'));
    if (built) {
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'index.html'), INDEX);
      writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log("console")');
    }
    app = Fastify();
    registerConsole(app, dir);
    await app.ready();
    return app;
  }

  it('serves hashed assets as immutable for a year, under the CSP', async () => {
    await serve(true);
    const asset = await app.inject({ method: 'GET', url: '/console/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toContain("script-src 'self'");
    const missing = await app.inject({ method: 'GET', url: '/console/assets/gone-000.js' });
    expect(missing.statusCode).toBe(404);
  });

  it('answers index.html, not cached, for the app and every client-side path, each with its own style nonce', async () => {
    await serve(true);
    const redirect = await app.inject({ method: 'GET', url: '/console' });
    expect(redirect.statusCode).toBe(308);
    expect(redirect.headers.location).toBe('/console/');
    const pages = await Promise.all(['/console/', '/console/keys', '/console/sign-in?sso_error=x'].map((url) => app.inject({ method: 'GET', url })));
    const nonces = new Set<string>();
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-cache');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe');
      const nonce = /style-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(page.body).toContain(`nonce="${nonce}"`);
      expect(page.body).not.toContain(NONCE_PLACEHOLDER);
      nonces.add(nonce!);
    }
    expect(nonces.size).toBe(3);
  });

  it('says how to build the console when it was not built (503)', async () => {
    await serve(false);
    const page = await app.inject({ method: 'GET', url: '/console/keys' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('npm run build');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
