import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { businesses, bytea, terminals } from './businesses.js';

export type InvoiceStatus = 'issued' | 'replaced' | 'adjusted';
export type InvoiceKind = 'original' | 'replacement' | 'adjustment';
export type TransmissionStatus = 'pending' | 'sent' | 'accepted' | 'rejected';

/**
 * Gap-free counters: invoice numbers per symbol and year, MTT counters per seller and year.
 * Incremented inside the transaction that stores the invoice, so a rollback returns the number.
 */
export const sequences = pgTable(
  'sequences',
  {
    businessId: uuid('business_id').notNull(),
    scope: text('scope').notNull(),
    year: integer('year').notNull(),
    lastValue: bigint('last_value', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.scope, t.year] })],
);

export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id),
    terminalId: uuid('terminal_id').references(() => terminals.id),
    /** Denormalised from the business so staff filters need no join. */
    taxCode: text('tax_code').notNull(),
    provinceCode: text('province_code').notNull(),
    kind: text('kind').$type<InvoiceKind>().notNull().default('original'),
    relatedInvoiceId: uuid('related_invoice_id'),
    form: smallint('form').notNull(),
    symbol: text('symbol').notNull(),
    number: integer('number').notNull(),
    mttCode: text('mtt_code').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    businessDate: date('business_date', { mode: 'string' }).notNull(),
    soldAt: timestamp('sold_at', { withTimezone: true }).notNull(),
    saleDate: date('sale_date', { mode: 'string' }).notNull(),
    issuedLate: boolean('issued_late').notNull().default(false),
    pricesIncludeVat: boolean('prices_include_vat').notNull(),
    paymentMethod: text('payment_method').notNull(),
    /** Buyer as shown to API callers: the personal ID only masked (the legal XML holds it in full). */
    buyer: jsonb('buyer').$type<Record<string, string>>(),
    /** Lines as objects, in rows written before lines_text (src/modules/invoices/stored-lines.ts). */
    lines: jsonb('lines').$type<unknown[]>(),
    /** Lines as compact JSON text of positional arrays: half the bytes of the jsonb objects. */
    linesText: text('lines_text'),
    beforeVat: bigint('before_vat', { mode: 'number' }).notNull(),
    vat: bigint('vat', { mode: 'number' }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    byRate: jsonb('by_rate').$type<Array<{ rate: string; beforeVat: number; vat: number }>>().notNull(),
    totalInWords: text('total_in_words').notNull(),
    qr: text('qr').notNull(),
    /**
     * The signed document exactly as served, never rewritten, as text in rows written before
     * invoice_documents; newer rows keep it there (deflated) and leave this null.
     */
    xml: text('xml'),
    status: text('status').$type<InvoiceStatus>().notNull().default('issued'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('invoices_lines_kept', sql`lines is not null or lines_text is not null`),
    uniqueIndex('invoices_number_uq').on(t.businessId, t.form, t.symbol, t.number),
    uniqueIndex('invoices_mtt_code_uq').on(t.businessId, t.mttCode),
    // Transmission state lives in invoice_transmissions and unaccepted_invoices: an invoice row is
    // written once (a replacement or adjustment rewrites its original's status, rarely).
    index('invoices_business_issued_idx').on(t.businessId, t.issuedAt.desc(), t.id.desc()),
    index('invoices_province_issued_idx').on(t.provinceCode, t.issuedAt.desc(), t.id.desc()),
    index('invoices_issued_idx').on(t.issuedAt.desc(), t.id.desc()),
    // Search (GET /v1/invoices, export, lookup): every common filter has an index that yields rows
    // already in the list's order (issued_at desc, id desc), so a page reads about `limit` rows.
    index('invoices_tax_code_issued_idx').on(t.taxCode, t.issuedAt.desc(), t.id.desc()),
    index('invoices_terminal_issued_idx').on(t.terminalId, t.issuedAt.desc(), t.id.desc()).where(sql`terminal_id is not null`),
    index('invoices_code_idx').on(t.mttCode),
    index('invoices_tax_code_number_idx').on(t.taxCode, t.number),
    // status=replaced|adjusted is rare; corrections find their originals' successors.
    index('invoices_corrected_idx').on(t.issuedAt.desc(), t.id.desc()).where(sql`status <> 'issued'`),
    index('invoices_related_idx').on(t.relatedInvoiceId).where(sql`related_invoice_id is not null`),
  ],
);

/**
 * Where an invoice stands with the authority, once it has left: no row means pending and never
 * sent (the common state of a fresh invoice, so issuing writes nothing here). A narrow row apart
 * from the ~1.4 KB invoice row, which pending → sent → accepted updates would otherwise rewrite,
 * with all its index entries, twice per invoice. No foreign key: rows are written only for
 * invoices of the work list, in bulk, by the messenger.
 */
export const invoiceTransmissions = pgTable('invoice_transmissions', {
  invoiceId: uuid('invoice_id').primaryKey(),
  status: text('status').$type<TransmissionStatus>().notNull(),
  /** The 206 message that was taken in with the invoice (set with status 'sent'). */
  messageId: text('message_id'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  result: jsonb('result').$type<Record<string, unknown>>(),
  sentAt: timestamp('sent_at', { withTimezone: true }),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }),
  rejectedAt: timestamp('rejected_at', { withTimezone: true }),
  /** Accepted after the end of its business day (Asia/Ho_Chi_Minh). */
  late: boolean('late').notNull().default(false),
});

