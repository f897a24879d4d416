// Table types (stored, snake_case columns) of the catalog: upstream providers, model aliases and
// plain HTTP routes.
import type { Generated } from 'kysely';
import type { Bool } from './columns.js';

/** Upstreams; account_id null = server-wide (operators). The secret is sealed, never returned. */
export interface ProvidersTable {
  id: string;
  account_id: string | null;
  name: string;
  type: 'openai' | 'http';
  base_url: string;
  encrypted_secret: string | null;
  models: string | null;
  /** 0/1: a server-wide provider reachable as `provider/model` (migration 007). */
  direct: Generated<Bool>;
  /** Migration 008: the chat output-cap field the upstream honours (null: max_completion_tokens). */
  output_cap_field: 'max_completion_tokens' | 'max_tokens' | null;
  created_at: string;
  updated_at: string;
}

export interface AliasesTable {
  id: string;
  account_id: string | null;
  name: string;
  strategy: 'fallback' | 'weighted';
  targets: string;
  created_at: string;
  updated_at: string;
}

export interface RoutesTable {
  id: string;
  account_id: string | null;
  path: string;
  provider: string;
  methods: string;
  scopes: string;
  cost: number;
  created_at: string;
  updated_at: string;
}
