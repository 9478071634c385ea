// The tax-authority simulator's own state, in its own PostgreSQL schema so that it can share a
// database with the gateway (embedded mode) without touching the gateway's tables.
import { bigserial, boolean, index, integer, jsonb, pgSchema, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const authoritySim = pgSchema('authority_sim');

/** Every request with a readable `MTDiep`, taken in or not: a resend is answered from here. */
export const simMessages = authoritySim.table(
  'messages',
  {
    /** `MTDiep` of the request. */
    id: text('id').primaryKey(),
    /** `MLTDiep` (100, 206, 303, or whatever unknown type was sent). */
    type: integer('type').notNull(),
    /** SHA-256 (hex) of the request body bytes: same id + same hash = a resend. */
    sha256: text('sha256').notNull(),
    sender: text('sender').notNull(),
    taxCode: text('tax_code'),
    /** 999 TTTNhan=0: taken in and answered with business replies. */
    takenIn: boolean('taken_in').notNull(),
    body: text('body').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sim_messages_type_idx').on(t.type)],
);

/** The replies to a request: the 999 at once, business answers when `ready_at` has passed. */
export const simReplies = authoritySim.table(
  'replies',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: text('message_id').notNull(),
    type: integer('type').notNull(),
    xml: text('xml').notNull(),
    readyAt: timestamp('ready_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sim_replies_message_idx').on(t.messageId, t.readyAt)],
);

export interface SimRegisteredCertificate {
  index: number; // STT
  issuer: string; // TTChuc
  serial: string; // Seri
  validFrom: string; // TNgay
  validTo: string; // DNgay
}

/** Sellers whose registration (100) was accepted, or seeded through the test routes. */
export const simSellers = authoritySim.table('sellers', {
  taxCode: text('tax_code').primaryKey(),
  /** The 5-char code of every MCCQT of this seller, assigned in the 103. */
  mttCode: text('mtt_code').notNull().unique('sim_sellers_mtt_code_uq'),
  name: text('name'),
  /** SHA-256 of the certificate that signed the last accepted registration. */
  certificateFingerprint: text('certificate_fingerprint'),
  /** The certificates in use, from DSCTSSDung (stopped ones removed). */
  certificates: jsonb('certificates').$type<SimRegisteredCertificate[]>().notNull().default([]),
  registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Invoices accepted in a 204: what "exactly once" is measured against. */
export const simAcceptedInvoices = authoritySim.table(
  'accepted_invoices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    taxCode: text('tax_code').notNull(),
    mttCode: text('mtt_code').notNull(),
    form: smallint('form').notNull(),
    symbol: text('symbol').notNull(),
    number: integer('number').notNull(),
    messageId: text('message_id').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sim_invoices_code_uq').on(t.taxCode, t.mttCode),
    uniqueIndex('sim_invoices_number_uq').on(t.taxCode, t.form, t.symbol, t.number),
    index('sim_invoices_message_idx').on(t.messageId),
  ],
);

/** Small settings and counters: the signing identity (generated on first start), stats counters. */
export const simSettings = authoritySim.table('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
