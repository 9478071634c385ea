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
import { recordIssued } from '../stats/rollups.js';

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

/** Next value of a gap-free counter; the row lock it takes is held until the transaction ends. */
export async function nextInSequence(tx: Tx, businessId: string, scope: string, year: number): Promise<number> {
  const [row] = await queryRows<{ v: string | number }>(
    tx,
    sql`insert into sequences (business_id, scope, year, last_value) values (${businessId}, ${scope}, ${year}, 1)
        on conflict (business_id, scope, year) do update set last_value = sequences.last_value + 1
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
  const b = r.business;
  if (!b.mttCode) throw new Error('issueInvoice: business has no MTT code (not active)');
  const form = b.invoiceForm as 1 | 2;
  const year = businessYear(r.issuedAt);
  const symbol = buildSymbol({ year, series: b.symbolSeries });
  const number = await nextInSequence(tx, b.id, `n:${form}${symbol}`, year);
  const counter = await nextInSequence(tx, b.id, 'mtt', year);
  const mttCode = buildMttCode({ form, year, sellerCode: b.mttCode, counter });
  const id = randomUUID();
  const issueDate = businessDate(r.issuedAt);
  const saleDate = businessDate(r.soldAt);

  const model = invoiceModel({
    invoiceId: id,
    formatVersion: r.formatVersion,
    providerTaxCode: r.providerTaxCode,
    seller: { name: b.name, taxCode: b.taxCode, address: b.address, ...(b.phone ? { phone: b.phone } : {}) },
    form,
    symbol,
    number,
    mttCode,
    issuedAt: r.issuedAt,
    businessDate: issueDate,
    soldAt: r.soldAt,
    pricesIncludeVat: r.pricesIncludeVat,
    paymentMethod: r.paymentMethod,
    buyer: r.buyer,
    lines: r.lines,
    totals: r.totals,
    related: r.related?.xml,
  });
  const xml = signedInvoiceXml(model, r.signer, r.issuedAt);

  const buyerView = r.buyer ? publicBuyer(r.buyer) : null;
  const [row] = await tx
    .insert(invoices)
    .values({
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
      issuedAt: r.issuedAt,
      businessDate: issueDate,
      soldAt: r.soldAt,
      saleDate,
      issuedLate: saleDate < issueDate,
      pricesIncludeVat: r.pricesIncludeVat,
      paymentMethod: r.paymentMethod,
      buyer: buyerView,
      lines: r.lines,
      beforeVat: r.totals.beforeVat,
      vat: r.totals.vat,
      total: r.totals.total,
      byRate: r.totals.byRate,
      totalInWords: amountInWords(r.totals.total),
      qr: model.qr!,
      xml,
      createdAt: r.issuedAt,
    })
    .returning();
  if (r.buyerIdHash) {
    await tx.insert(buyerLinks).values({ invoiceId: id, idHash: r.buyerIdHash, businessId: b.id, provinceCode: b.provinceCode, issuedAt: r.issuedAt });
  }
  // Statistics rollups commit with the invoice (one statement; a replacement also drops its original).
  await recordIssued(tx, row!);
  return row!;
}

/** The buyer as API callers see it: the personal ID only masked. */
function publicBuyer(b: BuyerInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['name', 'taxCode', 'address', 'phone'] as const) if (b[k]) out[k] = b[k]!;
  if (b.personalId) out.personalIdMasked = maskPersonalId(b.personalId);
  return out;
}
