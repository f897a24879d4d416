// GET /api/v1/usage: the caller's data-plane usage, read from the hourly rollups, grouped by day,
// hour, key or model (`group_by`), or by day, key and model (or route) together — requests, errors,
// tokens and credits. GET /api/v1/usage/requests/{request_id}: one request's
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
import type { RollupGroup } from '../storage/usage-rollups.js';
import { unitsToDecimal } from '../core/sub-credits.js';
import { UsageOut, UsageQuery, UsageRequestRecord } from '../http/schemas/usage-schemas.js';

/** What these routes use of the composition root. */
export type UsageRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'gateway' | 'keys' | 'storage'>;

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;

/**
 * The hours a query covers: a day bound means the whole day, an instant its hour. By default the 30
 * days up to today. At most a year, so one answer stays bounded.
 */
function usageRange(fromText: string | undefined, toText: string | undefined, now: Date) {
  const to = toText ?? now.toISOString().slice(0, 10);
  const from = fromText ?? new Date(Date.parse(to.slice(0, 10)) - 29 * DAY_MS).toISOString().slice(0, 10);
  const fromMs = Date.parse(from.length === 10 ? `${from}T00:00:00.000Z` : from);
  const toMs = Date.parse(to.length === 10 ? `${to}T23:00:00.000Z` : to);
  if (!Number.isFinite(fromMs)) throw invalidField('from', 'is not a valid date');
  if (!Number.isFinite(toMs)) throw invalidField('to', 'is not a valid date');
  const hourOf = (ms: number) => `${new Date(ms).toISOString().slice(0, 13)}:00:00.000Z`;
  const fromHour = hourOf(fromMs);
  const toHour = hourOf(toMs);
  if (fromHour > toHour) throw invalidField('from', 'must be on or before `to`');
  if (Date.parse(toHour) - Date.parse(fromHour) >= MAX_RANGE_DAYS * DAY_MS) throw invalidField('from', `the range may span at most ${MAX_RANGE_DAYS} days`);
  return { from, to, fromHour, toHour };
}

/** A group as the API shows it: the dimensions it has, then its sums. */
function rowOut(g: RollupGroup) {
  return {
    ...(g.day !== undefined ? { day: g.day } : {}),
    ...(g.hour !== undefined ? { hour: g.hour } : {}),
    ...(g.accountId !== undefined ? { account_id: g.accountId } : {}),
    ...(g.keyId !== undefined ? { key_id: g.keyId } : {}),
    ...(g.model !== undefined ? { model: g.model } : {}),
    requests: g.requests,
    errors: g.errors,
    input_tokens: g.inputTokens,
    output_tokens: g.outputTokens,
    credits: g.credits,
    exact_cost: unitsToDecimal(g.creditUnits),
  };
}

export function registerUsageRoutes(app: FastifyInstance, services: UsageRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/v1/usage', { schema: { tags: ['usage'], security: [{ bearer: [] }, { apiKey: [] }], querystring: UsageQuery, response: { 200: UsageOut } } }, async function readUsage(request) {
    const principal = await authenticateUserOrKey(services, request);
    const visible = principal.type === 'api_key' ? [principal.key.accountId] : (await services.storage.accounts.listForUser(principal.user.id)).map((m) => m.accountId);
    const { account_id: accountId, key_id: keyId, model, group_by: groupBy } = request.query;
    if (accountId !== undefined && !visible.includes(accountId)) throw new ApiError('not_found', { message: 'No such account.' });
    const accountIds = accountId ? [accountId] : visible;
    if (keyId !== undefined) {
      // Another account's key does not exist from here, as on every other route.
      const key = await services.storage.apiKeys.findById(keyId);
      if (!key || !accountIds.includes(key.accountId)) throw new ApiError('not_found', { message: 'No such key.' });
    }
    const range = usageRange(request.query.from, request.query.to, new Date());
    // Read-your-writes on this node: what this node has queued is stored (and rolled up) first.
    await services.gateway.usage.flush();
    const groups = await services.storage.usageRollups.grouped({ accountIds, keyId, model, fromHour: range.fromHour, toHour: range.toHour, groupBy: groupBy ?? 'day_key_model' });
    const data = groups.map(rowOut);
    const totals = { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, credits: 0 };
    let units = 0n;
    for (const g of groups) {
      totals.requests += g.requests;
      totals.errors += g.errors;
      totals.input_tokens += g.inputTokens;
      totals.output_tokens += g.outputTokens;
      totals.credits += g.credits;
      units += g.creditUnits;
    }
    return { from: range.from, to: range.to, ...(groupBy ? { group_by: groupBy } : {}), data, totals: { ...totals, exact_cost: unitsToDecimal(units) } };
  });

  r.get(
    '/api/v1/usage/requests/:request_id',
    { schema: { tags: ['usage'], security: [{ bearer: [] }, { apiKey: [] }], params: Type.Object({ request_id: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ data: Type.Array(UsageRequestRecord) }) } } },
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
