// Rate-limit response headers (SPEC §6), rendered at the data plane's edge from the admission's
// numbers (src/limits/admission.ts, RateLimitState); pure:
// - OpenAI's x-ratelimit-{limit,remaining,reset}-{requests,tokens}, from whichever rule (key or
//   account) is closest to its limit; reset is a Go-style duration ("1s", "6m0s", "250ms") until
//   some counted usage leaves the window, as OpenAI's SDKs and dashboards read it.
// - RateLimit-Policy / RateLimit from draft-ietf-httpapi-ratelimit-headers-09: one named policy
//   per rule, `q` quota, `w` window seconds, `qu` quota unit; `r` remaining, `t` seconds to reset.
// - Retry-After (RFC 9110 §10.2.3, required on 429 by RFC 6585 §4): whole seconds, at least 1.
import { retryAfterSeconds, type RateLimitState } from '../limits/admission.js';
import type { LimitKind } from '../limits/limit-rules.js';
import type { RuleOutcome } from '../limits/sliding-window.js';

export function goDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const minutes = Math.floor(total / 60_000);
  const seconds = (total % 60_000) / 1000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  return minutes > 0 ? `${minutes}m${secondsText}` : secondsText;
}

/** The rule of a kind closest to its limit (the one OpenAI's headers and verify's answer report). */
export function tightest(outcomes: readonly RuleOutcome[], kind: LimitKind): RuleOutcome | undefined {
  return outcomes
    .filter((o) => o.rule.kind === kind)
    .sort((a, b) => a.remaining - b.remaining || a.rule.limit - b.rule.limit)[0];
}

function policyName(outcome: RuleOutcome): string {
  return `${outcome.rule.scope}-${outcome.rule.kind}`;
}

const UNITS: Record<LimitKind, string | null> = { requests: null, tokens: 'tokens', concurrency: 'concurrent-requests' };

export function rateLimitHeaders(state: RateLimitState | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!state) return headers;
  for (const [kind, suffix] of [['requests', 'requests'], ['tokens', 'tokens']] as const) {
    const outcome = tightest(state.outcomes, kind);
    if (!outcome) continue;
    headers[`x-ratelimit-limit-${suffix}`] = String(outcome.rule.limit);
    headers[`x-ratelimit-remaining-${suffix}`] = String(outcome.remaining);
    headers[`x-ratelimit-reset-${suffix}`] = goDuration(outcome.resetMs);
  }
  const windowS = Math.max(1, Math.round(state.windowMs / 1000));
  const policies: string[] = [];
  const states: string[] = [];
  for (const outcome of state.outcomes) {
    const name = policyName(outcome);
    const unit = UNITS[outcome.rule.kind];
    const window = outcome.rule.kind === 'concurrency' ? '' : `;w=${windowS}`;
    policies.push(`"${name}";q=${outcome.rule.limit}${window}${unit ? `;qu="${unit}"` : ''}`);
    states.push(`"${name}";r=${outcome.remaining};t=${Math.ceil(outcome.resetMs / 1000)}`);
  }
  if (policies.length > 0) {
    headers['ratelimit-policy'] = policies.join(', ');
    headers['ratelimit'] = states.join(', ');
  }
  if (state.retryAfterMs !== null) headers['retry-after'] = String(retryAfterSeconds(state.retryAfterMs));
  return headers;
}
