/**
 * The notice of erroneous invoices, form 04/SS-HĐĐT (message 303, authority-messages.md §7): the
 * `TBao` element that goes into `DLieu`, with `DLTBao Id` and the empty
 * `<DSCKS><NNT></NNT></DSCKS>` the seller's signature fills. Canonical text (canonical.ts):
 *
 *   const xml = buildEnvelope({ …, type: 303, taxCode }, buildErrorNoticePayload(model));
 *   signEnveloped(xml, { signer, referenceId: model.id, placeholder: NOTICE_SIGNATURE_PLACEHOLDER, signingTime });
 */
import { InvoiceXmlError, canonicalAttr, integerElement, optionalText, patternText, requiredText, textElement } from './canonical.js';
import { PATTERNS } from './model.js';

export const ERROR_NOTICE_MESSAGE_TYPE = 303;
export const ERROR_NOTICE_FORM = '04/SS-HĐĐT';
export const ERROR_NOTICE_TITLE = 'Thông báo hóa đơn điện tử có sai sót';
/** The empty taxpayer-signature element (unique in the message). */
export const NOTICE_SIGNATURE_PLACEHOLDER = '<NNT></NNT>';
/** `LADHDDT`: an e-invoice under the current decree. */
export const NOTICE_INVOICE_KIND = 1;

/** `TCTBao`: 2 adjust, 3 replace, 4 explain (1, cancel, does not exist under Circular 91/2026). */
export type NoticeAction = 2 | 3 | 4;

export interface ErrorNoticeInvoice {
  index: number; // STT
  mttCode: string; // MCQTCap: the invoice's 23-char MCCQT
  form: number; // KHMSHDon
  symbol: string; // KHHDon
  number: number; // SHDon
  date: string; // Ngay: the invoice date, YYYY-MM-DD
  action: NoticeAction; // TCTBao
  reason: string; // LDo
}

export interface ErrorNoticeModel {
  id: string; // DLTBao/@Id
  version: string; // PBan
  /** Loai: 1 the seller's own notice, 2 answering a notice of the authority. */
  kind: 1 | 2;
  /** So, NTBCCQT: the authority's notice being answered (kind 2). */
  authorityNotice?: { number: string; date: string };
  taxOffice: { code: string; name: string }; // MCQT (5 chars), TCQT
  seller: { name: string; taxCode: string }; // TNNT, MST
  place: string; // DDanh
  date: string; // NTBao, YYYY-MM-DD
  invoices: ErrorNoticeInvoice[]; // DSHDon/HDon
}

const TAX_CODE = /^(?:[0-9]{10}(?:-[0-9]{3})?|[0-9]{12})$/;
const OFFICE_CODE = /^[A-Z0-9]{5}$/;
const FORM = /^[1-9]$/;

function invoice(h: ErrorNoticeInvoice, f: string): string {
  if (h.action !== 2 && h.action !== 3 && h.action !== 4) {
    throw new InvoiceXmlError(`${f}.action`, `TCTBao must be 2 (adjust), 3 (replace) or 4 (explain), got ${String(h.action)}`);
  }
  if (!Number.isInteger(h.number) || h.number < 1) throw new InvoiceXmlError(`${f}.number`, `SHDon must be a positive integer, got ${String(h.number)}`);
  return (
    '<HDon>' +
    integerElement('STT', h.index, `${f}.index`) +
    '<MCQTCap>' + patternText(h.mttCode, PATTERNS.mttCode, `${f}.mttCode`) + '</MCQTCap>' +
    '<KHMSHDon>' + patternText(String(h.form), FORM, `${f}.form`) + '</KHMSHDon>' +
    '<KHHDon>' + patternText(h.symbol, PATTERNS.symbol, `${f}.symbol`) + '</KHHDon>' +
    integerElement('SHDon', h.number, `${f}.number`) +
    '<Ngay>' + patternText(h.date, PATTERNS.date, `${f}.date`) + '</Ngay>' +
    integerElement('LADHDDT', NOTICE_INVOICE_KIND, `${f}.kind`) +
    integerElement('TCTBao', h.action, `${f}.action`) +
    requiredText('LDo', h.reason, `${f}.reason`) +
    '</HDon>'
  );
}

/** The `TBao` element of a 303 (no XML declaration), ready to be wrapped by buildEnvelope. */
export function buildErrorNoticePayload(m: ErrorNoticeModel): string {
  if (typeof m.id !== 'string' || !PATTERNS.id.test(m.id)) throw new InvoiceXmlError('id', `invalid DLTBao Id ${JSON.stringify(m.id)}`);
  if (m.kind !== 1 && m.kind !== 2) throw new InvoiceXmlError('kind', `Loai must be 1 or 2, got ${String(m.kind)}`);
  if (m.kind === 2 && !m.authorityNotice) throw new InvoiceXmlError('authorityNotice', 'a notice answering the authority (Loai 2) names its notice');
  if (m.invoices.length === 0) throw new InvoiceXmlError('invoices', 'at least one invoice is required');
  const answered = m.authorityNotice;
  return (
    '<TBao><DLTBao Id="' +
    canonicalAttr(m.id, 'id') +
    '">' +
    '<PBan>' + patternText(m.version, PATTERNS.version, 'version') + '</PBan>' +
    textElement('MSo', ERROR_NOTICE_FORM, 'form') +
    textElement('Ten', ERROR_NOTICE_TITLE, 'title') +
    integerElement('Loai', m.kind, 'kind') +
    optionalText('So', answered?.number, 'authorityNotice.number') +
    (answered ? '<NTBCCQT>' + patternText(answered.date, PATTERNS.date, 'authorityNotice.date') + '</NTBCCQT>' : '') +
    '<MCQT>' + patternText(m.taxOffice.code, OFFICE_CODE, 'taxOffice.code') + '</MCQT>' +
    requiredText('TCQT', m.taxOffice.name, 'taxOffice.name') +
    requiredText('TNNT', m.seller.name, 'seller.name') +
    '<MST>' + patternText(m.seller.taxCode, TAX_CODE, 'seller.taxCode') + '</MST>' +
    requiredText('DDanh', m.place, 'place') +
    '<NTBao>' + patternText(m.date, PATTERNS.date, 'date') + '</NTBao>' +
    '<DSHDon>' +
    m.invoices.map((h, i) => invoice(h, `invoices[${i}]`)).join('') +
    '</DSHDon></DLTBao><DSCKS>' +
    NOTICE_SIGNATURE_PLACEHOLDER +
    '</DSCKS></TBao>'
  );
}
