// A deterministic stand-in for a tokenizer: one token per four characters of prompt text, rounded up.
// Good enough for tests and credit accounting checks, which need stable numbers rather than real ones.

/**
 * Counts the tokens of a chat `messages` array, a Responses `input` (string or items), an `instructions`
 * string, or embeddings input. Text is gathered from strings, `content` and `text` fields; an array
 * of numbers is a pre-tokenized input and counts one token per number.
 */
export function estimateTokens(value: unknown): number {
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'number')) {
    return value.length;
  }
  return Math.ceil(promptText(value).length / 4);
}

function promptText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(promptText).join('');
  if (typeof value !== 'object' || value === null) return '';
  const record = value as Record<string, unknown>;
  if (record.content !== undefined) return promptText(record.content);
  return typeof record.text === 'string' ? record.text : '';
}
