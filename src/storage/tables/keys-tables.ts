// Table types (stored, snake_case columns) of API keys and what a key holder keeps beside them:
// automation settings and sessions.
import type { Bool } from './columns.js';

export interface ApiKeysTable {
  id: string;
  account_id: string;
  created_by: string | null;
  kind: 'personal' | 'org';
  name: string | null;
  key_prefix: string;
  environment: 'live' | 'test';
  secret_hash: string;
  encrypted_key: string | null;
  expires_at: string | null;
  allowed_origins: string;
  scopes: string;
  models: string | null;
  rate_limit: string | null;
  allowed_ips: string;
  metadata: string;
  is_default: Bool;
  rotated_from: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AutomationSettingsTable {
  user_id: string;
  is_enabled: Bool;
  session_duration: number;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  account_id: string;
  key_id: string;
  model: string;
  provider: string;
  target_model: string;
  failovers: number;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
}
