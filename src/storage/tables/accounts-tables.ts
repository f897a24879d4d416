// Table types (stored, snake_case columns) of users, accounts and who may act for them: memberships,
// invitations, refresh and service tokens, the audit trail, and deployment-wide settings.
import type { Generated } from 'kysely';
import type { Bool } from './columns.js';

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

// Invitations to team accounts (migration 005-invitations).
export interface InvitationsTable {
  id: string;
  account_id: string;
  /** Lower-case. */
  email: string;
  role: 'owner' | 'admin' | 'member';
  invited_by: string | null;
  status: 'pending' | 'accepted' | 'declined' | 'withdrawn';
  created_at: string;
  expires_at: string;
  responded_at: string | null;
  responded_by: string | null;
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

export interface ServiceTokensTable {
  id: string;
  account_id: string;
  created_by: string | null;
  name: string;
  token_prefix: string;
  token_hash: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
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

// Deployment-wide facts written once, e.g. the master key's fingerprint (migration 006).
export interface ServerSettingsTable {
  name: string;
  value: string;
  created_at: string;
}
