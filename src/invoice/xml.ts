/**
 * Invoice model → one `HDon` element of format 2/h (cash-register-invoice.md §3).
 *
 * The `DLHDon` bytes emitted here are exactly their inclusive-C14N form (see canonical.ts for why
 * this is a hand-written writer rather than xmlbuilder2's serializer): the signer digests the
 * substring as it is. `DSCKS` holds the only `<NBan></NBan>` of the document, the placeholder the
 * signer fills; the seller's `NBan` is never empty since Ten/MST/DChi are required, and text can
 * never contain a literal `<` because it is escaped.
 */
import {
  InvoiceXmlError,
  canonicalAttr,
  integerElement,
  optionalInteger,
  optionalText,
  patternText,
  requiredText,
  textElement,
} from './canonical.js';
import {
  FORMS_WITHOUT_VAT,
  INVOICE_TITLES,
  MAX_INVOICE_NUMBER,
  PATTERNS,
  RELATED_INVOICE_TYPE,
  type InvoiceBuyer,
  type InvoiceLine,
  type InvoiceModel,
  type InvoiceSeller,
  type InvoiceTotals,
  type RelatedInvoice,
  type TTin,
} from './model.js';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The empty seller-signature element the signing module fills (unique in an `HDon`). */
export const SELLER_SIGNATURE_PLACEHOLDER = '<NBan></NBan>';

const TAX_CODE = /^(?:[0-9]{10}(?:-[0-9]{3})?|[0-9]{12})$/;
const TTIN_TYPES: ReadonlySet<string> = new Set(['string', 'numeric', 'date', 'dateTime']);

/** Prefixes a standalone document with the XML declaration (C14N drops it; storage keeps it). */
export function withXmlDeclaration(xml: string): string {
  return XML_DECLARATION + xml;
}

/** Builds the unsigned `HDon` element (no XML declaration) of a cash-register invoice. */
export function buildInvoiceXml(m: InvoiceModel): string {
  const withoutVat = FORMS_WITHOUT_VAT.has(m.form);
  return (
    '<HDon><DLHDon Id="' +
    canonicalAttr(checked(m.id, PATTERNS.id, 'id'), 'id') +
    '">' +
    general(m) +
    '<NDHDon>' +
    seller(m.seller) +
    buyer(m.buyer) +
    lines(m.lines, withoutVat) +
    totals(m.totals, withoutVat) +
    '</NDHDon></DLHDon>' +
    (m.qr === undefined || m.qr === '' ? '' : qr(m.qr)) +
    '<MCCQT>' +
    mttCode(m) +
    '</MCCQT><DSCKS>' +
    SELLER_SIGNATURE_PLACEHOLDER +
    '</DSCKS></HDon>'
  );
}

function checked(value: string, pattern: RegExp, field: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvoiceXmlError(field, `invalid value ${JSON.stringify(value)} (expected ${String(pattern)})`);
  }
  return value;
}

function formNumber(form: number, field: string): string {
  if (!Number.isInteger(form) || form < 1 || form > 9) {
    throw new InvoiceXmlError(field, `form must be an integer 1..9, got ${String(form)}`);
  }
  return String(form);
}

function invoiceNumber(n: number, field: string): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_INVOICE_NUMBER) {
    throw new InvoiceXmlError(field, `invoice number must be an integer 1..${MAX_INVOICE_NUMBER}, got ${String(n)}`);
  }
  return String(n);
}

/** A real calendar date YYYY-MM-DD (the XSD types it xs:date). */
function dateText(value: string, field: string): string {
  checked(value, PATTERNS.date, field);
  const d = new Date(value + 'T00:00:00Z');
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new InvoiceXmlError(field, `not a calendar date: ${value}`);
  }
  return value;
}

function general(m: InvoiceModel): string {
  const form = formNumber(m.form, 'form');
  const title = INVOICE_TITLES[m.form];
  if (title === undefined) throw new InvoiceXmlError('form', `no THDon for form ${form}`);
  const issueDate = dateText(m.issueDate, 'issueDate');
  checked(m.symbol, PATTERNS.symbol, 'symbol');
  // §3: NLap is the issue date, and the symbol's year follows it.
  if (m.symbol.slice(1, 3) !== m.issueDate.slice(2, 4)) {
    throw new InvoiceXmlError('symbol', `year ${m.symbol.slice(1, 3)} does not match issueDate ${m.issueDate}`);
  }
  return (
    '<TTChung>' +
    textElement('PBan', checked(m.version, PATTERNS.version, 'version'), 'version') +
    textElement('THDon', title, 'form') +
    '<KHMSHDon>' +
    form +
    '</KHMSHDon>' +
    '<KHHDon>' +
    m.symbol +
    '</KHHDon>' +
    '<SHDon>' +
    invoiceNumber(m.number, 'number') +
    '</SHDon>' +
    '<NLap>' +
    issueDate +
    '</NLap>' +
    (m.related ? related(m.related) : '') +
    extra(m.general, 'general') +
    '</TTChung>'
  );
}

