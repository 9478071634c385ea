// Issuing invoices inside the caller's transaction: allocate the numbers (per symbol and year)
// and the MTT counters (per seller and year), build and sign the XML, store everything. A rollback
// returns both numbers, so numbering never has a gap.
//
// Two round trips do it whatever the number of invoices: `beginIssuingMany` (lock, keys, business,
// numbers: one function call) and `issueInvoices`'s one statement that writes the invoices, their
// work-list rows, buyer links, Idempotency-Key answers and statistics. Rows travel as jsonb
// parameters, so each statement's text never changes and stays prepared on its connection.
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { preparedRows, queryRows } from '../../db/client.js';
import { invoices, PENDING, type InvoiceKind, type TransmissionFields } from '../../db/schema/index.js';
import type { ComputedLine, Totals } from '../../domain/amounts.js';
import { buildMttCode, buildSymbol } from '../../domain/codes.js';
import { businessDate, businessYear } from '../../domain/dates.js';
import { maskPersonalId } from '../../domain/personal-id.js';
import { uuidv7 } from '../../domain/uuid7.js';
import { amountInWords } from '../../domain/words.js';
import type { RelatedInvoice } from '../../invoice/model.js';
import { packXml, type Dictionary } from '../../invoice/xml-store.js';
import type { Signer } from '../../signing/pkcs12.js';
import { invoiceModel, signedInvoiceXml, type BuyerInput, type PaymentMethod } from './invoice-document.js';
import { storedLines } from '../invoices/stored-lines.js';
import { originalsOf, rollupDeltas, rollupUpserts, type RollupDeltas } from '../stats/rollups.js';

export interface IssuingBusiness {
  id: string;
  taxCode: string;
  name: string;
  address: string;
  phone: string | null;
  provinceCode: string;
  invoiceForm: number;
  symbolSeries: string;
  mttCode: string | null;
}

export interface IssueRequest {
  business: IssuingBusiness;
  terminalId: string | null;
  signer: Signer;
  issuedAt: Date;
  soldAt: Date;
  pricesIncludeVat: boolean;
  paymentMethod: PaymentMethod;
  buyer?: BuyerInput;
  /** HMAC of the buyer's personal ID under LOOKUP_KEY, when one was given. */
  buyerIdHash?: string;
  lines: ComputedLine[];
  totals: Totals;
  kind?: InvoiceKind;
  related?: { invoiceId: string; xml: RelatedInvoice };
  formatVersion: string;
  providerTaxCode: string;
  /** The seller's XML dictionary (src/invoice/xml-store.ts); without one the XML is stored as text. */
  dictionary?: Dictionary;
}

/** An invoice as issued: pending, no invoice_transmissions row yet. */
export type InvoiceRow = typeof invoices.$inferSelect & TransmissionFields;

/** The columns of a new invoice that issuing leaves to their defaults (see schema/invoices.ts). */
const FRESH = { status: 'issued', ...PENDING } as const satisfies Partial<InvoiceRow>;

/**
 * Takes the next `n` values of a gap-free counter and returns the last of them; the row lock it
 * takes is held until the transaction ends.
 */
export async function nextInSequence(tx: Tx, businessId: string, scope: string, year: number, n = 1): Promise<number> {
  const [row] = await queryRows<{ v: string | number }>(
    tx,
    sql`insert into sequences (business_id, scope, year, last_value) values (${businessId}, ${scope}, ${year}, ${n}::bigint)
        on conflict (business_id, scope, year) do update set last_value = sequences.last_value + ${n}::bigint
        returning last_value as v`,
  );
  return Number(row!.v);
}

/**
 * Makes the seller's issuing transactions take turns until they end. Read the issue time after
 * this: numbers then rise with issue times (and dates), even when concurrent sales reach their
 * sequence rows in another order than they read the clock. Issuing is serialised per seller by
 * its MTT counter row anyway, so this costs no concurrency.
 */
