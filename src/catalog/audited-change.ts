// A catalog write and its audit entry commit in one transaction, or neither does: an audit trail
// that can miss a change (or record one that never happened) is not an audit trail.
import type { AuditInput } from '../storage/audit-events.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import type { CatalogActor } from './catalog-owner.js';

export type CatalogAuditEvent = Required<Pick<AuditInput, 'action' | 'targetType' | 'targetId' | 'data' | 'requestId'>>;

/** Runs `write`, then records `event` for `actor`, in one transaction; resolves to what `write` returned. */
export function auditedChange<T>(storage: Storage, actor: CatalogActor, event: CatalogAuditEvent, write: (tx: StorageTransaction) => Promise<T>): Promise<T> {
  return storage.transaction(async function writeAndAudit(tx) {
    const result = await write(tx);
    await tx.audit.record({ accountId: actor.accountId, actorType: actor.actorType, actorId: actor.actorId, ...event });
    return result;
  });
}
