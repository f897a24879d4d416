// Automation settings (SPEC §4 "automation"): whether a request without a session opens one, and
// for how long. They belong to a user; a key follows its creator's, and an org key minted by a
// service token (no user) follows the server default from config.
import type { Services } from '../services.js';
import type { AutomationSettings } from '../storage/automation-settings.js';

export interface AutomationDefaults {
  is_enabled: boolean;
  session_duration: number;
}

export function automationDefaults(services: Pick<Services, 'config'>): AutomationDefaults {
  return services.config.file.automation.default ?? { is_enabled: true, session_duration: 3600 };
}

/** The user's settings, or the configured defaults (stored on first read so timestamps are real). */
export async function automationSettingsFor(services: Pick<Services, 'config' | 'storage'>, userId: string): Promise<AutomationSettings> {
  const existing = await services.storage.automation.find(userId);
  if (existing) return existing;
  const defaults = automationDefaults(services);
  const at = new Date().toISOString();
  await services.storage.automation.insertIfMissing({ userId, isEnabled: defaults.is_enabled, sessionDurationS: defaults.session_duration, createdAt: at, updatedAt: at });
  return (await services.storage.automation.find(userId))!;
}
