import { describe, expect, it } from 'vitest';
import { deliveredTextOf, estimateDeliveredTokens } from '../../src/core/token-usage.js';

describe('what a stream delivered', () => {
  it('reads chat delta content and Responses text deltas, nothing else', () => {
    expect(deliveredTextOf({ object: 'chat.completion.chunk', choices: [{ delta: { content: 'Hel' } }, { delta: { content: 'lo' } }] })).toBe('Hello');
    expect(deliveredTextOf({ type: 'response.output_text.delta', delta: 'world' })).toBe('world');
    expect(deliveredTextOf({ object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant' } }] })).toBe('');
    expect(deliveredTextOf({ type: 'response.created' })).toBe('');
    expect(deliveredTextOf(undefined)).toBe('');
  });

  it('counts at least one token per piece and about four characters per token', () => {
    expect(estimateDeliveredTokens(['a', 'b', 'c'])).toBe(3);
    expect(estimateDeliveredTokens(['This is a longer piece'])).toBe(6);
    expect(estimateDeliveredTokens(['', ''])).toBe(0);
  });
});
