// /api/v1/operator/prices: server-wide prices per model or alias (credits per 1M input and output
// tokens, and/or per request) and per route (per request). Operator prices override the config
// file's; deleting one lets the config (or the route's own cost) apply again. Model names contain
// slashes ("openai/gpt-mini"), so the target travels in the body or the query, not the path.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireOperator } from '../http/authenticate-admin.js';
import { ApiError } from '../core/errors.js';
import type { EffectivePrice } from '../credits/price-book.js';
import { invalidField, validationError } from '../core/validation-error.js';
import { hasPriceDecimals, PRICE_DECIMALS } from '../core/sub-credits.js';
import type { Services } from '../services.js';
import type { PriceTargetKind } from '../storage/prices.js';
import { storageUnavailable } from '../credits/storage-unavailable.js';

/** What these routes use of the composition root. */
export type OperatorPriceRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['operator'];
const security = [{ bearer: [] }];

const Credits = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
/** Credits per million tokens: up to 6 decimals, stored exactly (src/core/sub-credits.ts). */
const PerMtok = Type.Number({ minimum: 0, maximum: 999_999_999 });
const Target = {
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A model or alias name as clients send it.' })),
  route: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A route id.' })),
};
const PriceBody = Type.Object(
  {
    ...Target,
    input_per_mtok: Type.Optional(PerMtok),
    output_per_mtok: Type.Optional(PerMtok),
    per_request: Type.Optional(Credits),
    max_output_tokens: Type.Optional(Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
);
const TargetQuery = Type.Object(Target, { additionalProperties: false });
const PriceOut = Type.Object({
  model: Type.Optional(Type.String()),
  route: Type.Optional(Type.String()),
  input_per_mtok: Type.Number(),
  output_per_mtok: Type.Number(),
  per_request: Type.Integer(),
  max_output_tokens: Type.Union([Type.Integer(), Type.Null()]),
  source: Type.Union([Type.Literal('operator'), Type.Literal('config')]),
  updated_at: Type.Union([Type.String(), Type.Null()]),
});

function priceOut(price: EffectivePrice) {
  return {
    [price.targetKind]: price.target,
    input_per_mtok: price.inputPerMtok,
    output_per_mtok: price.outputPerMtok,
    per_request: price.perRequest,
    max_output_tokens: price.maxOutputTokens,
    source: price.source,
    updated_at: price.updatedAt,
  };
}

function targetOf(input: { model?: string | undefined; route?: string | undefined }, context: 'body' | 'querystring'): { kind: PriceTargetKind; target: string } {
  if ((input.model === undefined) === (input.route === undefined)) {
    throw validationError(context, [{ instancePath: '/model', message: 'give exactly one of model or route', keyword: 'oneOf', params: {} }]);
  }
  return input.model !== undefined ? { kind: 'model', target: input.model } : { kind: 'route', target: input.route! };
}

export function registerOperatorPriceRoutes(app: FastifyInstance, services: OperatorPriceRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { prices } = services.credits;

  r.get('/api/v1/operator/prices', { schema: { tags, security, response: { 200: Type.Object({ prices: Type.Array(PriceOut) }) } } }, async (request) => {
    await requireOperator(services, request);
    return { prices: (await storageUnavailable(() => prices.list())).map(priceOut) };
  });

  r.put('/api/v1/operator/prices', { schema: { tags, security, body: PriceBody, response: { 200: PriceOut } } }, async (request) => {
    const operator = await requireOperator(services, request);
    const { kind, target } = targetOf(request.body, 'body');
    for (const field of ['input_per_mtok', 'output_per_mtok'] as const) {
      const value = request.body[field];
      if (value !== undefined && !hasPriceDecimals(value)) throw invalidField(field, `at most ${PRICE_DECIMALS} decimal places`);
    }
    const at = new Date().toISOString();
    const existing = await storageUnavailable(() => services.storage.prices.find(kind, target));
    const price = {
      targetKind: kind,
      target,
      inputPerMtok: kind === 'route' ? 0 : (request.body.input_per_mtok ?? 0),
      outputPerMtok: kind === 'route' ? 0 : (request.body.output_per_mtok ?? 0),
      perRequest: request.body.per_request ?? 0,
      maxOutputTokens: kind === 'route' ? null : (request.body.max_output_tokens ?? null),
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
    };
    await storageUnavailable(() =>
      services.storage.transaction(async (tx) => {
        await tx.prices.upsert(price);
        await tx.audit.record({ accountId: null, actorType: 'user', actorId: operator.id, action: 'price.updated', targetType: `price_${kind}`, targetId: target, data: { ...request.body }, requestId: request.id });
      }),
    );
    prices.invalidate();
    return priceOut({ ...price, source: 'operator', updatedAt: at });
  });

  r.delete('/api/v1/operator/prices', { schema: { tags, security, querystring: TargetQuery } }, async (request, reply) => {
    const operator = await requireOperator(services, request);
    const { kind, target } = targetOf(request.query, 'querystring');
    const deleted = await storageUnavailable(() =>
      services.storage.transaction(async (tx) => {
        if (!(await tx.prices.delete(kind, target))) return false;
        await tx.audit.record({ accountId: null, actorType: 'user', actorId: operator.id, action: 'price.deleted', targetType: `price_${kind}`, targetId: target, requestId: request.id });
        return true;
      }),
    );
    if (!deleted) throw new ApiError('not_found', { message: 'No operator price for that target.' });
    prices.invalidate();
    return reply.status(204).send();
  });
}