export async function lockSellerIssuing(tx: Tx, businessId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`issue:${businessId}`}, 0))`);
}

export async function issueInvoice(tx: Tx, r: IssueRequest): Promise<InvoiceRow> {
  const [row] = await issueInvoices(tx, r, [r]);
  return row!;
}

/**
 * What differs between the invoices of one seller issued together. `issuedAt` (default: the
 * common one) lets a loader of past data issue a day's sales in one go: times must not decrease
 * along the list and must fall in one year, as numbers follow them.
 */
export type InvoiceDraft = Pick<IssueRequest, 'terminalId' | 'soldAt' | 'pricesIncludeVat' | 'paymentMethod' | 'buyer' | 'buyerIdHash' | 'lines' | 'totals' | 'kind' | 'related'> & {
  issuedAt?: Date;
};

/** Numbers already allocated by beginIssuingMany for the invoices of this call, in order. */
export interface Allocated {
  lastNumber: number;
  lastCounter: number;
}

/** An Idempotency-Key answered by an invoice of this call (same order as the drafts it answers). */
export interface KeyAnswer {
  terminalId: string;
  key: string;
  requestHash: string;
  createdAt: Date;
  response: unknown;
}

/**
 * Issues several invoices of one seller at one issue time, in the order given, in the caller's
 * transaction: the numbers (allocated here unless `opts.allocated` has them), the XML built and
 * signed per invoice, then one statement for everything stored. `opts.answers` gives the stored
 * answers of the Idempotency-Keys the invoices answer (one per invoice, or none).
 */
export async function issueInvoices(
  tx: Tx,
  common: IssueCommon,
  drafts: readonly InvoiceDraft[],
  opts: { allocated?: Allocated; answers?: (rows: readonly InvoiceRow[]) => KeyAnswer[] } = {},
): Promise<InvoiceRow[]> {
  const b = common.business;
  if (!b.mttCode) throw new Error('issueInvoice: business has no MTT code (not active)');
  if (drafts.length === 0) return [];
  const form = b.invoiceForm as 1 | 2;
  const year = businessYear(common.issuedAt);
  const n = drafts.length;
  const allocated = opts.allocated ?? {
    lastNumber: await nextInSequence(tx, b.id, numberScope(form, buildSymbol({ year, series: b.symbolSeries })), year, n),
    lastCounter: await nextInSequence(tx, b.id, 'mtt', year, n),
  };
  const built = buildInvoices(common, drafts, allocated, opts.answers);
  await storeInvoices(tx, [built]);
  return built.rows;
}

/** What issuing the several invoices of one seller is to write (see storeInvoices). */
export interface BuiltInvoices {
  rows: InvoiceRow[];
  documents: Array<{ invoiceId: string; xmlZ: string; xmlDict: number }>;
  links: Array<{ invoiceId: string; idHash: string; businessId: string; provinceCode: string; issuedAt: Date }>;
  answers: Array<KeyAnswer & { invoiceId: string }>;
}

export type IssueCommon = Omit<IssueRequest, Exclude<keyof InvoiceDraft, 'issuedAt'>>;

/**
 * The invoices of one seller with their numbers already allocated (`allocated` covers exactly
 * these drafts, in order): XML built and signed per invoice, nothing written yet.
 */
export function buildInvoices(
  common: IssueCommon,
  drafts: readonly InvoiceDraft[],
  allocated: Allocated,
  answers?: (rows: readonly InvoiceRow[]) => KeyAnswer[],
): BuiltInvoices {
  const b = common.business;
  if (!b.mttCode) throw new Error('issueInvoice: business has no MTT code (not active)');
  const form = b.invoiceForm as 1 | 2;
  const year = businessYear(common.issuedAt);
  const symbol = buildSymbol({ year, series: b.symbolSeries });
  const n = drafts.length;
  const { lastNumber, lastCounter } = allocated;

  const documents: BuiltInvoices['documents'] = [];
  const values = drafts.map((r, i) => {
    const at = r.issuedAt ?? common.issuedAt;
    if (businessYear(at) !== year) throw new Error('issueInvoices: invoices issued together fall in one year');
    const issueDate = businessDate(at);
    const number = lastNumber - n + 1 + i;
    const mttCode = buildMttCode({ form, year, sellerCode: b.mttCode!, counter: lastCounter - n + 1 + i });
    const id = uuidv7(at.getTime());
    const saleDate = businessDate(r.soldAt);
    const model = invoiceModel({
      invoiceId: id,
      formatVersion: common.formatVersion,
      providerTaxCode: common.providerTaxCode,
      seller: { name: b.name, taxCode: b.taxCode, address: b.address, ...(b.phone ? { phone: b.phone } : {}) },
      form,
      symbol,
      number,
      mttCode,
      issuedAt: at,
      businessDate: issueDate,
      soldAt: r.soldAt,
      pricesIncludeVat: r.pricesIncludeVat,
      paymentMethod: r.paymentMethod,
      buyer: r.buyer,
      lines: r.lines,
      totals: r.totals,
      related: r.related?.xml,
    });
    const xml = signedInvoiceXml(model, common.signer, at);
    if (common.dictionary) {
      const packed = packXml(xml, common.dictionary);
      documents.push({ invoiceId: id, xmlZ: packed.xmlZ.toString('base64'), xmlDict: packed.xmlDict });
    }
    return {
      id,
      businessId: b.id,
      terminalId: r.terminalId,
      taxCode: b.taxCode,
      provinceCode: b.provinceCode,
      kind: r.kind ?? 'original',
      relatedInvoiceId: r.related?.invoiceId ?? null,
      form,
      symbol,
      number,
      mttCode,
      issuedAt: at,
      businessDate: issueDate,
      soldAt: r.soldAt,
      saleDate,
      issuedLate: saleDate < issueDate,
      pricesIncludeVat: r.pricesIncludeVat,
      paymentMethod: r.paymentMethod,
      buyer: r.buyer ? publicBuyer(r.buyer) : null,
      lines: null,
      linesText: storedLines(r.lines),
      beforeVat: r.totals.beforeVat,
      vat: r.totals.vat,
      total: r.totals.total,
      byRate: r.totals.byRate,
      totalInWords: amountInWords(r.totals.total),
      qr: model.qr!,
      xml: common.dictionary ? null : xml,
      createdAt: at,
    } satisfies typeof invoices.$inferInsert;
  });
  // The rows as stored, without reading them back: the other columns start as below.
  const rows: InvoiceRow[] = values.map((v) => ({ ...FRESH, ...v }));
  const links = drafts.flatMap((r, i) =>
    r.buyerIdHash ? [{ invoiceId: rows[i]!.id, idHash: r.buyerIdHash, businessId: b.id, provinceCode: b.provinceCode, issuedAt: rows[i]!.issuedAt }] : [],
  );
  return { rows, documents, links, answers: (answers?.(rows) ?? []).map((a, i) => ({ ...a, invoiceId: rows[i]!.id })) };
}

/**
 * Writes what buildInvoices made, for one seller or several, in one statement; the statistics
 * rollups commit with the invoices (a replacement also drops its original).
 */
export async function storeInvoices(tx: Tx, built: readonly BuiltInvoices[]): Promise<void> {
  const rows = built.flatMap((b) => b.rows);
  if (rows.length === 0) return;
  const deltas = rollupDeltas(rows, await originalsOf(tx, rows));
  await preparedRows(
    tx,
    'issue_store',
    storeStatement(
      rows,
      built.flatMap((b) => b.documents),
      built.flatMap((b) => b.links),
      built.flatMap((b) => b.answers),
      deltas,
    ),
  );
}

/** The counter scope of invoice numbers: per form and symbol (with the year in the symbol). */
export const numberScope = (form: number, symbol: string): string => `n:${form}${symbol}`;

const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`;

