import { index, jsonb, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/**
 * Where a notice stands: `waiting` until the invoice it names is accepted by the authority (a 303
 * may only name accepted invoices), `sent` once its 303 is built and queued, then `received` or
 * `refused` from the authority's 301, or `cancelled` when the invoice was rejected meanwhile.
 */
export type NoticeStatus = 'waiting' | 'sent' | 'received' | 'refused' | 'cancelled';

/** Notices of erroneous invoices (form 04/SS-HĐĐT, message 303), one row per invoice named. */
export const invoiceNotices = pgTable(
  'invoice_notices',
  {
    id: uuid('id').primaryKey(),
    invoiceId: uuid('invoice_id').notNull(),
    businessId: uuid('business_id').notNull(),
    /** TCTBao: 4 explain (the only kind the API sends on its own; 2 and 3 travel as invoices). */
    action: smallint('action').notNull(),
    reason: text('reason').notNull(),
    status: text('status').$type<NoticeStatus>().notNull().default('waiting'),
    /** The 303 carrying it, once built. */
    messageId: text('message_id'),
    /** The authority's 301 for this invoice: received or not, and its reasons. */
    result: jsonb('result').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [
    index('invoice_notices_invoice_idx').on(t.invoiceId),
    index('invoice_notices_waiting_idx').on(t.businessId).where(sql`status = 'waiting'`),
    index('invoice_notices_message_idx').on(t.messageId),
  ],
);
