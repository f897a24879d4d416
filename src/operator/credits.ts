// POST /api/v1/operator/accounts/{id}/credits: an operator grants (amount > 0) or debits
// (amount < 0) credits. With an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header):
// the same key with the same request answers what the first call answered and writes one ledger
// entry; the same key with a different request is refused with 422. A debit may not take the
// balance below what requests in flight hold (409).
import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireOperator } from '../http/authenticate-admin.js';
import { ApiError } from '../core/errors.js';
import { invalidField } from '../core/validation-error.js';
import type { Services } from '../services.js';
import type { LedgerEntry } from '../storage/credits.js';
import { storageUnavailable } from '../credits/storage-unavailable.js';

/** What these routes use of the composition root. */
export type OperatorCreditRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'credits' | 'storage'>;

const tags = ['operator'];
const security = [{ bearer: [] }];

/** Bounded so a balance stays an exact integer in JavaScript and in both databases. */
export const MAX_CREDIT_AMOUNT = 1_000_000_000_000;

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Body = Type.Object(
  {
    amount: Type.Integer({ minimum: -MAX_CREDIT_AMOUNT, maximum: MAX_CREDIT_AMOUNT, description: 'Credits; negative for a debit; not 0.' }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const GrantOut = Type.Object({ entry_id: Type.String(), account_id: Type.String(), amount: Type.Integer(), balance: Type.Integer() });

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKeyOf(request: FastifyRequest): string | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  const value = Array.isArray(raw) ? raw[0] : raw;
  // RFC 8941 sf-string quotes are tolerated: `"abc"` and `abc` name the same key.
  const key = value?.trim().replace(/^"(.*)"$/, '$1');
  if (!key || !IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError('validation_error', { message: 'Idempotency-Key must be 1–255 visible ASCII characters.', field: 'Idempotency-Key' });
  }
  return key;
}

/** What the key promises to repeat: this account, this amount, this reason. */
function fingerprintOf(accountId: string, amount: number, reason: string | null): string {
  return createHash('sha256').update(JSON.stringify([accountId, amount, reason])).digest('base64url');
}

function grantOut(entry: LedgerEntry) {
  return { entry_id: entry.id, account_id: entry.accountId, amount: entry.amount, balance: entry.balanceAfter };
}

export function registerOperatorCreditRoutes(app: FastifyInstance, services: OperatorCreditRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/operator/accounts/:id/credits',
    { schema: { tags, security, params: Params, body: Body, response: { 201: GrantOut } } },
    async (request, reply) => {
      const operator = await requireOperator(services, request);
      const { amount } = request.body;
      const reason = request.body.reason?.trim() || null;
      if (amount === 0) throw invalidField('amount', 'must not be 0');
      const idempotencyKey = idempotencyKeyOf(request);
      const accountId = request.params.id;
      const account = await storageUnavailable(() => services.storage.accounts.findById(accountId));
      if (!account) throw new ApiError('not_found', { message: 'No such account.' });

      const result = await storageUnavailable(() =>
        services.credits.ledger.grant({
          accountId,
          amount,
          reason,
          actorId: operator.id,
          requestId: request.id,
          idempotencyKey,
          fingerprint: fingerprintOf(accountId, amount, reason),
          alsoInTransaction: (tx, entry) =>
            tx.audit
              .record({
                accountId,
                actorType: 'user',
                actorId: operator.id,
                action: amount > 0 ? 'credits.granted' : 'credits.debited',
                targetType: 'ledger_entry',
                targetId: entry.id,
                data: { amount, reason, balance: entry.balanceAfter },
                requestId: request.id,
              })
              .then(() => undefined),
        }),
      );
      switch (result.kind) {
        case 'created':
          return reply.status(201).send(grantOut(result.entry));
        case 'replayed':
          return reply.status(201).header('idempotent-replayed', 'true').send(grantOut(result.entry));
        case 'idempotency_mismatch':
          throw new ApiError('validation_error', {
            message: 'This Idempotency-Key was already used with a different request.',
            suggestion: 'Use a new Idempotency-Key for a different grant.',
            field: 'Idempotency-Key',
          });
        case 'insufficient':
          throw new ApiError('conflict', {
            message: `The debit exceeds the available balance (${result.available} credits).`,
            suggestion: 'Debit at most the available balance; credits held by requests in flight cannot be debited.',
          });
      }
    },
  );
}
