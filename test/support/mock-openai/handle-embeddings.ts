// POST /v1/embeddings: one deterministic vector per input (a string, an array of strings, or
// pre-tokenized arrays of numbers). Honors `dimensions` and `encoding_format: "base64"` — the official
// Node SDK asks for base64 (little-endian float32) by default and decodes it itself.
import { estimateTokens } from './estimate-tokens.js';
import { field, sendJson, type MockExchange } from './mock-exchange.js';
import { sendOpenAIError } from './openai-error.js';

const DEFAULT_DIMENSIONS = 16;

export function handleEmbeddings(exchange: MockExchange): void {
  const { body, res } = exchange;
  const input = field(body, 'input');
  const inputs = embeddingInputs(input);
  if (inputs === undefined) {
    sendOpenAIError(res, 400, "'input' must be a string, an array of strings or of token arrays.", 'invalid_request_error');
    return;
  }
  const requested = field(body, 'dimensions');
  const dimensions = typeof requested === 'number' && requested > 0 ? Math.floor(requested) : DEFAULT_DIMENSIONS;
  const base64 = field(body, 'encoding_format') === 'base64';
  const promptTokens = inputs.reduce<number>((sum, item) => sum + estimateTokens(item), 0);
  sendJson(res, 200, {
    object: 'list',
    data: inputs.map((item, index) => {
      const vector = embeddingOf(JSON.stringify(item), dimensions);
      return {
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
      };
    }),
    model: typeof field(body, 'model') === 'string' ? field(body, 'model') : 'mock-embedding',
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

/** Splits the `input` union into one item per vector; undefined when the shape is invalid. */
function embeddingInputs(input: unknown): unknown[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input];
  if (input.every((item) => typeof item === 'string' || Array.isArray(item))) return input;
  return undefined;
}

/** A unit-length vector seeded by the text (FNV-1a, then a xorshift walk): same text, same vector. */
function embeddingOf(text: string, dimensions: number): number[] {
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const values: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values.push(state / 0xffffffff - 0.5);
  }
  const norm = Math.hypot(...values) || 1;
  // Rounded through float32 so the JSON and base64 encodings carry the same numbers.
  return values.map((value) => Math.fround(value / norm));
}
