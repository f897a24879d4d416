// Which limits a request meets (SPEC §6): requests per minute, tokens per minute and concurrent
// requests, per key (optional, on top) and per account (shared by all of its keys). Pure.
import type { KeyRateLimit } from '../storage/api-keys.js';

export type LimitKind = 'requests' | 'tokens' | 'concurrency';

export interface Limits {
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
}

export interface LimitRule {
  /**
   * The counter's name. It starts with `{accountId}` so that on a Redis Cluster every counter a
   * request touches hashes to one slot and a single script can check and update them together.
   */
  id: string;
  scope: 'key' | 'account';
  kind: LimitKind;
  limit: number;
  /** What this request counts against the limit: 1 request, its tokens, 1 slot. */
  cost: number;
}

export const NO_LIMITS: Limits = Object.freeze({ rpm: null, tpm: null, concurrency: null });

export interface RuleInput {
  accountId: string;
  keyId: string;
  accountLimits: Limits;
  keyLimits: KeyRateLimit | null;
  /** Tokens counted at admission (input estimate + max_tokens); settled to actual usage later. */
  tokens: number;
}

function positive(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : null;
}

function rulesFor(prefix: string, scope: LimitRule['scope'], limits: Partial<Limits>, tokens: number): LimitRule[] {
  const rules: LimitRule[] = [];
  const rpm = positive(limits.rpm);
  const tpm = positive(limits.tpm);
  const concurrency = positive(limits.concurrency);
  if (rpm !== null) rules.push({ id: `${prefix}:rpm`, scope, kind: 'requests', limit: rpm, cost: 1 });
  if (tpm !== null) rules.push({ id: `${prefix}:tpm`, scope, kind: 'tokens', limit: tpm, cost: Math.max(0, Math.ceil(tokens)) });
  if (concurrency !== null) rules.push({ id: `${prefix}:conc`, scope, kind: 'concurrency', limit: concurrency, cost: 1 });
  return rules;
}

/** The rules of one request: the key's first, then the account's (SPEC §4 order). */
export function limitRules(input: RuleInput): LimitRule[] {
  const tag = `{${input.accountId}}`;
  return [
    ...rulesFor(`${tag}:key:${input.keyId}`, 'key', input.keyLimits ?? {}, input.tokens),
    ...rulesFor(`${tag}:acct`, 'account', input.accountLimits, input.tokens),
  ];
}

/** A node's own share of each limit while the shared store is unreachable (at least 1). */
export function scaleRules(rules: LimitRule[], share: number): LimitRule[] {
  return rules.map((rule) => Object.assign({}, rule, { limit: Math.max(1, Math.ceil(rule.limit * share)) }));
}
