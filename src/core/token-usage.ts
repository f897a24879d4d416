// Token accounting read from OpenAI-compatible payloads: the estimate a request reserves credits
// and rate-limit budget against, and the usage an upstream reports in a body or stream event.
// Pure: works on parsed JSON.

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** ~4 characters per token (OpenAI's rule of thumb), over the text-bearing request fields. */
export function estimateInputTokens(body: Record<string, unknown>): number {
  let chars = 0;
  for (const field of ['messages', 'input', 'instructions', 'prompt', 'tools']) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    chars += typeof value === 'string' ? value.length : JSON.stringify(value).length;
  }
  return Math.ceil(chars / 4);
}

/** max_completion_tokens, max_tokens or max_output_tokens, whichever the client set. */
export function requestedMaxOutputTokens(body: Record<string, unknown>): number | null {
  for (const field of ['max_completion_tokens', 'max_tokens', 'max_output_tokens']) {
    const value = body[field];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  }
  return null;
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

/** The text one streamed event hands the client: chat delta content, or a Responses text delta. */
export function deliveredTextOf(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null) return '';
  const p = payload as Record<string, unknown>;
  if (p.object === 'chat.completion.chunk' && Array.isArray(p.choices)) {
    let text = '';
    for (const choice of p.choices as Array<{ delta?: { content?: unknown } }>) {
      if (typeof choice?.delta?.content === 'string') text += choice.delta.content;
    }
    return text;
  }
  if (p.type === 'response.output_text.delta' && typeof p.delta === 'string') return p.delta;
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
