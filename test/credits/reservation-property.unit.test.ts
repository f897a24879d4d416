// The reservation property (issue 9, "Must show"): over generated chat and Responses bodies —
// ASCII, CJK and emoji text, caps in any field or none, `n` — the credits reserved are never below
// what the upstream may charge under the cap Tollgate forwards: the input as a real tokenizer
// counts it (o200k_base, and cl100k_base for a model Tollgate has no tokenizer for) plus the
// forwarded cap for every choice, at the price.
import fc from 'fast-check';
import { encodeChat as encodeChatCl100k, countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encodeChat as encodeChatO200k, countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { estimateInputTokens, usesO200k } from '../../src/core/input-tokens.js';
import { forwardedBody, readOutputRequest } from '../../src/core/output-cap.js';
import { requestCost, reservationCost, reservedOutputTokens, type Price } from '../../src/credits/pricing.js';

const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.array(fc.constantFrom('東', '京', 'の', '天気', '한국어', '😀', '🌧️', '👩‍👩‍👧', 'é', ' ', '\n', 'token'), { maxLength: 80 }).map((parts) => parts.join('')),
);
const cap = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined });
const price: fc.Arbitrary<Price> = fc.record({
  inputPerMtok: fc.integer({ min: 0, max: 20_000_000 }),
  outputPerMtok: fc.integer({ min: 0, max: 80_000_000 }),
  perRequest: fc.integer({ min: 0, max: 100 }),
  maxOutputTokens: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: null }),
});
const message = fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: text });

const chatBody = fc.record(
  { messages: fc.array(message, { minLength: 1, maxLength: 6 }), max_tokens: cap, max_completion_tokens: cap, max_output_tokens: cap, n: fc.option(fc.integer({ min: 1, max: 128 }), { nil: undefined }) },
  { requiredKeys: ['messages'] },
);
const responsesBody = fc.record(
  { input: fc.oneof(text, fc.array(message, { minLength: 1, maxLength: 4 })), instructions: fc.option(text, { nil: undefined }), max_output_tokens: cap, max_tokens: cap },
  { requiredKeys: ['input'] },
);

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

/**
 * The input a real tokenizer counts: o200k_base for the models it serves (gpt-4o-mini here); for a
 * model Tollgate has no tokenizer for, the most of o200k_base and cl100k_base.
 */
function realInputTokens(endpoint: 'chat/completions' | 'responses', body: Record<string, unknown>, model: string): number {
  const o200k = usesO200k(model);
  const chat = (messages: Message[]) => Math.max(encodeChatO200k(messages, 'gpt-4o').length, o200k ? 0 : encodeChatCl100k(messages, 'gpt-4').length);
  const plain = (value: string) => Math.max(countO200k(value), o200k ? 0 : countCl100k(value));
  if (endpoint === 'chat/completions') return chat(body.messages as Message[]);
  const input = typeof body.input === 'string' ? plain(body.input) : chat(body.input as Message[]);
  return input + (typeof body.instructions === 'string' ? plain(body.instructions) : 0);
}

function forwardedCapOf(endpoint: 'chat/completions' | 'responses', forwarded: Record<string, unknown>): number {
  const field = endpoint === 'responses' ? 'max_output_tokens' : 'max_completion_tokens';
  expect(typeof forwarded[field]).toBe('number');
  if (endpoint === 'chat/completions') expect(forwarded).not.toHaveProperty('max_tokens');
  return forwarded[field] as number;
}

describe('the reservation covers the most the upstream may charge', () => {
  for (const [endpoint, bodies] of [
    ['chat/completions', chatBody],
    ['responses', responsesBody],
  ] as const) {
    it(`on ${endpoint}, for any text, cap and n`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies, price, fc.constantFrom('gpt-4o-mini', 'llama3.2'), async (generated, price, model) => {
          const body: Record<string, unknown> = { model, ...generated };
          for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
          const output = readOutputRequest(endpoint, body);
          const estimate = await estimateInputTokens(endpoint, body, [model]);
          const reserved = reservationCost(price, estimate, output.cap, output.choices);
          const forwarded = forwardedBody(endpoint, body, model, reservedOutputTokens(price, output.cap), 'max_completion_tokens');
          const mostCharged = requestCost(price, { inputTokens: realInputTokens(endpoint, body, model), outputTokens: forwardedCapOf(endpoint, forwarded) * output.choices });
          expect(reserved).toBeGreaterThanOrEqual(mostCharged);
        }),
        { numRuns: 300 },
      );
    });
  }
});
