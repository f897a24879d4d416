// Table types for Kysely. One schema serves SQLite and PostgreSQL: timestamps are ISO 8601 UTC
// strings (always written by `new Date().toISOString()`, so text order is time order), booleans
// are 0/1 integers and lists are JSON text. That keeps one code path and one contract suite for
// both dialects.
import type { Generated } from 'kysely';

export type Bool = 0 | 1;

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  is_active: Bool;
  is_operator: Bool;
  /** Incremented by a password change: access tokens carry it and older ones stop working. */
  token_version: number;
  created_at: string;
  updated_at: string;
}

export interface AccountsTable {
  id: string;
  name: string;
  kind: 'personal' | 'team';
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  account_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  created_at: string;
}

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
  is_default: Bool;
  rotated_from: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RefreshTokensTable {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  rotated_at: string | null;
  replaced_by: string | null;
  revoked_at: string | null;
}

export interface AutomationSettingsTable {
  user_id: string;
  is_enabled: Bool;
  session_duration: number;
  created_at: string;
  updated_at: string;
}

export interface AuditEventsTable {
  id: string;
  seq: Generated<number>;
  account_id: string | null;
  actor_type: 'user' | 'service_token' | 'api_key' | 'system';
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: string | null;
  request_id: string | null;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  accounts: AccountsTable;
  memberships: MembershipsTable;
  api_keys: ApiKeysTable;
  refresh_tokens: RefreshTokensTable;
  automation_settings: AutomationSettingsTable;
  audit_events: AuditEventsTable;
}
