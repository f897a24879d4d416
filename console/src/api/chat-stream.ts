// Streams a chat completion through the gateway with an API key (the data plane, OpenAI's wire
// format): text arrives chunk by chunk; the last chunk carries the token usage.
import { problemFrom } from './problem';

export interface StreamResult {
  requestId: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

interface Chunk {
  choices?: Array<{ delta?: { content?: string } }>;
  usage?: StreamResult['usage'];
}

export async function streamChat(key: string, model: string, prompt: string, onText: (text: string) => void, signal?: AbortSignal): Promise<StreamResult> {
  const response = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } }),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok || !response.body) throw problemFrom(response.status, await response.json().catch(() => null));
  const result: StreamResult = { requestId: response.headers.get('x-request-id'), usage: null };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    // Server-sent events end with a blank line; a partial event waits for the next read.
    const events = buffer.split(/\r?\n\r?\n/);
    buffer = events.pop() ?? '';
    for (const event of events) {
      for (const line of event.split(/\r?\n/)) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]' || data === '') continue;
        const chunk = JSON.parse(data) as Chunk;
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) onText(text);
        if (chunk.usage) result.usage = chunk.usage;
      }
    }
  }
  return result;
}
