import { bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export type MessageStatus =
  /** Built, signed and stored; not yet taken in by the authority. */
  | 'ready'
  /** 999 TTTNhan=0: taken in; waiting for the business answer (204 / 102+103 / 301). */
  | 'received'
  /** The business answer is recorded. */
  | 'answered'
  /** 999 TTTNhan=1: not taken in; its invoices went back to pending for a new message. */
  | 'refused';

/**
 * Messages to the authority (100, 206, 303): the stored signed bytes are what every retry resends.
 * An answered 206 keeps no bytes (`xml` = ''): its invoices keep their own signed XML.
 */
export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    type: smallint('type').notNull(),
    businessId: uuid('business_id').notNull(),
    status: text('status').$type<MessageStatus>().notNull().default('ready'),
    xml: text('xml').notNull(),
    itemCount: integer('item_count').notNull(),
    /** Send attempts (what the authority saw us try). */
    attempts: integer('attempts').notNull().default(0),
    /** Every advance bumps it; a queued job names the step it was made for, so stale jobs do nothing. */
    step: integer('step').notNull().default(0),
    /** For 206: `businessId.form.symbol`, to put refused invoices back in their batch. */
    batchKey: text('batch_key'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** The last send may have reached the authority (timeout, reset): look it up before resending. */
    ambiguous: boolean('ambiguous').notNull().default(false),
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    result: jsonb('result').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [index('messages_due_idx').on(t.status, t.nextAttemptAt), index('messages_business_idx').on(t.businessId)],
);

/** What happened to an invoice or message on its way to the authority, for the API's history. */
export const transmissionEvents = pgTable(
  'transmission_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    messageId: text('message_id'),
    invoiceId: uuid('invoice_id'),
    event: text('event').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (t) => [index('transmission_events_invoice_idx').on(t.invoiceId), index('transmission_events_message_idx').on(t.messageId)],
);

/** Which invoices a 206 message carries, fixed before its first send (history survives a refusal). */
export const messageItems = pgTable(
  'message_items',
  {
    messageId: text('message_id').notNull(),
    invoiceId: uuid('invoice_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.invoiceId] }), index('message_items_invoice_idx').on(t.invoiceId)],
);
