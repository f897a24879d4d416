// Webhook signing secrets (SPEC §9): `whsec_` and the base64 of 32 random bytes, the Standard
// Webhooks format, shown once when the endpoint is created. At rest the secret is sealed with
// AES-256-GCM under a key derived for this purpose only, its associated data naming the endpoint
// and its account, so a ciphertext copied onto another endpoint fails to open.
import { randomBytes } from 'node:crypto';
import { open, seal } from '../crypto/envelope.js';
import type { DerivedSecrets } from '../crypto/master-key.js';

const SECRET_BYTES = 32;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
}

function associatedData(endpointId: string, accountId: string): string {
  return `tollgate/webhook/${endpointId}/${accountId}`;
}

export function sealWebhookSecret(secrets: DerivedSecrets, endpointId: string, accountId: string, secret: string): string {
  return seal(secrets.derive('webhook-secrets'), secret, associatedData(endpointId, accountId));
}

/** The plaintext, or null when the ciphertext does not belong to this endpoint. */
export function openWebhookSecret(secrets: DerivedSecrets, endpoint: { id: string; accountId: string; encryptedSecret: string }): string | null {
  return open(secrets.derive('webhook-secrets'), endpoint.encryptedSecret, associatedData(endpoint.id, endpoint.accountId));
}
