// Serves the console (SPEC §11), the single-page app built from console/ into dist/console, at
// /console: hashed assets for a year (their names change with their content), index.html never
// cached (it names the current assets), every client-side path under /console answered with
// index.html so a reload or a shared link lands on the right page. Each response carries a strict
// Content-Security-Policy: the app's own scripts and styles only (no inline script, no eval), no
// framing, requests to this origin only. Before the console is built, /console says how to build it.
//
// One exception is a nonce for style elements: React Aria adds one small <style> element at run
// time (touch-action for pressable elements) and reads the page's nonce for it from a
// <meta property="csp-nonce"> tag. Each index.html gets a fresh nonce (the build leaves a
// placeholder there); scripts stay 'self' only, and style attributes stay refused.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packageRoot } from '../core/package-root.js';
import { contentSecurityPolicy } from './content-security-policy.js';

// The app ships one stylesheet; React and ECharts set styles through the CSSOM, which CSP allows.
function consoleCsp(styleNonce?: string): string {
  return contentSecurityPolicy({ font: "'self'", style: styleNonce ? `'self' 'nonce-${styleNonce}'` : "'self'" });
}

/** What the console's build writes where each response puts its nonce (console/vite.config.ts). */
export const NONCE_PLACEHOLDER = 'TOLLGATE_CSP_NONCE';


export const CONSOLE_HEADERS = {
  'content-security-policy': consoleCsp(),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const CONSOLE_DIST = join(packageRoot(), 'dist', 'console');

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tollgate console not built</title></head>
<body><h1>The console has not been built</h1>
<p>This server found no console in <code>dist/console</code>. Build it from the repository with
<code>npm run build</code> (or <code>npm start</code>, which builds first), then reload this page.</p>
<p>The API works without it: see <a href="/docs">/docs</a>.</p></body></html>
`;

export function registerConsole(app: FastifyInstance, distDir: string = CONSOLE_DIST): void {
  const indexPath = join(distDir, 'index.html');

  function sendIndex(reply: FastifyReply): FastifyReply {
    // Read per request (a small file): a rebuild while the server runs is picked up at once.
    if (!existsSync(indexPath)) return reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    const nonce = randomBytes(16).toString('base64');
    return reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', consoleCsp(nonce))
      .type('text/html; charset=utf-8')
      .send(readFileSync(indexPath, 'utf8').replaceAll(NONCE_PLACEHOLDER, nonce));
  }

  app.register(async function consoleScope(scope) {
    scope.addHook('onRequest', async function consoleSecurityHeaders(_request, reply) {
      reply.headers(CONSOLE_HEADERS);
    });
    await scope.register(fastifyStatic, {
      root: join(distDir, 'assets'),
      prefix: '/console/assets/',
      // Vite names every asset after a hash of its content: a new build is a new name.
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
      decorateReply: false,
      // Nothing to serve before the first build: the folder may not exist yet.
      allowedPath: () => existsSync(distDir),
    });
    const config = { plane: 'ops' as const };
    scope.get('/console', { schema: { hide: true }, config }, async (_request, reply) => reply.redirect('/console/', 308));
    scope.get('/console/', { schema: { hide: true }, config }, async (_request, reply) => sendIndex(reply));
    scope.get('/console/*', { schema: { hide: true }, config }, async (_request, reply) => sendIndex(reply));
  });
}
