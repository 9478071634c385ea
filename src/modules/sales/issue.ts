// Issuing one invoice inside the caller's transaction: allocate the number (per symbol and year)
// and the MTT counter (per seller and year), build and sign the XML, store everything. A rollback
// returns both numbers, so numbering never has a gap.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { queryRows } from '../../db/client.js';
import { buyerLinks, invoices, type InvoiceKind } from '../../db/schema/index.js';
import type { ComputedLine, Totals } from '../../domain/amounts.js';
import { buildMttCode, buildSymbol } from '../../domain/codes.js';
import { businessDate, businessYear } from '../../domain/dates.js';
import { maskPersonalId } from '../../domain/personal-id.js';
import { amountInWords } from '../../domain/words.js';
import type { RelatedInvoice } from '../../invoice/model.js';
import type { Signer } from '../../signing/pkcs12.js';
import { invoiceModel, signedInvoiceXml, type BuyerInput, type PaymentMethod } from './invoice-document.js';
import { recordIssuedMany } from '../stats/rollups.js';

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
}

export type InvoiceRow = typeof invoices.$inferSelect;

/** The columns of a new invoice that issuing leaves to their defaults (see schema/invoices.ts). */
const FRESH = {
  status: 'issued',
  txStatus: 'pending',
  messageId: null,
  txAttempts: 0,
  txLastError: null,
  txResult: null,
  sentAt: null,
  acceptedAt: null,
  rejectedAt: null,
  late: false,
} as const satisfies Partial<InvoiceRow>;

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

/**
 * Issues several invoices of one seller at one issue time, in the order given, in the caller's
 * transaction: one allocation of each counter, the XML built and signed per invoice, one insert
 * for them all and one upsert of the statistics. The statements do not depend on how many there
 * are, so a busy seller's sales share their round trips (see seller-queue.ts).
 */
export async function issueInvoices(tx: Tx, common: Omit<IssueRequest, Exclude<keyof InvoiceDraft, 'issuedAt'>>, drafts: readonly InvoiceDraft[]): Promise<InvoiceRow[]> {
  const b = common.business;
  if (!b.mttCode) throw new Error('issueInvoice: business has no MTT code (not active)');
  if (drafts.length === 0) return [];
  const form = b.invoiceForm as 1 | 2;
  const year = businessYear(common.issuedAt);
  const symbol = buildSymbol({ year, series: b.symbolSeries });
  const n = drafts.length;
  const lastNumber = await nextInSequence(tx, b.id, `n:${form}${symbol}`, year, n);
  const lastCounter = await nextInSequence(tx, b.id, 'mtt', year, n);

  const values = drafts.map((r, i) => {
    const at = r.issuedAt ?? common.issuedAt;
    if (businessYear(at) !== year) throw new Error('issueInvoices: invoices issued together fall in one year');
    const issueDate = businessDate(at);
    const number = lastNumber - n + 1 + i;
    const mttCode = buildMttCode({ form, year, sellerCode: b.mttCode!, counter: lastCounter - n + 1 + i });
    const id = randomUUID();
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
      lines: r.lines,
      beforeVat: r.totals.beforeVat,
      vat: r.totals.vat,
      total: r.totals.total,
      byRate: r.totals.byRate,
      totalInWords: amountInWords(r.totals.total),
      qr: model.qr!,
      xml: signedInvoiceXml(model, common.signer, at),
      createdAt: at,
    } satisfies typeof invoices.$inferInsert;
  });
  await tx.insert(invoices).values(values);
  // The rows as stored, without reading back the signed XML: the other columns start as below.
  const ordered: InvoiceRow[] = values.map((v) => ({ ...FRESH, ...v }));
  const links = drafts.flatMap((r, i) =>
    r.buyerIdHash ? [{ invoiceId: values[i]!.id, idHash: r.buyerIdHash, businessId: b.id, provinceCode: b.provinceCode, issuedAt: values[i]!.issuedAt }] : [],
  );
  if (links.length) await tx.insert(buyerLinks).values(links);
  // Statistics rollups commit with the invoices (a replacement also drops its original).
  await recordIssuedMany(tx, ordered);
  return ordered;
}

/** The buyer as API callers see it: the personal ID only masked. */
function publicBuyer(b: BuyerInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['name', 'taxCode', 'address', 'phone'] as const) if (b[k]) out[k] = b[k]!;
  if (b.personalId) out.personalIdMasked = maskPersonalId(b.personalId);
  return out;
}
