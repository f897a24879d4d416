// GET /api/v1/usage: the caller's data-plane usage grouped by day, key and model (or route) —
// requests, errors, tokens and credits. An access token sees the accounts the user belongs to
// (`account_id` narrows to one); an API key sees its own account. Another account is a 404.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { authenticateUserOrKey } from '../http/authenticate.js';
import { invalidField } from '../core/validation-error.js';
import type { Services } from '../services.js';

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
}