function related(r: RelatedInvoice): string {
  if (r.kind !== 1 && r.kind !== 2) throw new InvoiceXmlError('related.kind', `must be 1 or 2, got ${String(r.kind)}`);
  return (
    '<TTHDLQuan><TCHDon>' +
    String(r.kind) +
    '</TCHDon><LHDCLQuan>' +
    String(RELATED_INVOICE_TYPE) +
    '</LHDCLQuan><KHMSHDCLQuan>' +
    formNumber(r.form, 'related.form') +
    '</KHMSHDCLQuan>' +
    textElement('KHHDCLQuan', checked(r.symbol, PATTERNS.relatedSymbol, 'related.symbol'), 'related.symbol') +
    '<SHDCLQuan>' +
    invoiceNumber(r.number, 'related.number') +
    '</SHDCLQuan>' +
    textElement('NLHDCLQuan', dateText(r.date, 'related.date'), 'related.date') +
    optionalText('GChu', r.note, 'related.note') +
    '</TTHDLQuan>'
  );
}

/** `TTKhac` with its `TTin` entries; nothing when there are none. */
function extra(entries: readonly TTin[] | undefined, field: string): string {
  if (!entries || entries.length === 0) return '';
  let out = '<TTKhac>';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as TTin;
    const f = `${field}[${i}]`;
    if (!TTIN_TYPES.has(e.type)) throw new InvoiceXmlError(`${f}.type`, `unknown KDLieu ${JSON.stringify(e.type)}`);
    out +=
      '<TTin>' +
      requiredText('TTruong', e.name, `${f}.name`) +
      '<KDLieu>' +
      e.type +
      '</KDLieu>' +
      optionalText('DLieu', e.value, `${f}.value`) +
      '</TTin>';
  }
  return out + '</TTKhac>';
}

function seller(s: InvoiceSeller): string {
  return (
    '<NBan>' +
    requiredText('Ten', s.name, 'seller.name') +
    textElement('MST', checked(s.taxCode, TAX_CODE, 'seller.taxCode'), 'seller.taxCode') +
    requiredText('DChi', s.address, 'seller.address') +
    optionalText('SDThoai', s.phone, 'seller.phone') +
    extra(s.extra, 'seller.extra') +
    '</NBan>'
  );
}

function buyer(b: InvoiceBuyer | undefined): string {
  if (!b) return '<NMua></NMua>';
  const hasTaxCode = b.taxCode !== undefined && b.taxCode !== '';
  if (!hasTaxCode && b.name !== undefined && b.name !== '') {
    // §3: without a tax code the name is a person's and goes in HVTNMHang (buyer.fullName).
    throw new InvoiceXmlError('buyer.name', 'NMua/Ten (organisation) needs buyer.taxCode; use buyer.fullName for a person');
  }
  return (
    '<NMua>' +
    optionalText('Ten', b.name, 'buyer.name') +
    (hasTaxCode ? textElement('MST', checked(b.taxCode as string, TAX_CODE, 'buyer.taxCode'), 'buyer.taxCode') : '') +
    optionalText('DChi', b.address, 'buyer.address') +
    optionalText('SDThoai', b.phone, 'buyer.phone') +
    (b.personalId === undefined || b.personalId === ''
      ? ''
      : textElement('CCCDan', checked(b.personalId, PATTERNS.personalId, 'buyer.personalId'), 'buyer.personalId')) +
    optionalText('HVTNMHang', b.fullName, 'buyer.fullName') +
    extra(b.extra, 'buyer.extra') +
    '</NMua>'
  );
}

function optionalDecimal(tag: string, value: string | undefined, field: string): string {
  return value === undefined || value === '' ? '' : '<' + tag + '>' + patternText(value, PATTERNS.decimal, field) + '</' + tag + '>';
}

