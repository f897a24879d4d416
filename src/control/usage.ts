// GET /api/v1/usage: the caller's data-plane usage grouped by day, key and model (or route) —
// requests, errors, tokens and credits. GET /api/v1/usage/requests/{request_id}: one request's
// record, with the price it was charged at, where that price came from and its exact cost (SPEC §8).
// An access token sees the accounts the user belongs to (`account_id` narrows to one); an API key
// sees its own account. Another account is a 404.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { authenticateUserOrKey } from '../http/authenticate.js';
import { invalidField } from '../core/validation-error.js';
import type { Services } from '../services.js';
import type { UsageRecord } from '../storage/usage-records.js';

/** What these routes use of the composition root. */
export type UsageRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'gateway' | 'keys' | 'storage'>;

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'UTC day, YYYY-MM-DD' });
const UsageQuery = Type.Object({
  from: Type.Optional(Day),
  to: Type.Optional(Day),
  account_id: Type.Optional(Type.String({ maxLength: 64 })),
  key_id: Type.Optional(Type.String({ maxLength: 64 })),
});
const Row = Type.Object({
  day: Type.String(),
  account_id: Type.String(),
  key_id: Type.String(),
  model: Type.Union([Type.String(), Type.Null()]),
  requests: Type.Integer(),
  errors: Type.Integer(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  credits: Type.Integer(),
});
const Totals = Type.Object({ requests: Type.Integer(), errors: Type.Integer(), input_tokens: Type.Integer(), output_tokens: Type.Integer(), credits: Type.Integer() });
const UsageOut = Type.Object({ from: Type.String(), to: Type.String(), data: Type.Array(Row), totals: Totals });

const Decimal = Type.String({ description: 'credits, as an exact decimal' });
const RequestRecord = Type.Object({
  request_id: Type.String(),
  account_id: Type.String(),
  key_id: Type.String(),
  model: Type.Union([Type.String(), Type.Null()]),
  route: Type.Union([Type.String(), Type.Null()]),
  provider: Type.Union([Type.String(), Type.Null()]),
  target_model: Type.Union([Type.String(), Type.Null()]),
  status: Type.Integer(),
  outcome: Type.String(),
  input_tokens: Type.Integer(),
  output_tokens: Type.Integer(),
  credits: Type.Integer({ description: 'whole credits charged with this request (fractions carry over per account)' }),
  exact_cost: Type.Union([Decimal, Type.Null()]),
  price: Type.Union([
    Type.Object({
      source: Type.String({ description: 'operator, config, catalog, route or unpriced_ceiling' }),
      input_per_mtok: Decimal,
      output_per_mtok: Decimal,
      per_request: Decimal,
    }),
    Type.Null(),
  ]),
  created_at: Type.String(),
});

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;

export function registerUsageRoutes(app: FastifyInstance, services: UsageRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/v1/usage', { schema: { tags: ['usage'], security: [{ bearer: [] }, { apiKey: [] }], querystring: UsageQuery, response: { 200: UsageOut } } }, async (request) => {
    const principal = await authenticateUserOrKey(services, request);
    const visible = principal.type === 'api_key' ? [principal.key.accountId] : (await services.storage.accounts.listForUser(principal.user.id)).map((m) => m.accountId);
    const { account_id: accountId, key_id: keyId } = request.query;
    if (accountId !== undefined && !visible.includes(accountId)) throw new ApiError('not_found', { message: 'No such account.' });
    const to = request.query.to ?? new Date().toISOString().slice(0, 10);
    const from = request.query.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    if (!Number.isFinite(days) || days < 0) throw invalidField('from', 'must be a day on or before `to`');
    if (days >= MAX_RANGE_DAYS) throw invalidField('from', `the range may span at most ${MAX_RANGE_DAYS} days`);
    // Read-your-writes on this node: what this node has queued is stored first.
    await services.gateway.usage.flush();
    const rows = await services.storage.usage.grouped({ accountIds: accountId ? [accountId] : visible, keyId, fromDay: from, toDay: to });
    const data = rows.map((g) => ({ day: g.day, account_id: g.accountId, key_id: g.keyId, model: g.model, requests: g.requests, errors: g.errors, input_tokens: g.inputTokens, output_tokens: g.outputTokens, credits: g.credits }));
    const totals = data.reduce(
      (sum, row) => ({ requests: sum.requests + row.requests, errors: sum.errors + row.errors, input_tokens: sum.input_tokens + row.input_tokens, output_tokens: sum.output_tokens + row.output_tokens, credits: sum.credits + row.credits }),
      { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, credits: 0 },
    );
    return { from, to, data, totals };
  });

  r.get(
    '/api/v1/usage/requests/:request_id',
    { schema: { tags: ['usage'], security: [{ bearer: [] }, { apiKey: [] }], params: Type.Object({ request_id: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ data: Type.Array(RequestRecord) }) } } },
    async (request) => {
      const principal = await authenticateUserOrKey(services, request);
      const visible = principal.type === 'api_key' ? [principal.key.accountId] : (await services.storage.accounts.listForUser(principal.user.id)).map((m) => m.accountId);
      await services.gateway.usage.flush();
      const records = await services.storage.usage.findByRequestId(request.params.request_id, visible);
      if (records.length === 0) throw new ApiError('not_found', { message: 'No such request.' });
      return { data: records.map(recordOut) };
    },
  );
}

function recordOut(r: UsageRecord) {
  return {
    request_id: r.requestId,
    account_id: r.accountId,
    key_id: r.keyId,
    model: r.model,
    route: r.route,
    provider: r.provider,
    target_model: r.targetModel,
    status: r.status,
    outcome: r.outcome,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    credits: r.credits,
    exact_cost: r.exactCost ?? null,
    price: r.priceSource
      ? { source: r.priceSource, input_per_mtok: r.priceInputPerMtok ?? '0', output_per_mtok: r.priceOutputPerMtok ?? '0', per_request: r.pricePerRequest ?? '0' }
      : null,
    created_at: r.createdAt,
  };
}
