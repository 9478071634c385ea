/**
 * The transmission envelope `TDiep` (authority-messages.md §1) and the 206 message carrying
 * signed cash-register invoices (§4).
 *
 * Signed invoices are concatenated as the strings they are: their signatures cover their bytes,
 * so they are never parsed or re-serialised here. Everything this module writes itself is in
 * canonical form (canonical.ts), so the `DLieu` element the message signature covers is its own
 * C14N as long as the invoices are.
 */
import { InvoiceXmlError, canonicalAttr, integerElement, requiredText, textElement } from './canonical.js';
import { PATTERNS } from './model.js';
import { XML_DECLARATION } from './xml.js';

export interface EnvelopeHeader {
  version: string; // PBan
  sender: string; // MNGui, 'V' + provider MST
  receiver: string; // MNNhan, 'TCT'
  type: number; // MLTDiep
  messageId: string; // MTDiep, sender + 32 uppercase hex
  replyTo?: string; // MTDTChieu, written as an empty element on requests
  taxCode?: string; // MST (the seller); 999 has none
  count?: number; // SLuong, number of items in DLieu; 999 has none
}

export interface EnvelopeOptions {
  /** `DLieu/@Id`, the element a message signature refers to. */
  dataId?: string;
  /** Append the empty `<CKSNNT></CKSNNT>` the message signer fills (206). */
  signaturePlaceholder?: boolean;
  /** Prefix the XML declaration (default true: messages travel as standalone documents). */
  declaration?: boolean;
}

/** Message type of cash-register invoice batches. */
export const MESSAGE_TYPE_CASH_REGISTER_INVOICES = 206;
/** Vendor limit on invoices per 206 message (authority-messages.md §4). */
export const MAX_INVOICES_PER_MESSAGE = 500;
/** The empty taxpayer-signature element the message signer fills (unique in a 206 message). */
export const MESSAGE_SIGNATURE_PLACEHOLDER = '<CKSNNT></CKSNNT>';

/** `TTChung` of an envelope, in the order PBan MNGui MNNhan MLTDiep MTDiep MTDTChieu MST SLuong. */
export function buildEnvelopeHeader(h: EnvelopeHeader): string {
  if (!Number.isSafeInteger(h.type)) throw new InvoiceXmlError('header.type', `MLTDiep must be an integer, got ${String(h.type)}`);
  if (h.count !== undefined && (!Number.isSafeInteger(h.count) || h.count < 0)) {
    throw new InvoiceXmlError('header.count', `SLuong must be a non-negative integer, got ${String(h.count)}`);
  }
  return (
    '<TTChung>' +
    requiredText('PBan', h.version, 'header.version') +
    requiredText('MNGui', h.sender, 'header.sender') +
    requiredText('MNNhan', h.receiver, 'header.receiver') +
    integerElement('MLTDiep', h.type, 'header.type') +
    requiredText('MTDiep', h.messageId, 'header.messageId') +
    textElement('MTDTChieu', h.replyTo ?? '', 'header.replyTo') +
    (h.taxCode === undefined || h.taxCode === '' ? '' : textElement('MST', h.taxCode, 'header.taxCode')) +
    (h.count === undefined ? '' : integerElement('SLuong', h.count, 'header.count')) +
    '</TTChung>'
  );
}

/**
 * A `TDiep` around an already-built payload (the children of `DLieu`), for any message type
 * (100 registration, 303 error notice, …). `payloadXml` is inserted verbatim.
 */
export function buildEnvelope(h: EnvelopeHeader, payloadXml: string, opts: EnvelopeOptions = {}): string {
  let dataOpen = '<DLieu>';
  if (opts.dataId !== undefined) {
    if (!PATTERNS.id.test(opts.dataId)) {
      throw new InvoiceXmlError('dataId', `invalid DLieu Id ${JSON.stringify(opts.dataId)} (expected ${String(PATTERNS.id)})`);
    }
    dataOpen = '<DLieu Id="' + canonicalAttr(opts.dataId, 'dataId') + '">';
  }
  return (
    (opts.declaration === false ? '' : XML_DECLARATION) +
    '<TDiep>' +
    buildEnvelopeHeader(h) +
    dataOpen +
    payloadXml +
    '</DLieu>' +
    (opts.signaturePlaceholder ? MESSAGE_SIGNATURE_PLACEHOLDER : '') +
    '</TDiep>'
  );
}

const HDON_START = /^<HDon>\s*<DLHDon\s+Id="([^"]+)"/;

/**
 * The 206 message: `TDiep` with `DLieu Id=dataId` holding the signed invoices, then the empty
 * `CKSNNT` for the message signature. `SLuong` is the number of invoices (h.count, if given,
 * must agree); `MST` (the seller) is required.
 */
export function buildInvoiceMessage(h: EnvelopeHeader, dataId: string, signedInvoices: string[]): string {
  const n = signedInvoices.length;
  if (h.type !== MESSAGE_TYPE_CASH_REGISTER_INVOICES) {
    throw new InvoiceXmlError('header.type', `a cash-register invoice message is MLTDiep 206, got ${String(h.type)}`);
  }
  if (h.taxCode === undefined || h.taxCode === '') throw new InvoiceXmlError('header.taxCode', 'MST (the seller) is required in a 206');
  if (n < 1 || n > MAX_INVOICES_PER_MESSAGE) {
    throw new InvoiceXmlError('signedInvoices', `a 206 carries 1..${MAX_INVOICES_PER_MESSAGE} invoices, got ${n}`);
  }
  if (h.count !== undefined && h.count !== n) {
    throw new InvoiceXmlError('header.count', `SLuong ${h.count} does not match the ${n} invoices`);
  }
  // Each DLHDon Id is a signature reference target: a clash would make a reference ambiguous.
  const ids = new Set<string>([dataId]);
  for (let i = 0; i < n; i++) {
    const s = signedInvoices[i] as string;
    const start = HDON_START.exec(s);
    if (!start || !s.endsWith('</HDon>')) {
      throw new InvoiceXmlError(`signedInvoices[${i}]`, 'expected one HDon element (no XML declaration, no surrounding whitespace)');
    }
    const id = start[1] as string;
    if (ids.has(id)) throw new InvoiceXmlError(`signedInvoices[${i}]`, `Id ${JSON.stringify(id)} is already used in this message`);
    ids.add(id);
  }
  return buildEnvelope({ ...h, count: n }, signedInvoices.join(''), { dataId, signaturePlaceholder: true });
}
