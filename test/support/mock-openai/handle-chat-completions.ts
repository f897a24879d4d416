// POST /v1/chat/completions in OpenAI's wire format: a `chat.completion` object, or with
// `stream: true` a server-sent event per `chat.completion.chunk` (role chunk, one chunk per word
// paced by chunkIntervalMs, a finish chunk), then — only when `stream_options.include_usage` is
// true — a chunk with `choices: []` and the usage, then `data: [DONE]`.
import { estimateTokens } from './estimate-tokens.js';
import { mockCompletion } from './mock-completion.js';
import { field, sendJson, type MockExchange } from './mock-exchange.js';
import { sendOpenAIError } from './openai-error.js';
import { startSse } from './sse-stream.js';

export async function handleChatCompletions(exchange: MockExchange): Promise<void> {
  const { body, res, settings } = exchange;
  const messages = field(body, 'messages');
  if (!Array.isArray(messages)) {
    sendOpenAIError(res, 400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter');
    return;
  }
  // OpenAI honours both names of the chat cap; when both are sent, the smaller binds.
  const caps = [field(body, 'max_completion_tokens'), field(body, 'max_tokens')].filter((cap): cap is number => typeof cap === 'number');
  const maxTokens = caps.length > 0 ? Math.min(...caps) : undefined;
  const completion = mockCompletion(settings.chunks, maxTokens);
  const promptTokens = estimateTokens(messages);
  const usage = chatUsage(promptTokens, completion.pieces.length);
  const finishReason = completion.truncated ? 'length' : 'stop';
  const base = {
    id: `chatcmpl-mock-${exchange.sequence}`,
    created: Math.floor(Date.now() / 1000),
    model: typeof field(body, 'model') === 'string' ? (field(body, 'model') as string) : 'mock-model',
    system_fingerprint: null,
  };

  if (field(body, 'stream') !== true) {
    sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: completion.text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
      service_tier: 'default',
    });
    return;
  }

  const includeUsage = field(field(body, 'stream_options'), 'include_usage') === true;
  // Real OpenAI puts `usage: null` on every chunk when usage was asked for; mirror it.
  const chunk = (delta: object, finish: string | null) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const sse = startSse(exchange);
  if (!sse.send(chunk({ role: 'assistant', content: '', refusal: null }, null))) return;
  for (const [index, piece] of completion.pieces.entries()) {
    if (index > 0 && !(await sse.pause(settings.chunkIntervalMs))) return;
    if (!sse.send(chunk({ content: piece }, null))) return;
  }
  sse.send(chunk({}, finishReason));
  if (includeUsage) sse.send({ ...base, object: 'chat.completion.chunk', choices: [], usage });
  sse.send('[DONE]');
  sse.end();
}

function chatUsage(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
