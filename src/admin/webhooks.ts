// /admin/webhooks: the account's webhook endpoints and their deliveries (SPEC §9) for service
// tokens and owners/admins (members are refused: webhooks carry a signing secret and reach out of
// the deployment). The secret is in the creation answer only.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { authenticateAdmin } from '../http/authenticate-admin.js';
import { deliveryView, webhookView } from '../http/webhook-views.js';
import {
  AdminDeliveryParams,
  AdminWebhookParams,
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
export type AdminWebhookRouteDeps = Pick<Services, 'accessTokens' | 'config' | 'serviceTokens' | 'storage' | 'webhooks'>;

const tags = ['admin'];
const security = [{ bearer: [] }];

export function registerAdminWebhookRoutes(app: FastifyInstance, services: AdminWebhookRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { endpoints } = services.webhooks;

  async function manager(request: FastifyRequest): Promise<WebhookActor> {
    const principal = await authenticateAdmin(services, request);
    if (principal.role === 'member') throw new ApiError('forbidden', { message: 'Only owners, admins and service tokens can manage webhooks.' });
    return { accountId: principal.accountId, actorType: principal.actor.type, actorId: principal.actor.id, requestId: request.id };
  }

  r.post('/admin/webhooks', { schema: { tags, security, body: CreateWebhookBody, response: { 201: CreatedWebhook } } }, async function createWebhook(request, reply) {
    const { endpoint, secret } = await endpoints.create(await manager(request), request.body);
    return reply.status(201).send({ ...webhookView(endpoint), secret });
  });

  r.get('/admin/webhooks', { schema: { tags, security, response: { 200: WebhookList } } }, async function listWebhooks(request) {
    const actor = await manager(request);
    return { webhooks: (await endpoints.list(actor.accountId)).map(webhookView) };
  });

  r.get('/admin/webhooks/:id', { schema: { tags, security, params: AdminWebhookParams, response: { 200: WebhookOut } } }, async function getWebhook(request) {
    const actor = await manager(request);
    return webhookView(await endpoints.get(actor.accountId, request.params.id));
  });

  r.patch('/admin/webhooks/:id', { schema: { tags, security, params: AdminWebhookParams, body: PatchWebhookBody, response: { 200: WebhookOut } } }, async function patchWebhook(request) {
    return webhookView(await endpoints.update(await manager(request), request.params.id, request.body));
  });

  r.delete('/admin/webhooks/:id', { schema: { tags, security, params: AdminWebhookParams, response: { 204: Type.Null() } } }, async function deleteWebhook(request, reply) {
    await endpoints.delete(await manager(request), request.params.id);
    return reply.status(204).send(null);
  });

  r.get('/admin/webhooks/:id/deliveries', { schema: { tags, security, params: AdminWebhookParams, response: { 200: DeliveryList } } }, async function listDeliveries(request) {
    const actor = await manager(request);
    return { deliveries: (await endpoints.deliveries(actor.accountId, request.params.id)).map(deliveryView) };
  });

  r.post('/admin/webhooks/:id/deliveries/:delivery_id/retry', { schema: { tags, security, params: AdminDeliveryParams, response: { 202: DeliveryOut } } }, async function retryDelivery(request, reply) {
    const queued = await endpoints.retry(await manager(request), request.params.id, request.params.delivery_id);
    return reply.status(202).send(deliveryView(queued));
  });
}