function storeStatement(rows: readonly InvoiceRow[], documents: unknown[], links: unknown[], answers: ReadonlyArray<KeyAnswer & { invoiceId: string }>, deltas: RollupDeltas) {
  return sql`with inv as (
      insert into invoices (id, business_id, terminal_id, tax_code, province_code, kind, related_invoice_id, form, symbol, number, mtt_code,
        issued_at, business_date, sold_at, sale_date, issued_late, prices_include_vat, payment_method, buyer, lines_text, before_vat, vat, total,
        by_rate, total_in_words, qr, xml, created_at)
      select id, "businessId", "terminalId", "taxCode", "provinceCode", kind, "relatedInvoiceId", form, symbol, number, "mttCode",
        "issuedAt", "businessDate", "soldAt", "saleDate", "issuedLate", "pricesIncludeVat", "paymentMethod", buyer, "linesText", "beforeVat", vat, total,
        "byRate", "totalInWords", qr, xml, "createdAt"
      from jsonb_to_recordset(${json(rows)}) as t(id uuid, "businessId" uuid, "terminalId" uuid, "taxCode" text, "provinceCode" text,
        kind text, "relatedInvoiceId" uuid, form smallint, symbol text, number integer, "mttCode" text, "issuedAt" timestamptz,
        "businessDate" date, "soldAt" timestamptz, "saleDate" date, "issuedLate" boolean, "pricesIncludeVat" boolean, "paymentMethod" text,
        buyer jsonb, "linesText" text, "beforeVat" bigint, vat bigint, total bigint, "byRate" jsonb, "totalInWords" text, qr text, xml text,
        "createdAt" timestamptz)
      returning id, business_id, form, symbol, number, issued_at, province_code
    ), documents as (
      insert into invoice_documents (invoice_id, xml_dict, xml_z)
      select "invoiceId", "xmlDict", decode("xmlZ", 'base64')
      from jsonb_to_recordset(${json(documents)}) as t("invoiceId" uuid, "xmlDict" integer, "xmlZ" text)
    ), waiting as (
      insert into unaccepted_invoices (invoice_id, business_id, form, symbol, number, issued_at, province_code)
      select id, business_id, form, symbol, number, issued_at, province_code from inv
    ), links as (
      insert into buyer_links (invoice_id, id_hash, business_id, province_code, issued_at)
      select "invoiceId", "idHash", "businessId", "provinceCode", "issuedAt"
      from jsonb_to_recordset(${json(links)}) as t("invoiceId" uuid, "idHash" text, "businessId" uuid, "provinceCode" text, "issuedAt" timestamptz)
    ), keys as (
      insert into idempotency_keys (terminal_id, key, request_hash, invoice_id, status_code, response, created_at)
      select "terminalId", key, "requestHash", "invoiceId", 201, response, "createdAt"
      from jsonb_to_recordset(${json(answers)})
        as t("terminalId" uuid, key text, "requestHash" text, "invoiceId" uuid, response jsonb, "createdAt" timestamptz)
    ), ${rollupUpserts(deltas)}
    select 1`;
}

