// Token accounting read from OpenAI-compatible payloads: the usage an upstream reports in a body or
// stream event, and what a stream delivered when it reported none. (What a request reserves is in
// input-tokens.ts and output-cap.ts.) Pure: works on parsed JSON.

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

/** Chat and embeddings say prompt/completion_tokens; the Responses API says input/output_tokens. */
export function usageOf(usage: unknown): TokenUsage | null {
  if (typeof usage !== 'object' || usage === null) return null;
  const u = usage as Record<string, unknown>;
  if ('prompt_tokens' in u || 'completion_tokens' in u) return { inputTokens: count(u.prompt_tokens), outputTokens: count(u.completion_tokens) };
  if ('input_tokens' in u || 'output_tokens' in u) return { inputTokens: count(u.input_tokens), outputTokens: count(u.output_tokens) };
  return null;
}

/** Usage carried by one streamed event: chat's final usage chunk, or a Responses terminal event. */
export function usageOfStreamEvent(payload: unknown): TokenUsage | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (p.object === 'chat.completion.chunk') return usageOf(p.usage);
  if (typeof p.type === 'string' && /^response\.(completed|incomplete|failed)$/.test(p.type)) {
    return usageOf((p.response as Record<string, unknown> | undefined)?.usage);
  }
  return null;
}

/** The extra final chunk that exists only because the gateway asked for include_usage. */
export function isUsageOnlyChunk(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const p = payload as Record<string, unknown>;
  return p.object === 'chat.completion.chunk' && Array.isArray(p.choices) && p.choices.length === 0 && p.usage != null;
}

// Every kind of generated text a chat delta can carry: content, refusals, reasoning (the field
// names differ between OpenAI-compatible servers), tool and legacy function calls.
const CHAT_DELTA_TEXT = ['content', 'refusal', 'reasoning', 'reasoning_content'] as const;

function callText(call: unknown): string {
  const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function ?? call;
  const { name, arguments: args } = (fn ?? {}) as { name?: unknown; arguments?: unknown };
  return (typeof name === 'string' ? name : '') + (typeof args === 'string' ? args : '');
}

function chatDeltaText(delta: Record<string, unknown> | undefined): string {
  if (!delta) return '';
  let text = '';
  for (const field of CHAT_DELTA_TEXT) if (typeof delta[field] === 'string') text += delta[field];
  if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) text += callText(call);
  if (delta.function_call) text += callText(delta.function_call);
  return text;
}

/**
 * The generated text one streamed event hands the client, of any kind: a chat delta's content,
 * refusal, reasoning and tool-call arguments, or any Responses `*.delta` event (output text,
 * function-call arguments, reasoning, refusals…). A stream cut short is charged for all of it.
 */
export function deliveredTextOf(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null) return '';
  const p = payload as Record<string, unknown>;
  if (p.object === 'chat.completion.chunk' && Array.isArray(p.choices)) {
    let text = '';
    for (const choice of p.choices as Array<{ delta?: Record<string, unknown> }>) text += chatDeltaText(choice?.delta);
    return text;
  }
  if (typeof p.type === 'string' && p.type.startsWith('response.') && p.type.endsWith('.delta') && typeof p.delta === 'string') return p.delta;
  return '';
}

/**
 * Output tokens for text already delivered, when the upstream never reported usage (the client
 * went away first). Each streamed piece counts at least one token, longer pieces ~4 chars each:
 * upstreams stream about a token per event, so this tracks what the client actually received.
 */
export function estimateDeliveredTokens(pieces: readonly string[]): number {
  let tokens = 0;
  for (const piece of pieces) if (piece.length > 0) tokens += Math.max(1, Math.ceil(piece.length / 4));
  return tokens;
}
