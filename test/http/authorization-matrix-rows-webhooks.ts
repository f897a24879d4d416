// Matrix rows for the webhook routes (SPEC §9): on the admin plane and under the account, managed
// by owners, admins, service tokens and operators — members are refused on both.
import type { Row } from './authorization-matrix-rows.js';
import type { World } from './authorization-matrix-world.js';
import { rememberSecret } from '../support/log-capture.js';

const body = () => ({ url: 'https://93.184.215.14/matrix-hooks', events: ['key.created'] });
const owner = (w: World) => ({ ...w.owner.auth, 'x-account-id': w.accountId });
const team = (w: World) => `/api/v1/accounts/${w.accountId}/webhooks`;

async function freshWebhook(w: World): Promise<string> {
  const response = await w.app.inject({ method: 'POST', url: '/admin/webhooks', headers: owner(w), payload: body() });
  if (response.statusCode !== 201) throw new Error(`create webhook: ${response.statusCode} ${response.body}`);
  rememberSecret(response.json().secret);
  return response.json().id;
}

/** One webhook with one delivery per world (an org key minted after it subscribed). */
const withDelivery = new WeakMap<World, Promise<{ webhookId: string; deliveryId: string }>>();
function webhookWithDelivery(w: World): Promise<{ webhookId: string; deliveryId: string }> {
  let made = withDelivery.get(w);
  if (!made) {
    made = (async () => {
      const webhookId = await freshWebhook(w);
      const minted = await w.app.inject({ method: 'POST', url: '/admin/keys', headers: owner(w), payload: { name: 'matrix-hook' } });
      rememberSecret(minted.json().secret);
      const [delivery] = await w.gw.services.storage.webhookDeliveries.listByEndpoint(webhookId, 1);
      return { webhookId, deliveryId: delivery!.id };
    })();
    withDelivery.set(w, made);
  }
  return made;
}

const memberRefused = { member: 403 };

export const WEBHOOK_ROWS: Record<string, Row> = {
  'POST /admin/webhooks': { kind: 'admin', ok: 201, except: memberRefused, request: async () => ({ url: '/admin/webhooks', payload: body() }) },
  'GET /admin/webhooks': { kind: 'admin', ok: 200, except: memberRefused, request: async () => ({ url: '/admin/webhooks' }) },
  'GET /admin/webhooks/:id': { kind: 'admin', ok: 200, except: memberRefused, request: async (w) => ({ url: `/admin/webhooks/${(await webhookWithDelivery(w)).webhookId}` }) },
  'PATCH /admin/webhooks/:id': { kind: 'admin', ok: 200, except: memberRefused, request: async (w) => ({ url: `/admin/webhooks/${(await webhookWithDelivery(w)).webhookId}`, payload: { description: 'matrix' } }) },
  'DELETE /admin/webhooks/:id': { kind: 'admin', ok: 204, except: memberRefused, request: async (w) => ({ url: `/admin/webhooks/${await freshWebhook(w)}` }) },
  'GET /admin/webhooks/:id/deliveries': { kind: 'admin', ok: 200, except: memberRefused, request: async (w) => ({ url: `/admin/webhooks/${(await webhookWithDelivery(w)).webhookId}/deliveries` }) },
  'POST /admin/webhooks/:id/deliveries/:delivery_id/retry': {
    kind: 'admin',
    ok: 202,
    except: memberRefused,
    request: async (w) => {
      const { webhookId, deliveryId } = await webhookWithDelivery(w);
      return { url: `/admin/webhooks/${webhookId}/deliveries/${deliveryId}/retry` };
    },
  },

  'POST /api/v1/accounts/:id/webhooks': { kind: 'account_manage', ok: 201, request: async (w) => ({ url: team(w), payload: body() }) },
  'GET /api/v1/accounts/:id/webhooks': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: team(w) }) },
  'GET /api/v1/accounts/:id/webhooks/:webhook_id': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: `${team(w)}/${(await webhookWithDelivery(w)).webhookId}` }) },
  'PATCH /api/v1/accounts/:id/webhooks/:webhook_id': { kind: 'account_manage', ok: 200, request: async (w) => ({ url: `${team(w)}/${(await webhookWithDelivery(w)).webhookId}`, payload: { description: 'matrix' } }) },
  'DELETE /api/v1/accounts/:id/webhooks/:webhook_id': { kind: 'account_manage', ok: 204, request: async (w) => ({ url: `${team(w)}/${await freshWebhook(w)}` }) },
  'GET /api/v1/accounts/:id/webhooks/:webhook_id/deliveries': {
    kind: 'account_manage',
    ok: 200,
    request: async (w) => ({ url: `${team(w)}/${(await webhookWithDelivery(w)).webhookId}/deliveries` }),
  },
  'POST /api/v1/accounts/:id/webhooks/:webhook_id/deliveries/:delivery_id/retry': {
    kind: 'account_manage',
    ok: 202,
    request: async (w) => {
      const { webhookId, deliveryId } = await webhookWithDelivery(w);
      return { url: `${team(w)}/${webhookId}/deliveries/${deliveryId}/retry` };
    },
  },
};
