// Registers the OpenAI-compatible endpoints under /v1 and /api/v1 (so both work as an SDK base
// URL). They take an API key only, checked by an `onRequest` hook before the body is read (SPEC
// §4), and answer errors in OpenAI's shape so SDKs show our message.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { registerKeyCheck } from './key-check-hook.js';
import { listModels } from './models-list.js';
import { proxyOpenAi, type OpenAiEndpoint } from './openai-proxy.js';

const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
const ENDPOINTS: Array<{ path: OpenAiEndpoint; summary: string }> = [
  { path: 'chat/completions', summary: 'Chat completions (OpenAI-compatible; `stream: true` for server-sent events)' },
  { path: 'responses', summary: 'Responses API (OpenAI-compatible; `stream: true` for server-sent events)' },
  { path: 'embeddings', summary: 'Embeddings (OpenAI-compatible)' },
];

export function registerOpenAiRoutes(app: FastifyInstance, services: Services): void {
  void app.register(async function openAiRoutes(scope) {
    registerKeyCheck(scope, services);
    registerEndpoints(scope, services);
  });
}

function registerEndpoints(app: FastifyInstance, services: Services): void {
  const config = { plane: 'data' as const, openaiErrors: true };
  for (const prefix of ['/v1', '/api/v1']) {
    const tags = ['data'];
    for (const endpoint of ENDPOINTS) {
      app.post(`${prefix}/${endpoint.path}`, { schema: { tags, security, summary: endpoint.summary }, config }, (request, reply) =>
        proxyOpenAi(services, endpoint.path, request, reply),
      );
    }
    app.get(`${prefix}/models`, { schema: { tags, security, summary: 'The models and aliases this key may use' }, config }, (request, reply) =>
      listModels(services, request, reply),
    );
    app.get<{ Params: { '*': string } }>(`${prefix}/models/*`, { schema: { tags, security, summary: 'One model this key may use' }, config }, (request, reply) =>
      listModels(services, request, reply, request.params['*']),
    );
  }
}
