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

describe('what a stream without text content delivered (issue 9 item 6)', () => {
  it('counts tool-call arguments, function calls, reasoning and refusals on chat chunks', () => {
    const chunk = (delta: object) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta }] });
    expect(deliveredTextOf(chunk({ tool_calls: [{ index: 0, function: { name: 'lookup', arguments: '{"q":' } }] }))).toBe('lookup{"q":');
    expect(deliveredTextOf(chunk({ function_call: { arguments: '"x"}' } }))).toBe('"x"}');
    expect(deliveredTextOf(chunk({ reasoning_content: 'Let me think' }))).toBe('Let me think');
    expect(deliveredTextOf(chunk({ reasoning: 'Hmm' }))).toBe('Hmm');
    expect(deliveredTextOf(chunk({ refusal: 'I cannot' }))).toBe('I cannot');
  });

  it('counts every Responses *.delta event, not only output text', () => {
    for (const type of ['response.function_call_arguments.delta', 'response.reasoning_summary_text.delta', 'response.reasoning_text.delta', 'response.refusal.delta', 'response.custom_tool_call_input.delta']) {
      expect(deliveredTextOf({ type, delta: 'abc' })).toBe('abc');
    }
    expect(deliveredTextOf({ type: 'response.output_text.done', text: 'abc' })).toBe('');
  });
});
