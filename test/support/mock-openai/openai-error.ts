// Errors in OpenAI's wire shape, `{"error": {"message", "type", "param", "code"}}`, so that the official
// SDK raises the right APIError subclass (AuthenticationError, NotFoundError, …) with the message.
import type { ServerResponse } from 'node:http';
import { sendJson } from './mock-exchange.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAIError(message: string, type: string, code: string | null = null): OpenAIErrorBody {
  return { error: { message, type, param: null, code } };
}

export function sendOpenAIError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null = null,
): void {
  sendJson(res, status, openAIError(message, type, code));
}

/** A default body for a configured failure, typed the way OpenAI types errors of that status. */
export function defaultFailureBody(status: number): OpenAIErrorBody {
  if (status === 401) return openAIError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
  if (status === 404) return openAIError('Not found.', 'invalid_request_error', 'not_found');
  if (status === 429) return openAIError('Rate limit reached.', 'requests', 'rate_limit_exceeded');
  if (status >= 500) return openAIError('The server had an error processing your request.', 'server_error');
  return openAIError(`Mock failure with status ${status}.`, 'invalid_request_error');
}
