// /api/v1/accounts/{id}/webhooks: the same webhook endpoints as /admin/webhooks (SPEC §9), for a
// signed-in owner or admin of the account (members get 403; a stranger, 404). The secret is in
// the creation answer only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { accountAccess, requireManager } from '../http/account-access.js';
import { deliveryView, webhookView } from '../http/webhook-views.js';
import { AccountIdParams } from '../http/schemas/account-schemas.js';
import {
  AccountDeliveryParams,
  AccountWebhookParams,
  CreatedWebhook,
  CreateWebhookBody,
  DeliveryList,
  DeliveryOut,
  PatchWebhookBody,
  WebhookList,
  WebhookOut,
} from '../http/schemas/webhook-schemas.js';
import type { Services } from '../services.js';
import type { WebhookActor } from '../webhooks/webhook-endpoints.js';

/** What these routes use of the composition root. */
export type WebhookRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'storage' | 'webhooks'>;

const tags = ['accounts'];
const security = [{ bearer: [] }];

export function registerWebhookRoutes(app: FastifyInstance, services: WebhookRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { endpoints } = services.webhooks;

  async function manager(request: FastifyRequest, accountId: string): Promise<WebhookActor> {
    const access = await accountAccess(services, request, accountId);
    requireManager(access, 'manage webhooks');
    return { accountId: access.account.id, actorType: 'user', actorId: access.user.id, requestId: request.id };
  }

  r.post('/api/v1/accounts/:id/webhooks', { schema: { tags, security, params: AccountIdParams, body: CreateWebhookBody, response: { 201: CreatedWebhook } } }, async function createWebhook(request, reply) {
    const { endpoint, secret } = await endpoints.create(await manager(request, request.params.id), request.body);
    return reply.status(201).send({ ...webhookView(endpoint), secret });
  });

  r.get('/api/v1/accounts/:id/webhooks', { schema: { tags, security, params: AccountIdParams, response: { 200: WebhookList } } }, async function listWebhooks(request) {
    const actor = await manager(request, request.params.id);
    return { webhooks: (await endpoints.list(actor.accountId)).map(webhookView) };
  });

  r.get('/api/v1/accounts/:id/webhooks/:webhook_id', { schema: { tags, security, params: AccountWebhookParams, response: { 200: WebhookOut } } }, async function getWebhook(request) {
    const actor = await manager(request, request.params.id);
    return webhookView(await endpoints.get(actor.accountId, request.params.webhook_id));
  });

  r.patch(
    '/api/v1/accounts/:id/webhooks/:webhook_id',
    { schema: { tags, security, params: AccountWebhookParams, body: PatchWebhookBody, response: { 200: WebhookOut } } },
    async function patchWebhook(request) {
      return webhookView(await endpoints.update(await manager(request, request.params.id), request.params.webhook_id, request.body));
    },
  );

  r.delete('/api/v1/accounts/:id/webhooks/:webhook_id', { schema: { tags, security, params: AccountWebhookParams, response: { 204: Type.Null() } } }, async function deleteWebhook(request, reply) {
    await endpoints.delete(await manager(request, request.params.id), request.params.webhook_id);
    return reply.status(204).send(null);
  });

  r.get(
    '/api/v1/accounts/:id/webhooks/:webhook_id/deliveries',
    { schema: { tags, security, params: AccountWebhookParams, response: { 200: DeliveryList } } },
    async function listDeliveries(request) {
      const actor = await manager(request, request.params.id);
      return { deliveries: (await endpoints.deliveries(actor.accountId, request.params.webhook_id)).map(deliveryView) };
    },
  );

  r.post(
    '/api/v1/accounts/:id/webhooks/:webhook_id/deliveries/:delivery_id/retry',
    { schema: { tags, security, params: AccountDeliveryParams, response: { 202: DeliveryOut } } },
    async function retryDelivery(request, reply) {
      const queued = await endpoints.retry(await manager(request, request.params.id), request.params.webhook_id, request.params.delivery_id);
      return reply.status(202).send(deliveryView(queued));
    },
  );
}