/** What beginIssuingMany found and took for one seller. */
export interface IssuingStart {
  /** Per key given: already answered (or being answered) by a committed request. */
  taken: boolean[];
  /** The business as it is under the lock (undefined if it is gone). */
  business?: IssuingBusiness & { status: string };
  /** Numbers for `extra` invoices plus one per key not taken. */
  allocated: Allocated;
}

/** One seller's part of beginIssuingMany. */
export interface IssuingRequest {
  /** The business as the caller last read it: its form and series name the number counter. */
  expected: Pick<IssuingBusiness, 'id' | 'invoiceForm' | 'symbolSeries'>;
  keys: ReadonlyArray<{ terminalId: string; key: string }>;
  /** Invoices to number beyond one per key not taken. */
  extra: number;
  issuedAt: Date;
}

type StartRow = {
  o_taken: boolean[];
  o_status: string | null;
  o_invoice_form: number;
  o_symbol_series: string;
  o_mtt_code: string | null;
  o_tax_code: string;
  o_name: string;
  o_address: string;
  o_phone: string | null;
  o_province_code: string;
  o_last_number: string | number | null;
  o_last_counter: string | number | null;
  i: number;
};

/**
 * The first round trip of an issuing transaction (migrations 0008–0009, issue_begin_many): per
 * seller, in the order of their ids, takes its issuing lock, tells which keys are taken, reads the
 * business and, if it is active, allocates numbers for `extra` invoices plus one per key not
 * taken, in the symbol that `expected` gives. If the business now has another form or series, the
 * numbers are of the wrong counter: `business` shows it, and the caller must roll back.
 */
export async function beginIssuingMany(tx: Tx, requests: readonly IssuingRequest[]): Promise<IssuingStart[]> {
  if (requests.length === 0) return [];
  const sellers = requests.map((r) => {
    const year = businessYear(r.issuedAt);
    return {
      business: r.expected.id,
      keys: r.keys.map((k) => ({ terminalId: k.terminalId, key: k.key })),
      extra: r.extra,
      scope: numberScope(r.expected.invoiceForm, buildSymbol({ year, series: r.expected.symbolSeries })),
      year,
    };
  });
  const [r] = await preparedRows<{ starts: StartRow[] }>(tx, 'issue_begin', sql`select issue_begin_many(${json(sellers)}) as starts`);
  const out: IssuingStart[] = [];
  for (const row of r!.starts) out[row.i - 1] = toStart(requests[row.i - 1]!.expected.id, row);
  return out;
}

function toStart(id: string, row: StartRow): IssuingStart {
  return {
    taken: row.o_taken,
    business:
      row.o_status === null
        ? undefined
        : {
            id,
            status: row.o_status,
            taxCode: row.o_tax_code,
            name: row.o_name,
            address: row.o_address,
            phone: row.o_phone,
            provinceCode: row.o_province_code,
            invoiceForm: Number(row.o_invoice_form),
            symbolSeries: row.o_symbol_series,
            mttCode: row.o_mtt_code,
          },
    allocated: { lastNumber: Number(row.o_last_number ?? 0), lastCounter: Number(row.o_last_counter ?? 0) },
  };
}

/** The buyer as API callers see it: the personal ID only masked. */
function publicBuyer(b: BuyerInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['name', 'taxCode', 'address', 'phone'] as const) if (b[k]) out[k] = b[k]!;
  if (b.personalId) out.personalIdMasked = maskPersonalId(b.personalId);
  return out;
}
