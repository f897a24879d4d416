// POST /v1/responses in the Responses API wire format: a `response` object, or with `stream: true`
// the typed server-sent events a real stream carries, in order: response.created, .in_progress,
// .output_item.added, .content_part.added, .output_text.delta (one per word, paced),
// .output_text.done, .content_part.done, .output_item.done, .completed (with usage). Each event has
// an `event:` line and a sequence_number; unlike chat there is no `[DONE]`.
import { estimateTokens } from './estimate-tokens.js';
import { mockCompletion } from './mock-completion.js';
import { field, sendJson, type MockExchange } from './mock-exchange.js';
import { sendOpenAIError } from './openai-error.js';
import { startSse } from './sse-stream.js';

export async function handleResponses(exchange: MockExchange): Promise<void> {
  const { body, res, settings } = exchange;
  const input = field(body, 'input');
  if (input === undefined) {
    sendOpenAIError(res, 400, "Missing required parameter: 'input'.", 'invalid_request_error', 'missing_required_parameter');
    return;
  }
  const maxOutputTokens = field(body, 'max_output_tokens');
  const completion = mockCompletion(settings.chunks, maxOutputTokens);
  const inputTokens = estimateTokens(input) + estimateTokens(field(body, 'instructions'));
  const outputTokens = completion.pieces.length;
  const messageId = `msg_mock_${exchange.sequence}`;
  const outputText = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
  const message = (status: string, content: object[]) => ({
    id: messageId,
    type: 'message',
    status,
    role: 'assistant',
    content,
  });
  const shell = {
    id: `resp_mock_${exchange.sequence}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model: typeof field(body, 'model') === 'string' ? (field(body, 'model') as string) : 'mock-model',
    instructions: field(body, 'instructions') ?? null,
    max_output_tokens: maxOutputTokens ?? null,
    metadata: field(body, 'metadata') ?? {},
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    user: null,
    error: null,
  };
  const finished = {
    ...shell,
    status: completion.truncated ? 'incomplete' : 'completed',
    incomplete_details: completion.truncated ? { reason: 'max_output_tokens' } : null,
    output: [message('completed', [outputText(completion.text)])],
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
  };

  if (field(body, 'stream') !== true) {
    sendJson(res, 200, finished);
    return;
  }

  const sse = startSse(exchange);
  let sequence = 0;
  const emit = (type: string, payload: object) => sse.send({ type, ...payload, sequence_number: sequence++ }, type);
  const started = { ...shell, status: 'in_progress', incomplete_details: null, output: [], usage: null };
  const at = { item_id: messageId, output_index: 0, content_index: 0 };
  if (!emit('response.created', { response: started })) return;
  emit('response.in_progress', { response: started });
  emit('response.output_item.added', { output_index: 0, item: message('in_progress', []) });
  emit('response.content_part.added', { ...at, part: outputText('') });
  for (const [index, piece] of completion.pieces.entries()) {
    if (index > 0 && !(await sse.pause(settings.chunkIntervalMs))) return;
    if (!emit('response.output_text.delta', { ...at, delta: piece, logprobs: [] })) return;
  }
  emit('response.output_text.done', { ...at, text: completion.text, logprobs: [] });
  emit('response.content_part.done', { ...at, part: outputText(completion.text) });
  emit('response.output_item.done', { output_index: 0, item: finished.output[0] });
  emit(completion.truncated ? 'response.incomplete' : 'response.completed', { response: finished });
  sse.end();
}
