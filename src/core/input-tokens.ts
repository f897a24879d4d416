// The input side of a reservation (SPEC §6, issue 9 item 5): how many tokens a request's prompt may
// be counted as upstream. Never an undercount — a reservation below the real charge is forgiven
// money — so:
// - for models of the o200k_base families (gpt-4o, gpt-4.1, gpt-5, o-series…) Tollgate counts with
//   the real tokenizer (gpt-tokenizer), over the JSON of each text-bearing field (the JSON keys and
//   quotes more than cover the role tokens and the merges a field's edges could save), plus the
//   chat format's per-message and reply-priming tokens;
// - for any other model, the UTF-8 byte count: every token of a byte-level BPE covers at least one
//   byte, so no such tokenizer counts more — CJK and emoji included;
// - past TOKENIZE_BUDGET_CHARS of text in one request, the rest is counted in bytes too, so the hot
//   path never spends more than ~15 ms tokenizing, whatever the body.
// The encoding (a few MB) loads on first use, not at start.
import type { OpenAiEndpoint } from './output-cap.js';

/** Fields whose content the upstream reads as input tokens. */
const INPUT_FIELDS: Record<OpenAiEndpoint, readonly string[]> = {
  'chat/completions': ['messages', 'tools', 'functions', 'tool_choice', 'response_format', 'prediction'],
  responses: ['input', 'instructions', 'tools', 'tool_choice', 'text', 'prompt'],
  embeddings: ['input'],
};

/** <|im_start|>, role, <|im_sep|>, <|im_end|> around every chat message (OpenAI's chat format). */
const TOKENS_PER_MESSAGE = 4;
/** <|im_start|>assistant<|im_sep|> that primes the reply. */
const REPLY_PRIMING_TOKENS = 3;
const TOKENIZE_BUDGET_CHARS = 256 * 1024;

const O200K_MODEL = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4)(\b|-|$)/i;

type Counter = (text: string) => number;
let o200k: Promise<Counter> | null = null;

function loadO200k(): Promise<Counter> {
  o200k ??= import('gpt-tokenizer/encoding/o200k_base').then(({ countTokens }) => {
    // Special-token text in a prompt is plain text to the upstream, never a control token.
    const options = { disallowedSpecial: new Set<string>() };
    return (text: string) => countTokens(text, options);
  });
  return o200k;
}

/** True when Tollgate's tokenizer is the one this model uses (the part after `provider/`). */
export function usesO200k(model: string): boolean {
  return O200K_MODEL.test(model.slice(model.lastIndexOf('/') + 1));
}

function isTokenIds(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number');
}

/**
 * The most input tokens the request may be counted as by any of the models that may serve it
 * (an alias's targets). Pre-tokenized embedding input counts one token per id.
 */
export async function estimateInputTokens(endpoint: OpenAiEndpoint, body: Record<string, unknown>, models: readonly string[]): Promise<number> {
  const count: Counter = models.length > 0 && models.every(usesO200k) ? await loadO200k() : (text) => Buffer.byteLength(text, 'utf8');
  let budget = TOKENIZE_BUDGET_CHARS;
  const measure = (text: string) => {
    if (text.length > budget) return Buffer.byteLength(text, 'utf8');
    budget -= text.length;
    return count(text);
  };
  let tokens = 0;
  for (const field of INPUT_FIELDS[endpoint]) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (isTokenIds(value)) tokens += value.length;
    else if (Array.isArray(value) && value.length > 0 && value.every(isTokenIds)) tokens += value.reduce((sum, ids) => sum + ids.length, 0);
    else if (Array.isArray(value)) {
      // One message or input item at a time: each pays the chat format's framing.
      for (const item of value) tokens += measure(typeof item === 'string' ? item : JSON.stringify(item)) + (endpoint === 'embeddings' ? 0 : TOKENS_PER_MESSAGE);
    } else tokens += measure(typeof value === 'string' ? value : JSON.stringify(value)) + (endpoint === 'embeddings' ? 0 : TOKENS_PER_MESSAGE);
  }
  return endpoint === 'embeddings' ? tokens : tokens + REPLY_PRIMING_TOKENS;
}
