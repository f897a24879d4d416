// GET/PUT /api/v1/operator/accounts/{id}/limits: an operator overrides an account's rate limits
// (requests and tokens per minute, concurrent requests). A number sets an override, null clears it
// (the configured default applies again), an absent field is left as it is. The answer is the
// account's effective limits. Seen at once on this node, within 5 s on the others.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireOperator } from '../http/authenticate-admin.js';
import { ApiError } from '../core/errors.js';
import type { AccountLimitsView } from '../limits/account-limits.js';
import type { Services } from '../services.js';
import { storageUnavailable } from '../credits/storage-unavailable.js';

/** What these routes use of the composition root. */
export type OperatorLimitRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['operator'];
const security = [{ bearer: [] }];

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
// One JSON-Schema type list rather than a union: with Ajv's type coercion a union with null would
// quietly turn 0 into null (clearing the override) instead of refusing it.
const Limit = Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: 1_000_000_000 });
const Body = Type.Object(
  { rpm: Type.Optional(Limit), tpm: Type.Optional(Limit), concurrency: Type.Optional(Limit) },
  { additionalProperties: false },
);
const LimitsShape = Type.Object({ rpm: Limit, tpm: Limit, concurrency: Limit });
const LimitsOut = Type.Object({
  account_id: Type.String(),
  ...LimitsShape.properties,
  overrides: LimitsShape,
  defaults: LimitsShape,
});

function limitsOut(view: AccountLimitsView) {
  return { account_id: view.accountId, ...view.effective, overrides: view.overrides, defaults: view.defaults };
}

export function registerOperatorLimitRoutes(app: FastifyInstance, services: OperatorLimitRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  async function requireAccount(accountId: string): Promise<void> {
    if (!(await storageUnavailable(() => services.storage.accounts.findById(accountId)))) throw new ApiError('not_found', { message: 'No such account.' });
  }

  r.get('/api/v1/operator/accounts/:id/limits', { schema: { tags, security, params: Params, response: { 200: LimitsOut } } }, async (request) => {
    await requireOperator(services, request);
    await requireAccount(request.params.id);
    return limitsOut(await storageUnavailable(() => services.credits.limits.view(request.params.id)));
  });

  r.put('/api/v1/operator/accounts/:id/limits', { schema: { tags, security, params: Params, body: Body, response: { 200: LimitsOut } } }, async (request) => {
    const operator = await requireOperator(services, request);
    const accountId = request.params.id;
    await requireAccount(accountId);
    const view = await storageUnavailable(() =>
      services.credits.limits.update(accountId, request.body, (tx) =>
        tx.audit.record({
          accountId,
          actorType: 'user',
          actorId: operator.id,
          action: 'limits.updated',
          targetType: 'account',
          targetId: accountId,
          data: { ...request.body },
          requestId: request.id,
        }),
      ),
    );
    return limitsOut(view);
  });
}
