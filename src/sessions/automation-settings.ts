// Automation settings (SPEC §4 "automation"): whether a request without a session opens one, and
// for how long. They belong to a user; a key follows its creator's, and an org key minted by a
// service token (no user) follows the server default from config.
import type { Config } from '../config.js';
import type { AutomationSettings } from '../storage/automation-settings.js';
import type { Storage } from '../storage/storage.js';

export interface AutomationDefaults {
  is_enabled: boolean;
  session_duration: number;
}

/** The server default (config) and the users' stored settings. */
export interface AutomationDeps {
  config: Pick<Config, 'file'>;
  storage: Pick<Storage, 'automation'>;
}

export function automationDefaults(services: Pick<AutomationDeps, 'config'>): AutomationDefaults {
  return services.config.file.automation.default;
}

/** The user's settings, or the configured defaults (stored on first read so timestamps are real). */
export async function automationSettingsFor(services: AutomationDeps, userId: string): Promise<AutomationSettings> {
  const existing = await services.storage.automation.find(userId);
  if (existing) return existing;
  const defaults = automationDefaults(services);
  const at = new Date().toISOString();
  return services.storage.automation.findOrInsert({ userId, isEnabled: defaults.is_enabled, sessionDuration: defaults.session_duration, createdAt: at, updatedAt: at });
}
