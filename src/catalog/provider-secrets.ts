// Provider secrets at rest: AES-256-GCM under a key derived for this purpose only, with associated
// data naming the provider row and its owner, so a ciphertext copied onto another provider (or
// another account's) fails to open. Secrets are write-only: no API ever returns one, and the
// gateway only opens them to build the upstream Authorization header.
import { open, seal } from '../crypto/envelope.js';
import type { DerivedSecrets } from '../crypto/master-key.js';
import type { ProviderRecord } from '../storage/providers.js';

function associatedData(providerId: string, accountId: string | null): string {
  return `tollgate/provider/${providerId}/${accountId ?? 'server'}`;
}

export function sealProviderSecret(secrets: DerivedSecrets, providerId: string, accountId: string | null, secret: string): string {
  return seal(secrets.derive('provider-secrets'), secret, associatedData(providerId, accountId));
}

/** The plaintext, or null when there is none or it does not belong to this row. */
export function openProviderSecret(secrets: DerivedSecrets, record: Pick<ProviderRecord, 'id' | 'accountId' | 'encryptedSecret'>): string | null {
  if (record.encryptedSecret === null) return null;
  return open(secrets.derive('provider-secrets'), record.encryptedSecret, associatedData(record.id, record.accountId));
}
