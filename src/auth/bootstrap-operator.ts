// The first operator (SPEC §4 Operator). `tollgate operator create --email …` is the preferred way
// to make one. TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL is for a first start on a private network:
// Tollgate does not verify emails, so whoever registers that address first while it applies
// becomes operator. It therefore applies only while the server has never had an operator — at
// start for an existing user, or when that email registers — and never again once any operator
// exists or has existed (the `operator_established_at` setting outlives a deleted or demoted
// operator), so a squatter cannot claim it later.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';

export const BOOTSTRAP_VARIABLE = 'TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL';

/** True while the server has no operator and never had one. */
export async function bootstrapOpen(storage: StorageTransaction): Promise<boolean> {
  return (await storage.serverSettings.get('operator_established_at')) === undefined && !(await storage.users.anyOperator());
}

/** Makes a user an operator and remembers that the server has one. Call inside a transaction. */
export async function grantOperator(storage: StorageTransaction, userId: string, via: 'cli' | 'bootstrap', at: string): Promise<void> {
  await storage.users.setOperator(userId, true, at);
  await storage.serverSettings.claim('operator_established_at', at, at);
  await storage.audit.record({ accountId: null, actorType: 'system', actorId: null, action: 'user.operator_granted', targetType: 'user', targetId: userId, data: { via } });
}

/** At start: an existing user with the bootstrap email becomes the first operator. */
export async function applyBootstrapOperator(services: { config: Pick<Config, 'bootstrapOperatorEmail'>; storage: Storage; logger: Logger }): Promise<void> {
  const email = services.config.bootstrapOperatorEmail;
  if (!email) return;
  const granted = await services.storage.transaction(async (tx) => {
    if (!(await bootstrapOpen(tx))) return 'closed' as const;
    const user = await tx.users.findByEmail(email);
    if (!user) return 'waiting' as const;
    await grantOperator(tx, user.id, 'bootstrap', new Date().toISOString());
    return user.id;
  });
  if (granted === 'closed') {
    services.logger.info(`${BOOTSTRAP_VARIABLE} ignored: this server has (or had) an operator; use \`tollgate operator create\``);
  } else if (granted !== 'waiting') {
    services.logger.info({ userId: granted }, `${BOOTSTRAP_VARIABLE} applied: the user is the first operator`);
  }
}
