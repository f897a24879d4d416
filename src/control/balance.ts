// GET /api/v1/accounts/{id}/balance: the account's credits and its recent ledger (SPEC §4).
// Self-service: a member's access token or one of the account's own API keys. Anyone else —
// another account's key, a non-member — gets 404, so account ids do not leak by probing.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { storageUnavailable } from '../credits/storage-unavailable.js';
import { authenticateUserOrKey } from '../http/authenticate.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type BalanceRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'gateway' | 'keys' | 'storage'>;

const tags = ['credits'];
const security: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Query = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) });

export const LedgerEntryOut = Type.Object({
  id: Type.String(),
  amount: Type.Integer(),
  kind: Type.String({ description: 'grant, debit (operator) or usage (a request)' }),
  request_id: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  balance_after: Type.Integer(),
  created_at: Type.String(),
});

const BalanceOut = Type.Object({
  account_id: Type.String(),
  balance: Type.Integer({ description: 'Credits held; always the sum of the ledger.' }),
  reserved: Type.Integer({ description: 'Credits held by requests in flight.' }),
  available: Type.Integer({ description: 'balance − reserved: what new requests can reserve.' }),
  ledger: Type.Array(LedgerEntryOut, { description: 'Newest first.' }),
});

const noSuchAccount = () => new ApiError('not_found', { message: 'No such account.' });

async function requireAccountReader(services: BalanceRouteDeps, request: FastifyRequest, accountId: string): Promise<void> {
  const principal = await authenticateUserOrKey(services, request);
  if (principal.type === 'api_key') {
    if (principal.key.accountId !== accountId) throw noSuchAccount();
    return;
  }
  if (principal.user.isOperator && (await services.storage.accounts.findById(accountId))) return;
  if (!(await services.storage.accounts.findMembership(accountId, principal.user.id))) throw noSuchAccount();
}

export function registerBalanceRoutes(app: FastifyInstance, services: BalanceRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/v1/accounts/:id/balance', { schema: { tags, security, params: Params, querystring: Query, response: { 200: BalanceOut } } }, async (request) => {
    const accountId = request.params.id;
    await requireAccountReader(services, request, accountId);
    const [balance, ledger] = await storageUnavailable(() =>
      Promise.all([services.credits.ledger.balance(accountId), services.storage.credits.listLedger(accountId, request.query.limit ?? 50)]),
    );
    return {
      account_id: accountId,
      balance: balance.balance,
      reserved: balance.reserved,
      available: balance.balance - balance.reserved,
      ledger: ledger.map((entry) => ({
        id: entry.id,
        amount: entry.amount,
        kind: entry.kind,
        ...(entry.requestId ? { request_id: entry.requestId } : {}),
        ...(entry.reason ? { reason: entry.reason } : {}),
        balance_after: entry.balanceAfter,
        created_at: entry.createdAt,
      })),
    };
  });
}
