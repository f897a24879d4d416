// The Stripe events that granted credits (migration 011). `insert` runs inside the credit grant's
// transaction: its primary key (the event id) and unique session id are what make a redelivered
// webhook grant once — the losing transaction fails here and rolls its grant back.
import type { Kysely, Selectable } from 'kysely';
import { int, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

export interface StripeEventRecord {
  eventId: string;
  eventType: string;
  sessionId: string;
  accountId: string;
  ledgerEntryId: string;
  /** What the payer paid, in the currency's minor units. */
  amountTotal: number;
  currency: string;
  credits: number;
  createdAt: string;
}

const codec = tableCodec<Selectable<Tables['stripe_events']>, StripeEventRecord>({ amountTotal: int, credits: int });

export class StripeEventsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(record: StripeEventRecord): Promise<void> {
    await this.db.insertInto('stripe_events').values(record).execute();
  }

  /** The grant made for this event, or for another event of the same Checkout Session. */
  async findByEventOrSession(eventId: string, sessionId: string): Promise<StripeEventRecord | undefined> {
    const row = await this.db
      .selectFrom('stripe_events')
      .selectAll()
      .where((eb) => eb.or([eb('eventId', '=', eventId), eb('sessionId', '=', sessionId)]))
      .executeTakeFirst();
    return row && codec.decode(row);
  }
}
