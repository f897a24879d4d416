// /api/v1/auth/sso: single sign-on with the OpenID Connect issuers in the config file (SPEC §12).
// The browser is sent to /start, which redirects it to the issuer; the issuer sends it back to
// /callback, which signs it in with the console's refresh cookie (src/http/refresh-cookie.ts) and
// redirects to /console/. A failure redirects to the sign-in page with a short `sso_error` text;
// the cause goes to the log. No token ever travels in a URL.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { openAttempt, sealAttempt } from '../auth/sso-attempt.js';
import { SsoUnavailableError, type SsoProvider } from '../auth/sso-clients.js';
import { finishSignIn, SSO_FAILURE_MESSAGES, startSignIn } from '../auth/sso-sign-in.js';
import { ApiError } from '../core/errors.js';
import { setRefreshCookie } from '../http/refresh-cookie.js';
import { SsoParams, SsoProvidersOut, SsoRedirect } from '../http/schemas/sso-schemas.js';
import { attemptCookieOf, clearAttemptCookie, setAttemptCookie } from '../http/sso-attempt-cookie.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type SsoRouteDeps = Pick<Services, 'config' | 'refreshTokens' | 'secrets' | 'sso' | 'storage'>;

const tags = ['auth'];
const SIGNED_IN = '/console/';
const SIGN_IN_PAGE = '/console/sign-in';

/**
 * The redirect URI registered at the issuer: this server's origin as the browser sees it (scheme
 * and host, through a proxy only as far as TOLLGATE_TRUST_PROXY says) and the callback path. A
 * forged Host header yields a redirect URI the issuer does not have registered, so it refuses.
 */
function redirectUri(request: FastifyRequest, providerId: string): string {
  return `${request.protocol}://${request.host}/api/v1/auth/sso/${encodeURIComponent(providerId)}/callback`;
}

function providerOf(services: SsoRouteDeps, id: string): SsoProvider {
  const provider = services.sso.get(id);
  if (!provider) throw new ApiError('not_found', { message: 'No such sign-in provider.', suggestion: 'GET /api/v1/auth/sso/providers lists them.' });
  return provider;
}

function redirect(reply: FastifyReply, location: string): FastifyReply {
  // Every answer here is one browser's own: never stored by a cache.
  return reply.header('cache-control', 'no-store').redirect(location, 302);
}

export function registerSsoRoutes(app: FastifyInstance, services: SsoRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const attemptKey = services.secrets.derive('sso-attempt');

  r.get('/api/v1/auth/sso/providers', { schema: { tags, response: { 200: SsoProvidersOut } } }, async () => ({
    providers: services.sso.list().map((p) => ({ id: p.id, name: p.name })),
  }));

  r.get('/api/v1/auth/sso/:id/start', { schema: { tags, params: SsoParams, response: { 302: SsoRedirect } } }, async (request, reply) => {
    const provider = providerOf(services, request.params.id);
    try {
      const { url, attempt } = await startSignIn(provider, redirectUri(request, provider.settings.id));
      setAttemptCookie(request, reply, sealAttempt(attemptKey, attempt));
      return redirect(reply, url.href);
    } catch (error) {
      if (!(error instanceof SsoUnavailableError)) throw error;
      request.log.warn({ provider: provider.settings.id, cause: error.message }, 'sso issuer unavailable');
      throw new ApiError('upstream_error', {
        message: `The identity provider "${provider.settings.name}" could not be reached.`,
        suggestion: 'Try again in a moment; if it persists, the operator should check the issuer in sso.providers.',
      });
    }
  });

  r.get('/api/v1/auth/sso/:id/callback', { schema: { tags, params: SsoParams, response: { 302: SsoRedirect } } }, async (request, reply) => {
    const provider = providerOf(services, request.params.id);
    const callbackUrl = new URL(redirectUri(request, provider.settings.id));
    const query = request.url.indexOf('?');
    if (query >= 0) callbackUrl.search = request.url.slice(query);
    const attempt = openAttempt(attemptKey, attemptCookieOf(request), provider.settings.id);
    // An attempt is used once, whatever the outcome.
    clearAttemptCookie(request, reply);
    const deps = { storage: services.storage, bootstrapOperatorEmail: services.config.bootstrapOperatorEmail };
    const outcome = await finishSignIn(deps, provider, callbackUrl, attempt, request.id);
    if (!outcome.ok) {
      request.log.warn({ provider: provider.settings.id, reason: outcome.reason, cause: outcome.cause }, 'sso sign-in refused');
      return redirect(reply, `${SIGN_IN_PAGE}?sso_error=${encodeURIComponent(SSO_FAILURE_MESSAGES[outcome.reason])}`);
    }
    const { user, created, bootstrapOperator } = outcome;
    if (created) request.log.info({ userId: user.id, provider: provider.settings.id }, 'user created by sso sign-in');
    if (bootstrapOperator) request.log.info({ userId: user.id }, 'TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL applied: the user signing in is the first operator');
    setRefreshCookie(request, reply, (await services.refreshTokens.issue(user.id)).token);
    return redirect(reply, SIGNED_IN);
  });
}