function lines(items: readonly InvoiceLine[], withoutVat: boolean): string {
  let out = '<DSHHDVu>';
  for (let i = 0; i < items.length; i++) out += line(items[i] as InvoiceLine, `lines[${i}]`, withoutVat);
  return out + '</DSHHDVu>';
}

function line(l: InvoiceLine, f: string, withoutVat: boolean): string {
  if (l.kind !== 1 && l.kind !== 2 && l.kind !== 3 && l.kind !== 4) {
    throw new InvoiceXmlError(`${f}.kind`, `TChat must be 1..4, got ${String(l.kind)}`);
  }
  if (!Number.isSafeInteger(l.index) || l.index < 1) {
    throw new InvoiceXmlError(`${f}.index`, `STT must be a positive integer, got ${String(l.index)}`);
  }
  let rate = '';
  if (l.vatRate !== undefined && l.vatRate !== '') {
    if (withoutVat) throw new InvoiceXmlError(`${f}.vatRate`, 'a sales invoice (form 2) carries no TSuat');
    rate = '<TSuat>' + patternText(l.vatRate, PATTERNS.vatRate, `${f}.vatRate`) + '</TSuat>';
  }
  return (
    '<HHDVu><TChat>' +
    String(l.kind) +
    '</TChat><STT>' +
    String(l.index) +
    '</STT>' +
    optionalText('MHHDVu', l.code, `${f}.code`) +
    requiredText('THHDVu', l.name, `${f}.name`) +
    optionalText('DVTinh', l.unit, `${f}.unit`) +
    optionalDecimal('SLuong', l.quantity, `${f}.quantity`) +
    optionalDecimal('DGia', l.unitPrice, `${f}.unitPrice`) +
    optionalDecimal('TLCKhau', l.discountRate, `${f}.discountRate`) +
    optionalInteger('STCKhau', l.discountAmount, `${f}.discountAmount`) +
    optionalInteger('ThTien', l.amount, `${f}.amount`) +
    rate +
    extra(l.extra, `${f}.extra`) +
    '</HHDVu>'
  );
}

function totals(t: InvoiceTotals, withoutVat: boolean): string {
  let byRate = '';
  if (withoutVat) {
    if (t.byRate.length > 0) throw new InvoiceXmlError('totals.byRate', 'a sales invoice (form 2) carries no THTTLTSuat');
  } else {
    byRate = '<THTTLTSuat>';
    for (let i = 0; i < t.byRate.length; i++) {
      const r = t.byRate[i] as InvoiceTotals['byRate'][number];
      const f = `totals.byRate[${i}]`;
      byRate +=
        '<LTSuat><TSuat>' +
        patternText(r.rate, PATTERNS.vatRate, `${f}.rate`) +
        '</TSuat>' +
        integerElement('ThTien', r.beforeVat, `${f}.beforeVat`) +
        integerElement('TThue', r.vat, `${f}.vat`) +
        '</LTSuat>';
    }
    byRate += '</THTTLTSuat>';
  }
  return (
    '<TToan>' +
    byRate +
    integerElement('TgTCThue', t.beforeVat, 'totals.beforeVat') +
    integerElement('TgTThue', t.vat, 'totals.vat') +
    optionalInteger('TTCKTMai', t.tradeDiscount, 'totals.tradeDiscount') +
    integerElement('TgTTTBSo', t.total, 'totals.total') +
    requiredText('TgTTTBChu', t.totalInWords, 'totals.totalInWords') +
    extra(t.extra, 'totals.extra') +
    '</TToan>'
  );
}

/** `M{form}-{yy}-{XXXXX}-{11 digits}`: form and year must be the invoice's own (§2). */
function mttCode(m: InvoiceModel): string {
  const code = patternText(m.mttCode, PATTERNS.mttCode, 'mttCode');
  if (code[1] !== String(m.form) || code.slice(3, 5) !== m.symbol.slice(1, 3)) {
    throw new InvoiceXmlError('mttCode', `${code} does not match form ${m.form} and year of symbol ${m.symbol}`);
  }
  return code;
}

const MAX_QR_LENGTH = 512;

function qr(value: string): string {
  if (value.length > MAX_QR_LENGTH) {
    throw new InvoiceXmlError('qr', `DLQRCode is ${value.length} characters, at most ${MAX_QR_LENGTH} allowed`);
  }
  return textElement('DLQRCode', value, 'qr');
}
