// Registers the OpenAI-compatible endpoints under /v1 and /api/v1 (so both work as an SDK base
// URL), each a data-plane pipeline route (data-plane-pipeline.ts): an API key only, checked before
// the body is read (SPEC §4), and errors in OpenAI's shape so SDKs show our message.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dataPlaneRoute, registerDataPlane, type PipelineDeps } from './data-plane-pipeline.js';
import { modelsEndpoint, type ModelsListDeps } from './models-list.js';
import { openAiEndpoint, type OpenAiDeps, type OpenAiEndpoint } from './openai-proxy.js';

const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
const ENDPOINTS: Array<{ path: OpenAiEndpoint; summary: string }> = [
  { path: 'chat/completions', summary: 'Chat completions (OpenAI-compatible; `stream: true` for server-sent events)' },
  { path: 'responses', summary: 'Responses API (OpenAI-compatible; `stream: true` for server-sent events)' },
  { path: 'embeddings', summary: 'Embeddings (OpenAI-compatible)' },
];

export function registerOpenAiRoutes(app: FastifyInstance, pipeline: PipelineDeps, deps: OpenAiDeps & ModelsListDeps): void {
  void app.register(async function openAiRoutes(scope) {
    registerDataPlane(scope, pipeline);
    const config = { plane: 'data' as const, openaiErrors: true };
    const tags = ['data'];
    const allModels = dataPlaneRoute(pipeline, modelsEndpoint(deps, () => undefined));
    const oneModel = dataPlaneRoute(pipeline, modelsEndpoint(deps, (request: FastifyRequest) => (request.params as { '*': string })['*']));
    for (const prefix of ['/v1', '/api/v1']) {
      for (const endpoint of ENDPOINTS) {
        scope.post(`${prefix}/${endpoint.path}`, { schema: { tags, security, summary: endpoint.summary }, config, ...dataPlaneRoute(pipeline, openAiEndpoint(deps, endpoint.path)) });
      }
      scope.get(`${prefix}/models`, { schema: { tags, security, summary: 'The models and aliases this key may use' }, config, ...allModels });
      scope.get(`${prefix}/models/*`, { schema: { tags, security, summary: 'One model this key may use' }, config, ...oneModel });
    }
  });
}
