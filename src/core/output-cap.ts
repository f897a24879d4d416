// The output side of a reservation (SPEC §6, issue 9 item 5): which cap an OpenAI-compatible request
// sets, how many choices it asks for, and the body forwarded with the effective cap in the one field
// the upstream honours. Pure: works on the parsed body, throws ApiError 400 for a bad field.
//
// Only the fields an endpoint's upstream honours are caps: chat/completions has
// `max_completion_tokens` and its older name `max_tokens` (both honoured by OpenAI; when both are
// sent the smaller binds); the Responses API has `max_output_tokens`; embeddings produce no output.
// Any other field is not a cap (it passes through for the upstream to judge). `n` choices multiply
// the output; `best_of` (a legacy completions field some compatible servers still honour) generates
// that many candidates upstream, so the larger of the two multiplies.
import { ApiError } from './errors.js';

export type OpenAiEndpoint = 'chat/completions' | 'responses' | 'embeddings';

/** The chat field a provider's upstream honours for the output cap (a per-provider setting). */
export type OutputCapField = 'max_completion_tokens' | 'max_tokens';
export const OUTPUT_CAP_FIELDS: readonly OutputCapField[] = ['max_completion_tokens', 'max_tokens'];
export const DEFAULT_OUTPUT_CAP_FIELD: OutputCapField = 'max_completion_tokens';

export interface OutputRequest {
  /** Output tokens per choice the client capped the request at, or null for none. */
  cap: number | null;
  /** Completions generated upstream: the output reservation is `cap × choices`. */
  choices: number;
}

const CAP_FIELDS: Record<OpenAiEndpoint, readonly string[]> = {
  'chat/completions': ['max_completion_tokens', 'max_tokens'],
  responses: ['max_output_tokens'],
  embeddings: [],
};

/** OpenAI documents n up to 128. */
const MAX_CHOICES = 128;

function integerField(body: Record<string, unknown>, field: string, min: number, max: number): number | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
    throw new ApiError('invalid_request', { message: `${field} must be ${range}.`, field });
  }
  return value;
}

export function readOutputRequest(endpoint: OpenAiEndpoint, body: Record<string, unknown>): OutputRequest {
  if (endpoint === 'embeddings') return { cap: 0, choices: 1 };
  let cap: number | null = null;
  for (const field of CAP_FIELDS[endpoint]) {
    const value = integerField(body, field, 0, Number.MAX_SAFE_INTEGER);
    if (value !== null) cap = cap === null ? value : Math.min(cap, value);
  }
  const n = integerField(body, 'n', 1, MAX_CHOICES) ?? 1;
  const bestOf = integerField(body, 'best_of', 1, MAX_CHOICES) ?? 1;
  return { cap, choices: Math.max(n, bestOf) };
}

/**
 * The body sent upstream, a copy of the client's with `model` the target's: with a cap, it goes in the
 * one field the upstream honours (chat: the provider's `capField`, and the other name removed so that
 * a provider refusing it never sees it; Responses: `max_output_tokens`). Without a cap (an unpriced
 * request that set none), nothing else changes. Fields keep their order.
 */
export function forwardedBody(endpoint: OpenAiEndpoint, body: Record<string, unknown>, model: string, cap: number | null, capField: OutputCapField): Record<string, unknown> {
  const capped = cap !== null && endpoint !== 'embeddings';
  const dropped = capped && endpoint === 'chat/completions';
  // Copied field by field, not `{ ...body, model }` (ARCHITECTURE.md, "Hot-path objects").
  const out: Record<string, unknown> = {};
  for (const name in body) {
    if (!Object.hasOwn(body, name) || (dropped && (name === 'max_tokens' || name === 'max_completion_tokens'))) continue;
    out[name] = body[name];
  }
  out.model = model;
  if (capped) out[endpoint === 'responses' ? 'max_output_tokens' : capField] = cap;
  return out;
}
