// Every migration, in order. A later migration never edits an earlier one.
import type { Migration } from 'kysely';
import type { Dialect } from '../schema.js';
import { foundation } from './001-foundation.js';
import { gateway } from './002-gateway.js';
import { accounts } from './003-accounts.js';
import { credits } from './004-credits.js';
import { invitations } from './005-invitations.js';
import { httpHardening } from './006-http-hardening.js';
import { providerDirect } from './007-provider-direct.js';
import { creditDebt } from './008-credit-debt.js';
import { operatorMark } from './009-operator-mark.js';
import { keyIpsAndMetadata } from './010-key-ips-and-metadata.js';
import { stripeEvents } from './011-stripe-events.js';
import { webhooks } from './012-webhooks.js';
import { budgets } from './013-budgets.js';
import { exactCharges } from './014-exact-charges.js';
import { listingAndRollups } from './015-listing-and-rollups.js';

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '001-foundation': foundation(dialect),
    '002-gateway': gateway(),
    '003-accounts': accounts(),
    '004-credits': credits(dialect),
    '005-invitations': invitations(),
    '006-http-hardening': httpHardening(),
    '007-provider-direct': providerDirect(),
    '008-credit-debt': creditDebt(dialect),
    '009-operator-mark': operatorMark(),
    '010-key-ips-and-metadata': keyIpsAndMetadata(),
    '011-stripe-events': stripeEvents(),
    '012-webhooks': webhooks(),
    '013-budgets': budgets(),
    '014-exact-charges': exactCharges(),
    '015-listing-and-rollups': listingAndRollups(dialect),
  };
}
