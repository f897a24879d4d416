// GET /v1/models and GET /v1/models/{id} in OpenAI's format; an unknown id is a 404 like OpenAI's.
import { sendJson, type MockExchange } from './mock-exchange.js';
import { sendOpenAIError } from './openai-error.js';

// A fixed timestamp keeps listings byte-identical across runs.
const CREATED = 1_700_000_000;

const modelObject = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'mock-openai' });

export function handleModels(exchange: MockExchange, modelId?: string): void {
  const { res, settings } = exchange;
  if (modelId === undefined) {
    sendJson(res, 200, { object: 'list', data: settings.models.map(modelObject) });
    return;
  }
  if (!settings.models.includes(modelId)) {
    sendOpenAIError(res, 404, `The model '${modelId}' does not exist`, 'invalid_request_error', 'model_not_found');
    return;
  }
  sendJson(res, 200, modelObject(modelId));
}
