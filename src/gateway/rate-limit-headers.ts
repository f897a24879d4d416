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
  // Fewest remaining, then the smallest limit, then the first: one pass, on every request.
  let closest: RuleOutcome | undefined;
  for (const outcome of outcomes) {
    if (outcome.rule.kind !== kind) continue;
    if (!closest || outcome.remaining < closest.remaining || (outcome.remaining === closest.remaining && outcome.rule.limit < closest.rule.limit)) {
      closest = outcome;
    }
  }
  return closest;
}

/** Each kind's quota unit as a RateLimit-Policy parameter (requests are the default unit). */
const UNIT_PARAMETERS: Record<LimitKind, string> = { requests: '', tokens: ';qu="tokens"', concurrency: ';qu="concurrent-requests"' };

function openAiHeaders(headers: Record<string, string>, outcome: RuleOutcome | undefined, suffix: 'requests' | 'tokens'): void {
  if (!outcome) return;
  headers[`x-ratelimit-limit-${suffix}`] = String(outcome.rule.limit);
  headers[`x-ratelimit-remaining-${suffix}`] = String(outcome.remaining);
  headers[`x-ratelimit-reset-${suffix}`] = goDuration(outcome.resetMs);
}

export function rateLimitHeaders(state: RateLimitState | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!state) return headers;
  openAiHeaders(headers, tightest(state.outcomes, 'requests'), 'requests');
  openAiHeaders(headers, tightest(state.outcomes, 'tokens'), 'tokens');
  const window = `;w=${Math.max(1, Math.round(state.windowMs / 1000))}`;
  let policies = '';
  let states = '';
  for (const { rule, remaining, resetMs } of state.outcomes) {
    const separator = policies === '' ? '"' : ', "';
    const name = `${rule.scope}-${rule.kind}"`;
    policies += `${separator}${name};q=${rule.limit}${rule.kind === 'concurrency' ? '' : window}${UNIT_PARAMETERS[rule.kind]}`;
    states += `${separator}${name};r=${remaining};t=${Math.ceil(resetMs / 1000)}`;
  }
  if (policies !== '') {
    headers['ratelimit-policy'] = policies;
    headers['ratelimit'] = states;
  }
  if (state.retryAfterMs !== null) headers['retry-after'] = String(retryAfterSeconds(state.retryAfterMs));
  return headers;
}
