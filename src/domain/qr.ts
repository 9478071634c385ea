// `DLQRCode` (spec §8): an EMVCo-style TLV string (2-digit tag, 2-digit decimal length, value)
// closed by a CRC so that a misread QR is rejected instead of looking up the wrong invoice.
// The official tag table is **[unsure]**: tags live in the constants below.

import { isBusinessDate } from './dates.js';

const TAG_FORMAT = '00';
const FORMAT_VERSION = '01';
const TAG_INVOICE = '99';
const TAG_CRC = '63';
const INVOICE_TAGS = { aid: '00', seller: '01', form: '02', symbol: '03', number: '04', date: '05', total: '06' } as const;
/** Application identifier of the invoice data template. */
export const INVOICE_QR_AID = 'A000000775';
export const MAX_QR_LENGTH = 512;

export interface InvoiceQrData {
  /** With or without the branch hyphen; the QR carries it without. */
  sellerTaxCode: string;
  form: number;
  /** Without the form digit, e.g. `C26MAA`. */
  symbol: string;
  number: number;
  /** 'YYYY-MM-DD'. */
  date: string;
  total: number;
}

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xorout) over UTF-8. */
export function crc16ccittFalse(s: string): string {
  let crc = 0xffff;
  for (const byte of new TextEncoder().encode(s)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

export function encodeInvoiceQr(d: InvoiceQrData): string {
  const seller = d.sellerTaxCode.replace('-', '');
  if (!/^(\d{10}|\d{12}|\d{13})$/.test(seller)) throw new RangeError(`not a tax code: ${JSON.stringify(d.sellerTaxCode)}`);
  if (!Number.isInteger(d.form) || d.form < 1 || d.form > 9) throw new RangeError(`invoice form must be 1..9, got ${d.form}`);
  if (!/^C\d{2}M[A-Z]{2}$/.test(d.symbol)) throw new RangeError(`not a symbol without form digit: ${JSON.stringify(d.symbol)}`);
  if (!Number.isInteger(d.number) || d.number < 1 || d.number > 99_999_999) throw new RangeError('number must be 1..99999999');
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d.date);
  if (!date || !isBusinessDate(d.date)) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(d.date)}`);
  if (!Number.isSafeInteger(d.total)) throw new RangeError('total must be a whole number of VND');

  const invoice =
    tlv(INVOICE_TAGS.aid, INVOICE_QR_AID) +
    tlv(INVOICE_TAGS.seller, seller) +
    tlv(INVOICE_TAGS.form, String(d.form)) +
    tlv(INVOICE_TAGS.symbol, d.symbol) +
    tlv(INVOICE_TAGS.number, String(d.number)) +
    tlv(INVOICE_TAGS.date, `${date[1]}${date[2]}${date[3]}`) +
    tlv(INVOICE_TAGS.total, String(d.total));
  // The CRC covers its own tag and length.
  const body = tlv(TAG_FORMAT, FORMAT_VERSION) + tlv(TAG_INVOICE, invoice) + TAG_CRC + '04';
  const out = body + crc16ccittFalse(body);
  if (out.length > MAX_QR_LENGTH) throw new RangeError(`QR text exceeds ${MAX_QR_LENGTH} characters`);
  return out;
}

/** The invoice data of a QR string, or null when it is malformed or its CRC does not match. */
export function decodeInvoiceQr(s: string): InvoiceQrData | null {
  if (typeof s !== 'string' || s.length > MAX_QR_LENGTH || s.length < 8) return null;
  const crcAt = s.length - 8;
  if (s.slice(crcAt, crcAt + 4) !== TAG_CRC + '04') return null;
  if (crc16ccittFalse(s.slice(0, crcAt + 4)) !== s.slice(crcAt + 4).toUpperCase()) return null;
  const top = parseTlv(s.slice(0, crcAt));
  if (!top || top.get(TAG_FORMAT) !== FORMAT_VERSION) return null;
  const inner = parseTlv(top.get(TAG_INVOICE) ?? '');
  if (!inner || inner.get(INVOICE_TAGS.aid) !== INVOICE_QR_AID) return null;

  const seller = inner.get(INVOICE_TAGS.seller) ?? '';
  const form = inner.get(INVOICE_TAGS.form) ?? '';
  const symbol = inner.get(INVOICE_TAGS.symbol) ?? '';
  const number = inner.get(INVOICE_TAGS.number) ?? '';
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(inner.get(INVOICE_TAGS.date) ?? '');
  const total = inner.get(INVOICE_TAGS.total) ?? '';
  if (!/^(\d{10}|\d{12}|\d{13})$/.test(seller) || !/^[1-9]$/.test(form) || !/^C\d{2}M[A-Z]{2}$/.test(symbol)) return null;
  if (!/^[1-9]\d{0,7}$/.test(number) || !date || !/^-?(0|[1-9]\d{0,15})$/.test(total)) return null;
  if (!Number.isSafeInteger(Number(total))) return null;
  const isoDate = `${date[1]}-${date[2]}-${date[3]}`;
  if (!isBusinessDate(isoDate)) return null;
  return {
    // A branch's 13 digits get their hyphen back so the code compares equal to the stored one.
    sellerTaxCode: seller.length === 13 ? `${seller.slice(0, 10)}-${seller.slice(10)}` : seller,
    form: Number(form),
    symbol,
    number: Number(number),
    date: isoDate,
    total: Number(total),
  };
}

function tlv(tag: string, value: string): string {
  if (value.length > 99) throw new RangeError(`TLV value of tag ${tag} is longer than 99 characters`);
  return tag + String(value.length).padStart(2, '0') + value;
}

// Unknown tags are kept, not refused: readers of EMVCo QRs skip what they do not know.
function parseTlv(s: string): Map<string, string> | null {
  const out = new Map<string, string>();
  let i = 0;
  while (i < s.length) {
    const head = s.slice(i, i + 4);
    if (!/^\d{4}$/.test(head)) return null;
    const len = Number(head.slice(2));
    const value = s.slice(i + 4, i + 4 + len);
    if (value.length !== len) return null;
    const tag = head.slice(0, 2);
    if (out.has(tag)) return null;
    out.set(tag, value);
    i += 4 + len;
  }
  return out;
}
