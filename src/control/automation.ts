// /api/v1/automation/settings: whether requests without a session open one automatically, and
// how long sessions last. Self-service: an access token or the account's API key. Settings belong
// to a user (a key follows its creator's); an org key minted by a service token has no user, so it
// reads the server default that applies to it and may not change it.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { authenticateUserOrKey, type Principal } from '../http/authenticate.js';
import type { Services } from '../services.js';
import { automationDefaults, automationSettingsFor, type AutomationDefaults } from '../sessions/automation-settings.js';
import type { AutomationSettings } from '../storage/automation-settings.js';

/** What these routes use of the composition root. */
export type AutomationRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'gateway' | 'keys' | 'storage'>;

const tags = ['automation'];
const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

const SessionDuration = Type.Integer({ minimum: 60, maximum: 86_400, description: 'seconds' });
const SettingsBody = Type.Object({ is_enabled: Type.Optional(Type.Boolean()), session_duration: Type.Optional(SessionDuration) });
const SettingsOut = Type.Object({
  is_enabled: Type.Boolean(),
  session_duration: Type.Integer(),
  user_id: Type.Union([Type.String(), Type.Null()], { description: 'null: an org key without a user, on the server default' }),
  created_at: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.Union([Type.String(), Type.Null()]),
});

function settingsOut(settings: AutomationSettings) {
  return {
    is_enabled: settings.isEnabled,
    session_duration: settings.sessionDuration,
    user_id: settings.userId,
    created_at: settings.createdAt,
    updated_at: settings.updatedAt,
  };
}

/** What applies to a key with no user: the server default, with no owner and no stored row. */
function defaultsOut(defaults: AutomationDefaults) {
  return { ...defaults, user_id: null, created_at: null, updated_at: null };
}

/** Whose settings a PUT changes: the caller's, or the key creator's; nobody's for a userless org key. */
function settingsOwner(principal: Principal) {
  if (principal.user !== null) return principal.user;
  throw new ApiError('forbidden', {
    message: 'This org key was minted by a service token: no user owns automation settings for it, and the server default applies.',
    suggestion: 'Open sessions explicitly with POST /api/v1/sessions, or use a key minted by a user.',
  });
}

export function registerAutomationRoutes(app: FastifyInstance, services: AutomationRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/v1/automation/settings', { schema: { tags, security, response: { 200: SettingsOut } } }, async (request) => {
    const principal = await authenticateUserOrKey(services, request);
    if (principal.user === null) return defaultsOut(automationDefaults(services));
    return settingsOut(await automationSettingsFor(services, principal.user.id));
  });

  r.put('/api/v1/automation/settings', { schema: { tags, security, body: SettingsBody, response: { 200: SettingsOut } } }, async (request) => {
    const user = settingsOwner(await authenticateUserOrKey(services, request));
    const current = await automationSettingsFor(services, user.id);
    const saved = await services.storage.automation.upsert({
      ...current,
      isEnabled: request.body.is_enabled ?? current.isEnabled,
      sessionDuration: request.body.session_duration ?? current.sessionDuration,
      updatedAt: new Date().toISOString(),
    });
    return settingsOut(saved);
  });
}
