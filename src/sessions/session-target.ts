// Step "session and target" of SPEC §4: the key's open session for the model pins its target;
// without one, automation (the key creator's settings; the server default for org keys) opens one
// on the alias's first target, or — automation off — the request is refused with 409.
import { ApiError } from '../core/errors.js';
import { orderTargets, type ModelResolution } from '../core/model-targets.js';
import type { CheckedKey } from '../storage/api-keys.js';
import type { SessionRecord } from '../storage/sessions.js';
import { automationDefaults, automationSettingsFor, type AutomationDeps } from './automation-settings.js';
import type { SessionService } from './session-service.js';

/** Automation settings, and the open sessions (grouped as the composition root groups them). */
export interface SessionTargetDeps extends AutomationDeps {
  gateway: { sessions: Pick<SessionService, 'findOpen' | 'open'> };
}

export async function automationFor(services: AutomationDeps, key: CheckedKey): Promise<{ isEnabled: boolean; sessionDuration: number }> {
  if (key.createdBy) return automationSettingsFor(services, key.createdBy);
  const defaults = automationDefaults(services);
  return { isEnabled: defaults.is_enabled, sessionDuration: defaults.session_duration };
}

export async function sessionForRequest(
  services: SessionTargetDeps,
  key: CheckedKey,
  resolution: Extract<ModelResolution, { ok: true }>,
  now: Date,
): Promise<SessionRecord> {
  const sessions = services.gateway.sessions;
  const open = await sessions.findOpen(key.id, resolution.name, now);
  if (open) return open;
  const automation = await automationFor(services, key);
  if (!automation.isEnabled) throw new ApiError('session_required');
  const first = orderTargets(resolution, null)[0]!;
  return sessions.open({ accountId: key.accountId, keyId: key.id, model: resolution.name, target: first, durationS: automation.sessionDuration, replace: false }, now);
}
