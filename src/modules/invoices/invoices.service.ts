// What callers may read of invoices: the search (businesses their own, officers their provinces),
// one invoice with its transmission history, the legal XML (staff reads audited), and the public
// lookup that answers only an exact match, with the same 404 whatever did not match.
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../deps.js';
import { formatSymbolWithForm, parseSymbol, toIsoLocal } from '../../domain/index.js';
import { invalid, notFound, type FieldError } from '../../lib/errors.js';
import { canSeeBusiness, type Principal } from '../../plugins/auth.js';
import { xmlStoreOf } from '../../invoice/xml-store.js';
import { appendAudit } from '../buyers/audit.repo.js';
import { decodeCursor, encodeCursor, isEmptyScope, readFilter, type FilterQuery, type InvoiceFilter, type ListQuery } from './filters.js';
import { csvStream, EXPORT_BATCH, exportFileName } from './export.js';
import * as repo from './invoices.repo.js';
import { readLines } from './stored-lines.js';
import { LIST_LIMIT_DEFAULT } from './invoices.schemas.js';

export interface InvoicesDeps {
  db: Db;
  config: Pick<Config, 'publicUrl'>;
  clock: Clock;
  /** Rows per page of an export (default EXPORT_BATCH). */
  exportBatch?: number;
}

export interface LookupQuery {
  code?: string;
  taxCode?: string;
  symbol?: string;
  number?: number;
  total: number;
}

export function listItemView(r: repo.ListRow, sellerName: string | undefined) {
  return {
    id: r.id,
    taxCode: r.taxCode,
    ...(sellerName === undefined ? {} : { sellerName }),
    provinceCode: r.provinceCode,
    terminalId: r.terminalId,
    kind: r.kind,
    corrects: r.relatedInvoiceId,
    symbol: formatSymbolWithForm(r.form, r.symbol),
    number: r.number,
    code: r.mttCode,
    issuedAt: toIsoLocal(r.issuedAt),
    businessDate: r.businessDate,
    totals: { beforeVat: r.beforeVat, vat: r.vat, total: r.total },
    status: r.status,
    transmission: { status: r.txStatus, late: r.late },
    buyer: r.buyer ?? null,
  };
}

export type ListItemView = ReturnType<typeof listItemView>;

const ref = (r: repo.RelatedRef) => ({ invoiceId: r.id, symbol: formatSymbolWithForm(r.form, r.symbol), number: r.number, issuedAt: toIsoLocal(r.issuedAt) });

/** TCTBao of a notice, as the API names it. */
const NOTICE_KINDS: Record<number, string> = { 2: 'adjust', 3: 'replace', 4: 'explain' };