/** An invoice's transmission state as callers see it (see invoiceTransmissions). */
export interface TransmissionFields {
  txStatus: TransmissionStatus;
  messageId: string | null;
  txAttempts: number;
  txLastError: string | null;
  txResult: Record<string, unknown> | null;
  sentAt: Date | null;
  acceptedAt: Date | null;
  rejectedAt: Date | null;
  late: boolean;
}

/** The state of a fresh invoice: no invoice_transmissions row. */
export const PENDING: TransmissionFields = {
  txStatus: 'pending',
  messageId: null,
  txAttempts: 0,
  txLastError: null,
  txResult: null,
  sentAt: null,
  acceptedAt: null,
  rejectedAt: null,
  late: false,
};

/**
 * Select fields of an invoice's transmission state, for a query with
 * `.leftJoin(invoiceTransmissions, eq(invoiceTransmissions.invoiceId, invoices.id))`.
 */
export const transmissionFields = {
  txStatus: sql<TransmissionStatus>`coalesce(${invoiceTransmissions.status}, 'pending')`.as('tx_status'),
  messageId: invoiceTransmissions.messageId,
  txAttempts: sql<number>`coalesce(${invoiceTransmissions.attempts}, 0)`.mapWith(Number).as('tx_attempts'),
  txLastError: invoiceTransmissions.lastError,
  txResult: invoiceTransmissions.result,
  sentAt: invoiceTransmissions.sentAt,
  acceptedAt: invoiceTransmissions.acceptedAt,
  rejectedAt: invoiceTransmissions.rejectedAt,
  late: sql<boolean>`coalesce(${invoiceTransmissions.late}, false)`.as('late'),
};

/**
 * Every invoice the authority has not accepted: pending, sent, or rejected (rejections stay, they
 * are few). Written with the invoice, deleted on acceptance: a small table that is the batcher's
 * work list (`message_id is null`), finds a message's invoices, and bounds backlog queries, so
 * the wide invoices table carries no index on transmission state.
 */
export const unacceptedInvoices = pgTable(
  'unaccepted_invoices',
  {
    invoiceId: uuid('invoice_id').primaryKey(),
    businessId: uuid('business_id').notNull(),
    form: smallint('form').notNull(),
    symbol: text('symbol').notNull(),
    number: integer('number').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    provinceCode: text('province_code').notNull(),
    /** The 206 message carrying the invoice now; null while it waits for one. */
    messageId: text('message_id'),
    /** Taken in by the authority (its 999), not answered yet: the invoice is 'sent'. */
    sent: boolean('sent').notNull().default(false),
    /** Rejected by the authority: no longer on its way (the backlog counts it apart). */
    rejected: boolean('rejected').notNull().default(false),
  },
  (t) => [
    index('unaccepted_unbatched_idx').on(t.businessId, t.form, t.symbol, t.issuedAt, t.number).where(sql`message_id is null`),
    index('unaccepted_message_idx').on(t.messageId).where(sql`message_id is not null`),
    // Searches for pending, sent or rejected invoices walk this, newest first (invoices.repo.ts).
    index('unaccepted_issued_idx').on(t.issuedAt.desc(), t.invoiceId.desc()),
  ],
);

/**
 * The signed document of an invoice, exactly as served and never rewritten, deflated against its
 * seller's dictionary (src/invoice/xml-store.ts). Apart from the invoice row, which a correction
 * rewrites (its status): written once here, the document is never copied.
 */
export const invoiceDocuments = pgTable('invoice_documents', {
  invoiceId: uuid('invoice_id')
    .primaryKey()
    .references(() => invoices.id),
  xmlDict: integer('xml_dict')
    .notNull()
    .references(() => xmlDictionaries.id),
  xmlZ: bytea('xml_z').notNull(),
});

/**
 * Deflate dictionaries of stored invoice XML, one per seller and certificate: a signed sample
 * invoice of that seller, so what every invoice of it repeats (names, address, certificate,
 * element names) costs a few bytes. Immutable once written.
 */
export const xmlDictionaries = pgTable(
  'xml_dictionaries',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    businessId: uuid('business_id').notNull(),
    certificateSha256: text('certificate_sha256').notNull(),
    bytes: bytea('bytes').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('xml_dictionaries_owner_uq').on(t.businessId, t.certificateSha256)],
);

/** One row per (terminal, Idempotency-Key): the guarantee that a retried sale is one invoice. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    terminalId: uuid('terminal_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    invoiceId: uuid('invoice_id'),
    statusCode: smallint('status_code').notNull(),
    response: jsonb('response').$type<unknown>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The retention job deletes the oldest keys (src/modules/sales/retention.ts).
  (t) => [primaryKey({ columns: [t.terminalId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/** Buyer personal IDs, indexed by their HMAC under LOOKUP_KEY so staff find them without scanning. */
export const buyerLinks = pgTable(
  'buyer_links',
  {
    invoiceId: uuid('invoice_id')
      .primaryKey()
      .references(() => invoices.id),
    idHash: text('id_hash').notNull(),
    businessId: uuid('business_id').notNull(),
    provinceCode: text('province_code').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('buyer_links_hash_idx').on(t.idHash, t.issuedAt)],
);
