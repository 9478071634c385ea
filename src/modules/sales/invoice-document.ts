// A sale's computed amounts + the seller + the allocated numbers → the 2/h invoice model, its
// XML and the seller's signature. What is signed here is stored and served byte for byte.
import type { ComputedLine, Totals } from '../../domain/amounts.js';
import { encodeInvoiceQr } from '../../domain/qr.js';
import { localDateTime } from '../../domain/dates.js';
import { amountInWords } from '../../domain/words.js';
import type { InvoiceBuyer, InvoiceLine, InvoiceModel, RelatedInvoice, TTin } from '../../invoice/model.js';
import { buildInvoiceXml, SELLER_SIGNATURE_PLACEHOLDER, withXmlDeclaration } from '../../invoice/xml.js';
import type { Signer } from '../../signing/pkcs12.js';
import { signEnveloped } from '../../signing/xmldsig.js';

export type PaymentMethod = 'cash' | 'card' | 'transfer' | 'ewallet' | 'mixed';

/** `HTTToan` values of the 1450 format for the API's payment methods (spec §3). */
export const PAYMENT_METHOD_CODES: Record<PaymentMethod, string> = {
  cash: 'TM',
  transfer: 'CK',
  card: 'Thẻ',
  ewallet: 'Ví điện tử',
  mixed: 'TM/CK',
};

export interface BuyerInput {
  name?: string;
  taxCode?: string;
  address?: string;
  phone?: string;
  personalId?: string;
}

export interface InvoiceDocumentInput {
  invoiceId: string;
  formatVersion: string;
  providerTaxCode: string;
  seller: { name: string; taxCode: string; address: string; phone?: string };
  form: 1 | 2;
  symbol: string;
  number: number;
  mttCode: string;
  issuedAt: Date;
  businessDate: string;
  soldAt: Date;
  pricesIncludeVat: boolean;
  paymentMethod: PaymentMethod;
  buyer?: BuyerInput;
  lines: ComputedLine[];
  totals: Totals;
  related?: RelatedInvoice;
}

const tt = (name: string, type: TTin['type'], value: string): TTin => ({ name, type, value });

export const dlhdonId = (invoiceId: string): string => `_${invoiceId.replace(/-/g, '')}`;

function toXmlLine(l: ComputedLine, pricesIncludeVat: boolean, form: 1 | 2): InvoiceLine {
  const line: InvoiceLine = { index: l.index, kind: l.kind, name: l.name };
  if (l.code) line.code = l.code;
  if (l.unit) line.unit = l.unit;
  if (l.kind === 1 || l.kind === 3) {
    line.quantity = l.quantity;
    line.unitPrice = l.unitPrice;
    line.amount = l.amount;
    if (form === 1 && l.vatRate) line.vatRate = l.vatRate;
    const extra: TTin[] = [];
    // VAT-inclusive prices: the net DGia is derived; keep what the guest saw next to it.
    if (pricesIncludeVat && form === 1 && l.grossUnitPrice !== undefined) extra.push(tt('Đơn giá sau thuế', 'numeric', String(l.grossUnitPrice)));
    if (l.discount !== 0) {
      if (pricesIncludeVat && form === 1) extra.push(tt('Chiết khấu', 'numeric', String(l.discount)));
      else line.discountAmount = l.discount;
    }
    if (extra.length) line.extra = extra;
  } else if (l.kind === 2) {
    line.quantity = l.quantity;
  }
  return line;
}

function toXmlBuyer(b: BuyerInput | undefined): InvoiceBuyer | undefined {
  if (!b) return undefined;
  const out: InvoiceBuyer = {};
  if (b.taxCode) {
    out.taxCode = b.taxCode;
    if (b.name) out.name = b.name;
  } else if (b.name) {
    out.fullName = b.name;
  }
  if (b.address) out.address = b.address;
  if (b.phone) out.phone = b.phone;
  if (b.personalId) out.personalId = b.personalId;
  return Object.keys(out).length ? out : undefined;
}

/** The buyer of a stored invoice, read back from its XML (the only place with the full personal ID). */
export function fromXmlBuyer(b: InvoiceBuyer | undefined): BuyerInput | undefined {
  if (!b) return undefined;
  const out: BuyerInput = {};
  const name = b.taxCode ? b.name : b.fullName;
  if (name) out.name = name;
  if (b.taxCode) out.taxCode = b.taxCode;
  if (b.address) out.address = b.address;
  if (b.phone) out.phone = b.phone;
  if (b.personalId) out.personalId = b.personalId;
  return Object.keys(out).length ? out : undefined;
}

export function invoiceModel(d: InvoiceDocumentInput): InvoiceModel {
  const qr = encodeInvoiceQr({
    sellerTaxCode: d.seller.taxCode,
    form: d.form,
    symbol: d.symbol,
    number: d.number,
    date: d.businessDate,
    total: d.totals.total,
  });
  const model: InvoiceModel = {
    id: dlhdonId(d.invoiceId),
    version: d.formatVersion,
    form: d.form,
    symbol: d.symbol,
    number: d.number,
    issueDate: d.businessDate,
    general: [
      tt('Thời điểm lập', 'dateTime', localDateTime(d.issuedAt)),
      tt('Thời điểm bán', 'dateTime', localDateTime(d.soldAt)),
      tt('DVTTe', 'string', 'VND'),
      tt('TGia', 'numeric', '1'),
      tt('HTTToan', 'string', PAYMENT_METHOD_CODES[d.paymentMethod]),
      tt('MSTTCGP', 'string', d.providerTaxCode),
    ],
    seller: { name: d.seller.name, taxCode: d.seller.taxCode, address: d.seller.address, ...(d.seller.phone ? { phone: d.seller.phone } : {}) },
    lines: d.lines.map((l) => toXmlLine(l, d.pricesIncludeVat, d.form)),
    totals: {
      byRate: d.form === 2 ? [] : d.totals.byRate.map((r) => ({ rate: r.rate, beforeVat: r.beforeVat, vat: r.vat })),
      beforeVat: d.totals.beforeVat,
      vat: d.totals.vat,
      total: d.totals.total,
      totalInWords: amountInWords(d.totals.total),
    },
    qr,
    mttCode: d.mttCode,
  };
  const buyer = toXmlBuyer(d.buyer);
  if (buyer) model.buyer = buyer;
  if (d.related) model.related = d.related;
  return model;
}

/** The signed, standalone XML document of an invoice. */
export function signedInvoiceXml(model: InvoiceModel, signer: Signer, signingTime: Date): string {
  return withXmlDeclaration(
    signEnveloped(buildInvoiceXml(model), {
      signer,
      referenceId: model.id,
      placeholder: SELLER_SIGNATURE_PLACEHOLDER,
      signingTime,
    }),
  );
}
