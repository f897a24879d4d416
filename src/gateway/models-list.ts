// GET /v1/models (and /v1/models/{id}): the models and aliases this key may use, in OpenAI's list
// format — aliases of its account and the server, and `provider/model` for every model a provider
// reachable directly declares (an account's own, or a server-wide one with `direct: true`) —
// filtered by the key's model allowlist and by the unpriced policy (a model it would refuse with
// model_unpriced is not offered). It counts against rate limits like any data-plane request, at no
// cost.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { resolveModel } from '../core/model-targets.js';
import { isModelAllowed } from '../core/scopes.js';
import type { PriceBook } from '../credits/price-book.js';
import type { CheckedKey } from '../storage/api-keys.js';
import type { CatalogSnapshot } from '../catalog/catalog.js';
import type { AdmissionInput } from './data-plane-call.js';
import type { DataPlaneEndpoint } from './data-plane-pipeline.js';

// A fixed creation time: Tollgate does not know when an upstream made a model.
const CREATED = 1_700_000_000;

export function visibleModels(catalog: CatalogSnapshot, key: CheckedKey): Array<{ id: string; owned_by: string }> {
  const seen = new Set<string>();
  const models: Array<{ id: string; owned_by: string }> = [];
  const add = (id: string, ownedBy: string) => {
    if (seen.has(id) || !isModelAllowed(key.models, id)) return;
    // Only names that actually resolve (an alias whose providers are all gone is not offered).
    if (!resolveModel(id, catalog.aliases, catalog.providers).ok) return;
    seen.add(id);
    models.push({ id, owned_by: ownedBy });
  };
  for (const alias of catalog.aliases) add(alias.name, alias.owner === 'account' ? 'account' : 'tollgate');
  for (const provider of catalog.providers) {
    if (provider.type !== 'openai') continue;
    for (const model of provider.models ?? []) add(`${provider.name}/${model}`, provider.name);
  }
  return models;
}

/** The visible models a call would not be refused for by the unpriced policy. */
async function callableModels(prices: PriceBook, catalog: CatalogSnapshot, key: CheckedKey): Promise<Array<{ id: string; owned_by: string }>> {
  const models = visibleModels(catalog, key);
  const callable = await Promise.all(
    models.map(async (m) => {
      const resolution = resolveModel(m.id, catalog.aliases, catalog.providers);
      return resolution.ok && (await prices.quote({ kind: 'model', call: resolution })).ok;
    }),
  );
  return models.filter((_, i) => callable[i]);
}

export interface ModelsListDeps {
  catalogFor(accountId: string): Promise<CatalogSnapshot>;
  prices: PriceBook;
}

interface Found {
  /** A listing names no model and is no plain route: its usage row has neither (never "/v1/models" as a model). */
  subject: { model: string | null; route: null };
  modelId: string | undefined;
}

/** GET /v1/models, or /v1/models/{id} when `modelIdOf` finds an id in the request. */
export function modelsEndpoint(deps: ModelsListDeps, modelIdOf: (request: FastifyRequest) => string | undefined): DataPlaneEndpoint<Found, { admission: AdmissionInput }> {
  return {
    locate: function whichModels(request) {
      const modelId = modelIdOf(request);
      return { subject: { model: modelId ?? null, route: null }, modelId };
    },
    // 6. Any key may list; the list itself is filtered by the key's allowlist. Free, but counted.
    authorize: function freeListing() {
      return { admission: { price: { kind: 'route', routeId: 'openai:models', cost: 0 }, estimatedInputTokens: 0, maxOutputTokens: 0 } };
    },
    handle: async function listModels({ key, call, plan }) {
      const models = await callableModels(deps.prices, await deps.catalogFor(key.accountId), key);
      const format = (m: { id: string; owned_by: string }) => ({ id: m.id, object: 'model', created: CREATED, owned_by: m.owned_by });
      if (plan.modelId === undefined) {
        call.end({ status: 200, outcome: 'ok', usage: null });
        return { object: 'list', data: models.map(format) };
      }
      const found = models.find((m) => m.id === plan.modelId);
      if (!found) throw new ApiError('not_found', { message: `The model ${JSON.stringify(plan.modelId)} does not exist or you do not have access to it.`, field: 'model' });
      call.end({ status: 200, outcome: 'ok', usage: null });
      return format(found);
    },
  };
}
