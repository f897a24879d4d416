// The deterministic text every completion endpoint produces: `chunks` words from a fixed sentence,
// one word per streamed chunk and one "token" per word, cut short by the request's token cap.

const WORDS = ['This', 'is', 'a', 'deterministic', 'reply', 'from', 'the', 'mock', 'upstream.'];

export interface MockCompletion {
  /** The pieces streamed one per chunk; joined they give `text`. */
  pieces: string[];
  text: string;
  /** True when the token cap, not `chunks`, decided the length (finish_reason "length"). */
  truncated: boolean;
}

export function mockCompletion(chunks: number, maxTokens: unknown): MockCompletion {
  const cap = typeof maxTokens === 'number' && maxTokens >= 0 ? Math.floor(maxTokens) : Infinity;
  const count = Math.min(chunks, cap);
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = WORDS[i % WORDS.length] ?? 'word';
    pieces.push(i < count - 1 ? `${word} ` : word);
  }
  return { pieces, text: pieces.join(''), truncated: cap < chunks };
}