export function createInvoicesService(d: InvoicesDeps) {
  /** One page of rows of a filter already read; the export walks the same pages. */
  async function page(f: InvoiceFilter, limit: number, cursor?: string) {
    if (isEmptyScope(f.scope)) return { rows: [] as repo.ListRow[], names: new Map<string, string>(), nextCursor: null };
    const rows = await repo.listInvoices(d.db, f, { limit: limit + 1, cursor: cursor === undefined ? undefined : decodeCursor(cursor) });
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    const names = await repo.sellerNames(d.db, rows.map((r) => r.businessId));
    return { rows, names, nextCursor: more && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null };
  }

  /** The invoice when the caller may see it; 404 otherwise, whether it exists or not. */
  async function visible(p: Principal, id: string): Promise<repo.InvoiceRow> {
    const row = await repo.findInvoice(d.db, id);
    if (!row || !canSeeBusiness(p, { id: row.businessId, provinceCode: row.provinceCode })) throw notFound('Invoice');
    return row;
  }

  /** Pages of a filter, for the export: at most `batch` rows in memory at a time. */
  async function* walk(f: InvoiceFilter, batch: number): AsyncGenerator<ListItemView[]> {
    let cursor: string | undefined;
    for (;;) {
      const { rows, names, nextCursor } = await page(f, batch, cursor);
      if (rows.length) yield rows.map((r) => listItemView(r, names.get(r.businessId)));
      if (!nextCursor) return;
      cursor = nextCursor;
    }
  }

  return {
    async list(p: Principal, q: ListQuery) {
      const f = readFilter(p, q);
      // Read the cursor before anything else so a bad one is a 422 even on an empty scope.
      if (q.cursor !== undefined) decodeCursor(q.cursor);
      const { rows, names, nextCursor } = await page(f, q.limit ?? LIST_LIMIT_DEFAULT, q.cursor);
      return { items: rows.map((r) => listItemView(r, names.get(r.businessId))), nextCursor };
    },

    /** The CSV of a filter (staff only), audited before the first byte. */
    async exportCsv(p: Principal, q: FilterQuery) {
      const f = readFilter(p, q);
      const now = d.clock();
      if (p.kind === 'stf') {
        await appendAudit(d.db, { at: now, actorKind: 'stf', actorId: p.staffId, action: 'invoice.export', detail: { filter: { ...q } } });
      }
      return { fileName: exportFileName(now), body: csvStream(walk(f, d.exportBatch ?? EXPORT_BATCH)) };
    },

    async detail(p: Principal, id: string) {
      const row = await visible(p, id);
      const [seller, related, history, notices] = await Promise.all([
        repo.findSeller(d.db, row.businessId),
        repo.findRelated(d.db, row),
        repo.transmissionHistory(d.db, row.id),
        repo.findNotices(d.db, row.id),
      ]);
      const replacement = related.corrections.find((c) => c.kind === 'replacement');
      return {
        id: row.id,
        kind: row.kind,
        seller: { taxCode: row.taxCode, name: seller?.name ?? '', ...(seller ? { address: seller.address } : {}), provinceCode: row.provinceCode },
        terminalId: row.terminalId,
        symbol: formatSymbolWithForm(row.form, row.symbol),
        number: row.number,
        code: row.mttCode,
        issuedAt: toIsoLocal(row.issuedAt),
        businessDate: row.businessDate,
        soldAt: toIsoLocal(row.soldAt),
        saleDate: row.saleDate,
        issuedLate: row.issuedLate,
        pricesIncludeVat: row.pricesIncludeVat,
        payment: { method: row.paymentMethod },
        buyer: row.buyer ?? null,
        lines: readLines(row),
        totals: { beforeVat: row.beforeVat, vat: row.vat, total: row.total, byRate: row.byRate },
        totalInWords: row.totalInWords,
        qr: row.qr,
        lookupUrl: `${d.config.publicUrl}/v1/lookup?code=${encodeURIComponent(row.mttCode)}&total=${row.total}`,
        status: row.status,
        replaces: row.kind === 'replacement' && related.original ? ref(related.original) : null,
        replacedBy: replacement ? ref(replacement) : null,
        adjusts: row.kind === 'adjustment' && related.original ? ref(related.original) : null,
        adjustments: related.corrections.filter((c) => c.kind === 'adjustment').map(ref),
        transmission: {
          status: row.txStatus,
          messageId: row.messageId,
          attempts: row.txAttempts,
          lastError: row.txLastError,
          acceptedAt: row.acceptedAt ? toIsoLocal(row.acceptedAt) : null,
          late: row.late,
          history: [
            { at: toIsoLocal(row.issuedAt), event: 'invoice.issued', messageId: null, detail: null },
            ...history.map((h) => ({ at: toIsoLocal(h.at), event: h.event, messageId: h.messageId, detail: h.detail })),
          ],
        },
        notices: notices.map((n) => ({
          id: n.id,
          kind: NOTICE_KINDS[n.action] ?? 'explain',
          status: n.status,
          reason: n.reason,
          messageId: n.messageId,
          result: n.result,
          createdAt: toIsoLocal(n.createdAt),
          answeredAt: n.answeredAt ? toIsoLocal(n.answeredAt) : null,
        })),
      };
    },

    /** The stored document; a staff read is audited before the bytes leave (it names the buyer in full). */
    async xml(p: Principal, id: string): Promise<{ xml: string; code: string }> {
      const row = await repo.findInvoiceXml(d.db, id);
      if (!row || !canSeeBusiness(p, { id: row.businessId, provinceCode: row.provinceCode })) throw notFound('Invoice');
      if (p.kind === 'stf') {
        await appendAudit(d.db, {
          at: d.clock(),
          actorKind: 'stf',
          actorId: p.staffId,
          action: 'invoice.xml',
          subjectHash: row.buyerIdHash,
          detail: { invoiceId: row.id, taxCode: row.taxCode, code: row.mttCode },
        });
      }
      return { xml: await xmlStoreOf(d.db).readOne(d.db, row), code: row.mttCode };
    },

    async lookup(q: LookupQuery) {
      const row = await repo.lookupInvoice(d.db, lookupKey(q), q.total);
      // One answer for every miss: which field was wrong must not show.
      if (!row) throw notFound('Invoice');
      return {
        seller: { taxCode: row.taxCode, name: row.sellerName },
        symbol: formatSymbolWithForm(row.form, row.symbol),
        number: row.number,
        code: row.mttCode,
        issuedAt: toIsoLocal(row.issuedAt),
        businessDate: row.businessDate,
        total: row.total,
        status: row.status,
        transmission: { status: row.txStatus, receivedByAuthority: row.txStatus === 'accepted' },
      };
    },
  };
}

/** Exactly one way of naming the invoice: the code, or tax code + symbol + number. */
function lookupKey(q: LookupQuery): repo.LookupKey {
  const byNumber = q.taxCode !== undefined || q.symbol !== undefined || q.number !== undefined;
  if (q.code !== undefined && !byNumber) return { code: q.code };
  const parsed = q.symbol === undefined ? null : parseSymbol(q.symbol);
  if (q.code === undefined && q.taxCode !== undefined && q.number !== undefined && parsed?.form) {
    return { taxCode: q.taxCode, form: parsed.form, symbol: parsed.symbol, number: q.number };
  }
  const message = 'give either code, or taxCode, symbol (with its form digit) and number';
  const errors: FieldError[] =
    q.code !== undefined
      ? [{ path: '/query/code', message, code: 'lookup.ambiguous' }]
      : (['taxCode', 'symbol', 'number'] as const).filter((k) => q[k] === undefined).map((k) => ({ path: `/query/${k}`, message, code: 'lookup.incomplete' }));
  throw invalid('lookup.invalid', errors.length ? errors : [{ path: '/query', message, code: 'lookup.incomplete' }]);
}

export type InvoicesService = ReturnType<typeof createInvoicesService>;
