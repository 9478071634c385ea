// Invoice reads: the keyset-paginated search, one invoice with its transmission history, the
// stored XML, and the public lookup. Every list query orders by (issued_at desc, id desc) and has
// an index yielding that order for its leading filter (see QUERY_PLANS.md).
import { and, asc, desc, eq, getTableColumns, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import {
  businesses,
  buyerLinks,
  invoiceDocuments,
  invoiceNotices,
  invoices,
  invoiceTransmissions,
  messageItems,
  transmissionEvents,
  transmissionFields,
  unacceptedInvoices,
  type TransmissionFields,
  type TransmissionStatus,
} from '../../db/schema/index.js';
import { storedXmlColumns } from '../../invoice/xml-store.js';
import type { Cursor, InvoiceFilter } from './filters.js';

/** Issue time as UTC text to the microsecond: what a cursor carries (a JS Date keeps only ms). */
const cursorAt = sql<string>`to_char(${invoices.issuedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const listColumns = {
  id: invoices.id,
  businessId: invoices.businessId,
  taxCode: invoices.taxCode,
  provinceCode: invoices.provinceCode,
  terminalId: invoices.terminalId,
  kind: invoices.kind,
  relatedInvoiceId: invoices.relatedInvoiceId,
  form: invoices.form,
  symbol: invoices.symbol,
  number: invoices.number,
  mttCode: invoices.mttCode,
  issuedAt: invoices.issuedAt,
  businessDate: invoices.businessDate,
  beforeVat: invoices.beforeVat,
  vat: invoices.vat,
  total: invoices.total,
  status: invoices.status,
  txStatus: transmissionFields.txStatus,
  late: transmissionFields.late,
  buyer: invoices.buyer,
  cursorAt: cursorAt.as('cursor_at'),
};

type Invoice = typeof invoices.$inferSelect & TransmissionFields;

export type ListRow = {
  [K in keyof typeof listColumns]: K extends 'cursorAt' ? string : Invoice[Exclude<K, 'cursorAt'>];
};

/** Joins an invoice's transmission state (left: no invoice_transmissions row means pending). */
export const transmissionOf = eq(invoiceTransmissions.invoiceId, invoices.id);

/** Whole invoice rows with their transmission state; add `.where(…)`. */
export const selectInvoicesWithTransmission = (db: DbOrTx) =>
  db
    .select({ ...getTableColumns(invoices), ...transmissionFields })
    .from(invoices)
    .leftJoin(invoiceTransmissions, transmissionOf);

/** The columns a list is ordered and paged by: the invoice's, or the work list's copy of them. */
interface OrderKeys {
  at: AnyColumn;
  id: AnyColumn;
}
const byInvoice: OrderKeys = { at: invoices.issuedAt, id: invoices.id };
const byWorkList: OrderKeys = { at: unacceptedInvoices.issuedAt, id: unacceptedInvoices.invoiceId };

/**
 * `desc nulls last` as the indexes are built (drizzle's `.desc()`): a plain `desc` means nulls
 * first, which no index matches, and the planner would sort the whole range. Fresh SQL on every
 * call: a UNION's ORDER BY rewrites the chunks it is given.
 */
const newestFirst = (k: OrderKeys = byInvoice): SQL[] => [sql`${k.at} desc nulls last`, sql`${k.id} desc nulls last`];

/**
 * What is not accepted is on the work list, whose own flags say how far it got: plain columns the
 * planner estimates (a condition on the left-joined invoice_transmissions it guesses at 0.5 %,
 * and would rather join and sort the whole work list than walk its index).
 */
function transmissionIs(status: TransmissionStatus): SQL {
  const u = unacceptedInvoices;
  switch (status) {
    case 'accepted':
      return eq(invoiceTransmissions.status, status);
    case 'sent':
      return and(eq(u.sent, true), eq(u.rejected, false))!;
    case 'rejected':
      return eq(u.rejected, true);
    case 'pending':
      return and(eq(u.sent, false), eq(u.rejected, false))!;
  }
}

/** The filter's conditions apart from the scope. */
function conditions(f: InvoiceFilter, cursor?: Cursor, k: OrderKeys = byInvoice): SQL[] {
  const c: Array<SQL | undefined> = [
    f.taxCode === undefined ? undefined : eq(invoices.taxCode, f.taxCode),
    f.provinceCode === undefined ? undefined : eq(invoices.provinceCode, f.provinceCode),
    f.from === undefined ? undefined : gte(k.at, f.from),
    f.toExclusive === undefined ? undefined : lt(k.at, f.toExclusive),
    f.toInclusive === undefined ? undefined : lte(k.at, f.toInclusive),
    f.status === undefined ? undefined : eq(invoices.status, f.status),
    f.transmission === undefined ? undefined : transmissionIs(f.transmission),
    f.code === undefined ? undefined : eq(invoices.mttCode, f.code),
    f.terminalId === undefined ? undefined : eq(invoices.terminalId, f.terminalId),
    f.minTotal === undefined ? undefined : gte(invoices.total, f.minTotal),
    f.maxTotal === undefined ? undefined : lte(invoices.total, f.maxTotal),
    // A row comparison: an index bound on (issued_at, id), not a filter.
    cursor === undefined ? undefined : sql`(${k.at}, ${k.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`,
  ];
  return c.filter((x): x is SQL => x !== undefined);
}

/** A built list query: run it, or read its SQL (the benchmark EXPLAINs it). */
export interface ListQueryBuilt {
  run(): Promise<ListRow[]>;
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * One page, newest first. An officer covering several provinces gets one index range per
 * province merged (UNION ALL of per-province top-N), unless a selective filter (tax code, code,
 * terminal) has its own index: `province_code = any(...)` would otherwise walk the global time
 * index and filter out every other province's rows.
 */
export function listQuery(db: DbOrTx, f: InvoiceFilter, o: { limit: number; cursor?: Cursor }): ListQueryBuilt {
  const s = f.scope;
  if (f.transmission !== undefined && f.transmission !== 'accepted') return workListQuery(db, f, o);
  const where = conditions(f, o.cursor);
  const selective = f.taxCode !== undefined || f.code !== undefined || f.terminalId !== undefined;
  if (s.kind === 'provinces' && s.provinces.length > 1 && !selective) {
    const parts = s.provinces.map((pc) =>
      db
        .select(listColumns)
        .from(invoices)
        .leftJoin(invoiceTransmissions, transmissionOf)
        .where(and(eq(invoices.provinceCode, pc), ...where))
        .orderBy(...newestFirst())
        .limit(o.limit),
    );
    const [first, second, ...rest] = parts;
    const q = unionAll(first!, second!, ...rest)
      .orderBy(...newestFirst())
      .limit(o.limit);
    return { run: async () => (await q) as ListRow[], toSQL: () => q.toSQL() };
  }
  const scope =
    s.kind === 'business'
      ? eq(invoices.businessId, s.businessId)
      : s.kind === 'provinces'
        ? s.provinces.length === 1
          ? eq(invoices.provinceCode, s.provinces[0]!)
          : inArray(invoices.provinceCode, s.provinces)
        : undefined;
  const q = db
    .select(listColumns)
    .from(invoices)
    .leftJoin(invoiceTransmissions, transmissionOf)
    .where(and(scope, ...where))
    .orderBy(...newestFirst())
    .limit(o.limit);
  return { run: async () => (await q) as ListRow[], toSQL: () => q.toSQL() };
}

/**
 * Pending, sent and rejected invoices are all on the small work list (unaccepted_invoices): the
 * page walks its time index and joins each invoice by its key, instead of walking every invoice
 * of the scope in time order and keeping the few not accepted.
 */
function workListQuery(db: DbOrTx, f: InvoiceFilter, o: { limit: number; cursor?: Cursor }): ListQueryBuilt {
  const s = f.scope;
  const u = unacceptedInvoices;
  const scope =
    s.kind === 'business' ? eq(u.businessId, s.businessId) : s.kind === 'provinces' ? inArray(u.provinceCode, s.provinces) : undefined;
  const q = db
    .select(listColumns)
    .from(u)
    .innerJoin(invoices, eq(invoices.id, u.invoiceId))
    .leftJoin(invoiceTransmissions, transmissionOf)
    .where(and(scope, ...conditions(f, o.cursor, byWorkList)))
    .orderBy(...newestFirst(byWorkList))
    .limit(o.limit);
  return { run: async () => (await q) as ListRow[], toSQL: () => q.toSQL() };
}

export const listInvoices = (db: DbOrTx, f: InvoiceFilter, o: { limit: number; cursor?: Cursor }): Promise<ListRow[]> => listQuery(db, f, o).run();

export async function sellerNames(db: DbOrTx, businessIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(businessIds)];
  if (!ids.length) return new Map();
  const rows = await db.select({ id: businesses.id, name: businesses.name }).from(businesses).where(inArray(businesses.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

// The detail never shows the document: leave the (TOASTed) XML where it is.
const { xml: _xml, ...invoiceColumns } = getTableColumns(invoices);
const detailColumns = { ...invoiceColumns, ...transmissionFields };

export type InvoiceRow = Omit<Invoice, 'xml'>;

export async function findInvoice(db: DbOrTx, id: string): Promise<InvoiceRow | undefined> {
  const [row] = await db.select(detailColumns).from(invoices).leftJoin(invoiceTransmissions, transmissionOf).where(eq(invoices.id, id));
  return row;
}

/** Just what the XML route needs: the document and who may see it. */
export async function findInvoiceXml(db: DbOrTx, id: string) {
  const [row] = await db
    .select({
      id: invoices.id,
      businessId: invoices.businessId,
      provinceCode: invoices.provinceCode,
      taxCode: invoices.taxCode,
      mttCode: invoices.mttCode,
      ...storedXmlColumns,
      buyerIdHash: buyerLinks.idHash,
    })
    .from(invoices)
    .leftJoin(invoiceDocuments, eq(invoiceDocuments.invoiceId, invoices.id))
    .leftJoin(buyerLinks, eq(buyerLinks.invoiceId, invoices.id))
    .where(eq(invoices.id, id));
  return row;
}

export async function findSeller(db: DbOrTx, businessId: string) {
  const [row] = await db
    .select({ taxCode: businesses.taxCode, name: businesses.name, address: businesses.address, provinceCode: businesses.provinceCode })
    .from(businesses)
    .where(eq(businesses.id, businessId));
  return row;
}

export interface RelatedRef {
  id: string;
  kind: string;
  form: number;
  symbol: string;
  number: number;
  issuedAt: Date;
}

const refColumns = {
  id: invoices.id,
  kind: invoices.kind,
  form: invoices.form,
  symbol: invoices.symbol,
  number: invoices.number,
  issuedAt: invoices.issuedAt,
};

/** The invoice this one corrects, and the corrections of this one. */
export async function findRelated(db: DbOrTx, row: Pick<InvoiceRow, 'id' | 'relatedInvoiceId'>) {
  const original = row.relatedInvoiceId
    ? (await db.select(refColumns).from(invoices).where(eq(invoices.id, row.relatedInvoiceId)))[0]
    : undefined;
  const corrections = await db
    .select(refColumns)
    .from(invoices)
    .where(eq(invoices.relatedInvoiceId, row.id))
    .orderBy(asc(invoices.issuedAt), asc(invoices.id));
  return { original, corrections };
}

export interface HistoryRow {
  at: Date;
  event: string;
  messageId: string | null;
  detail: Record<string, unknown> | null;
}

/**
 * What happened on the way to the authority: the events of every message that carried the
 * invoice (message_items survive a refusal), plus events naming the invoice itself. Events of a
 * message that name another invoice (its rejection) are left out.
 */
export async function transmissionHistory(db: DbOrTx, invoiceId: string): Promise<HistoryRow[]> {
  const carriers = db.select({ id: messageItems.messageId }).from(messageItems).where(eq(messageItems.invoiceId, invoiceId));
  return db
    .select({ at: transmissionEvents.at, event: transmissionEvents.event, messageId: transmissionEvents.messageId, detail: transmissionEvents.detail })
    .from(transmissionEvents)
    .where(
      or(
        eq(transmissionEvents.invoiceId, invoiceId),
        and(isNull(transmissionEvents.invoiceId), isNotNull(transmissionEvents.messageId), inArray(transmissionEvents.messageId, carriers)),
      ),
    )
    .orderBy(asc(transmissionEvents.at), asc(transmissionEvents.id));
}

export type LookupKey = { code: string } | { taxCode: string; form: number; symbol: string; number: number };

/** The public lookup: every given field and the total must match, in one query. */
export async function lookupInvoice(db: DbOrTx, key: LookupKey, total: number) {
  const match =
    'code' in key
      ? eq(invoices.mttCode, key.code)
      : and(eq(invoices.taxCode, key.taxCode), eq(invoices.number, key.number), eq(invoices.form, key.form), eq(invoices.symbol, key.symbol));
  const [row] = await db
    .select({
      taxCode: invoices.taxCode,
      sellerName: businesses.name,
      form: invoices.form,
      symbol: invoices.symbol,
      number: invoices.number,
      mttCode: invoices.mttCode,
      issuedAt: invoices.issuedAt,
      businessDate: invoices.businessDate,
      total: invoices.total,
      status: invoices.status,
      txStatus: transmissionFields.txStatus,
    })
    .from(invoices)
    .innerJoin(businesses, eq(businesses.id, invoices.businessId))
    .leftJoin(invoiceTransmissions, transmissionOf)
    .where(and(match, eq(invoices.total, total)))
    .orderBy(desc(invoices.issuedAt))
    .limit(1);
  return row;
}

export interface NoticeRow {
  id: string;
  action: number;
  status: string;
  reason: string;
  messageId: string | null;
  result: Record<string, unknown> | null;
  createdAt: Date;
  answeredAt: Date | null;
}

/** Notices of errors (303) about an invoice, oldest first. */
export async function findNotices(db: DbOrTx, invoiceId: string): Promise<NoticeRow[]> {
  return db
    .select({
      id: invoiceNotices.id,
      action: invoiceNotices.action,
      status: invoiceNotices.status,
      reason: invoiceNotices.reason,
      messageId: invoiceNotices.messageId,
      result: invoiceNotices.result,
      createdAt: invoiceNotices.createdAt,
      answeredAt: invoiceNotices.answeredAt,
    })
    .from(invoiceNotices)
    .where(eq(invoiceNotices.invoiceId, invoiceId))
    .orderBy(asc(invoiceNotices.createdAt), asc(invoiceNotices.id));
}
