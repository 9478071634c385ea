/**
 * Reading messages and invoices back from XML text into plain objects: the authority's replies
 * (999, 102, 103, 204, 301) on the gateway side, and 206 invoices on the simulator side.
 *
 * Built on xmlbuilder2's DOM parser (already a dependency). That parser is lenient: it does not
 * reject every malformed document (a mismatched end tag goes unnoticed) and does not expand DTD
 * entities. Where input is untrusted and must be judged (the simulator), validate it against the
 * schemas first (`xmllint --schema`), then read it here. Plain documents, which is what the
 * project writes, take a shortcut that builds the same tree (see {@link readPlainXml}).
 */
import { create } from 'xmlbuilder2';
import { InvoiceXmlError } from './canonical.js';
import type { EnvelopeHeader } from './message.js';
import { XML_DECLARATION } from './xml.js';
import type {
  InvoiceBuyer,
  InvoiceLine,
  InvoiceModel,
  InvoiceSeller,
  InvoiceTotals,
  LineKind,
  RateTotal,
  RelatedInvoice,
  TTin,
} from './model.js';

/** The part of the DOM this module walks (xmlbuilder2's nodes implement it). */
interface DomNode {
  readonly nodeType: number;
  readonly localName?: string | null;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<DomNode>;
  readonly attributes?: ArrayLike<{ readonly localName: string; readonly name: string; readonly value: string }>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Children that repeat in the standard's messages; they always come back as arrays. */
const ALWAYS_ARRAY: ReadonlySet<string> = new Set(['LDo', 'HDon', 'HHDVu', 'LTSuat', 'TTin', 'CTS']);

export type PlainValue = string | PlainObject | PlainValue[];
export interface PlainObject {
  [key: string]: PlainValue;
}

export interface ParsedMessage {
  header: EnvelopeHeader;
  /** `DLieu/@Id`, when present. */
  dataId?: string;
  /** `DLieu` as a plain object (see {@link toPlain}); e.g. `{ TBao: { … } }` or `{ HDon: [ … ] }`. */
  payload: PlainObject;
  /** Whether `CKSNNT` holds something (the message signature). */
  signed: boolean;
}

/** An invoice read back from XML: the model's fields plus what only the XML carries. */
export interface ParsedInvoice extends InvoiceModel {
  title: string; // THDon
  /** Whether `DSCKS/NBan` holds something (the seller's signature). */
  signed: boolean;
}

interface PlainAttribute {
  readonly localName: string;
  readonly name: string;
  readonly value: string;
}

interface PlainText extends DomNode {
  readonly nodeType: typeof TEXT_NODE;
  readonly textContent: string;
}

class PlainElement implements DomNode {
  readonly nodeType = ELEMENT_NODE;
  readonly childNodes: Array<PlainElement | PlainText> = [];
  readonly attributes: PlainAttribute[] = [];
  constructor(readonly localName: string) {}

  get textContent(): string {
    let out = '';
    for (const k of this.childNodes) out += k.textContent;
    return out;
  }
}

const LT = 0x3c, GT = 0x3e, SLASH = 0x2f, SPACE = 0x20, EQ = 0x3d, QUOT = 0x22;
const isNameStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;

/** End of the name `[A-Za-z_][A-Za-z0-9_.-]*` starting at `from` (`from` itself when there is none). */
function nameEnd(xml: string, from: number): number {
  if (!isNameStart(xml.charCodeAt(from))) return from;
  let i = from + 1;
  while (isNameChar(xml.charCodeAt(i))) i++;
  return i;
}

const NAMED_REFERENCES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Text and attribute values decoded exactly as xmlbuilder2 4.0.3 decodes them (BaseReader
 * _decodeText): named references first, then character references, over the result of the first
 * pass. The second pass over decoded text is its quirk, kept so that both readers agree.
 */
function decodeAsXmlbuilder2(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw
    .replace(/&(quot|amp|apos|lt|gt);/g, (_m, name: string) => NAMED_REFERENCES[name] as string)
    .replace(/&#(?:x([a-fA-F0-9]+)|([0-9]+));/g, (_m, hex: string | undefined, dec: string | undefined) =>
      String.fromCodePoint(hex ? parseInt(hex, 16) : parseInt(dec as string, 10)),
    );
}

/** xmlbuilder2 drops text tokens made only of these. */
const isWhitespaceOnly = (raw: string): boolean => /^[ \n\r\t\f]*$/.test(raw);

/** Names xmlbuilder2 treats specially (namespace rules); left to it. */
const reservedName = (name: string): boolean => /^xml/i.test(name);
const RESERVED_NAMESPACES: ReadonlySet<string> = new Set(['http://www.w3.org/2000/xmlns/', 'http://www.w3.org/XML/1998/namespace']);

/** Whether xmlbuilder2 would put this attribute on the element as it is. */
function plainAttribute(name: string, value: string, others: readonly PlainAttribute[]): boolean {
  if (others.some((a) => a.name === name)) return false;
  // A namespace changes no name or text read here; "@…" values are xmlbuilder2 aliases.
  if (name === 'xmlns') return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && !RESERVED_NAMESPACES.has(value);
  return !reservedName(name);
}

/**
 * The tree xmlbuilder2 would build, for a plain document: the optional XML declaration this project
 * writes, then one element; start tags `<Name a="v" b="w">` with unprefixed names, one space
 * before each attribute, double quotes, no `/>`; end tags `</Name>` matching their start tag;
 * no comments, PIs, CDATA or DOCTYPE. Anything else gives undefined, and xmlbuilder2 reads it: a
 * strict subset read the same way, so that every document reads as before, only faster.
 */
function readPlainXml(xml: string): DomNode | undefined {
  let i = xml.startsWith(XML_DECLARATION) ? XML_DECLARATION.length : 0;
  const open: PlainElement[] = [];
  while (i < xml.length) {
    const parent = open[open.length - 1];
    if (xml.charCodeAt(i) !== LT) {
      const lt = xml.indexOf('<', i);
      if (lt < 0 || !parent) return undefined;
      const raw = xml.slice(i, lt);
      if (!isWhitespaceOnly(raw)) parent.childNodes.push({ nodeType: TEXT_NODE, textContent: decodeAsXmlbuilder2(raw), childNodes: [] });
      i = lt;
    } else if (xml.charCodeAt(i + 1) === SLASH) {
      const name = parent?.localName;
      if (name === undefined || !xml.startsWith(name, i + 2) || xml.charCodeAt(i + 2 + name.length) !== GT) return undefined;
      i += name.length + 3;
      open.pop();
      if (open.length === 0) return i === xml.length ? parent : undefined;
    } else {
      const end = nameEnd(xml, i + 1);
      const element = new PlainElement(xml.slice(i + 1, end));
      if (end === i + 1 || reservedName(element.localName)) return undefined;
      i = end;
      while (xml.charCodeAt(i) === SPACE) {
        const attrEnd = nameEnd(xml, i + 1);
        const close = xml.indexOf('"', attrEnd + 2);
        if (attrEnd === i + 1 || xml.charCodeAt(attrEnd) !== EQ || xml.charCodeAt(attrEnd + 1) !== QUOT || close < 0) return undefined;
        const name = xml.slice(i + 1, attrEnd);
        const value = decodeAsXmlbuilder2(xml.slice(attrEnd + 2, close));
        if (!plainAttribute(name, value, element.attributes)) return undefined;
        element.attributes.push({ localName: name, name, value });
        i = close + 1;
      }
      if (xml.charCodeAt(i) !== GT) return undefined;
      parent?.childNodes.push(element);
      open.push(element);
      i++;
    }
  }
  return undefined;
}

/** {@link readPlainXml}, undefined also when its decoding throws (xmlbuilder2 then throws the same). */
function tryPlainXml(xml: string): DomNode | undefined {
  try {
    return readPlainXml(xml);
  } catch {
    return undefined;
  }
}

function parseRoot(xml: string, expected: string): DomNode {
  let root = tryPlainXml(xml);
  if (!root) {
    try {
      root = create(xml).root().node as unknown as DomNode;
    } catch (e) {
      throw new InvoiceXmlError(expected, `not well-formed XML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (root.localName !== expected) {
    throw new InvoiceXmlError(expected, `expected a ${expected} document, got ${String(root.localName)}`);
  }
  return root;
}

function elements(node: DomNode): DomNode[] {
  const out: DomNode[] = [];
  const kids = node.childNodes;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i] as DomNode;
    if (k.nodeType === ELEMENT_NODE) out.push(k);
  }
  return out;
}

function child(node: DomNode, name: string): DomNode | undefined {
  const kids = node.childNodes;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i] as DomNode;
    if (k.nodeType === ELEMENT_NODE && k.localName === name) return k;
  }
  return undefined;
}

function children(node: DomNode, name: string): DomNode[] {
  return elements(node).filter((k) => k.localName === name);
}

function need(node: DomNode, name: string, path: string): DomNode {
  const c = child(node, name);
  if (!c) throw new InvoiceXmlError(`${path}/${name}`, 'missing');
  return c;
}

function attr(node: DomNode, name: string): string | undefined {
  const attrs = node.attributes;
  if (!attrs) return undefined;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i];
    if (a && a.name === name) return a.value;
  }
  return undefined;
}

const text = (node: DomNode): string => node.textContent ?? '';

function textOf(node: DomNode, name: string, path: string): string {
  return text(need(node, name, path));
}

function optText(node: DomNode, name: string): string | undefined {
  const c = child(node, name);
  if (!c) return undefined;
  const t = text(c);
  return t === '' ? undefined : t;
}

const INTEGER = /^-?[0-9]+$/;

function toInt(value: string, path: string): number {
  const n = Number(value);
  if (!INTEGER.test(value) || !Number.isSafeInteger(n)) throw new InvoiceXmlError(path, `not an integer: ${JSON.stringify(value)}`);
  return n;
}

function intOf(node: DomNode, name: string, path: string): number {
  return toInt(textOf(node, name, path), `${path}/${name}`);
}

function optInt(node: DomNode, name: string, path: string): number | undefined {
  const t = optText(node, name);
  return t === undefined ? undefined : toInt(t, `${path}/${name}`);
}

/**
 * Generic element → plain object: attributes as `@name`, child elements by local name (arrays when
 * repeated, and always for {@link ALWAYS_ARRAY} names), a leaf as its text (`#` beside attributes).
 */
function toPlain(node: DomNode): PlainValue {
  const kids = elements(node);
  const attrs = node.attributes;
  const hasAttrs = !!attrs && attrs.length > 0;
  if (kids.length === 0 && !hasAttrs) return text(node);
  const out: PlainObject = {};
  if (attrs) {
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i];
      if (a) out['@' + a.name] = a.value;
    }
  }
  if (kids.length === 0) {
    out['#'] = text(node);
    return out;
  }
  for (const k of kids) {
    const key = k.localName ?? '';
    const value = toPlain(k);
    const prev = out[key];
    if (prev === undefined) out[key] = ALWAYS_ARRAY.has(key) ? [value] : value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** Reads a `TDiep` (any message type) into its header and its payload as a plain object. */
export function parseMessage(xml: string): ParsedMessage {
  const root = parseRoot(xml, 'TDiep');
  const tt = need(root, 'TTChung', 'TDiep');
  const p = 'TDiep/TTChung';
  const header: EnvelopeHeader = {
    version: textOf(tt, 'PBan', p),
    sender: textOf(tt, 'MNGui', p),
    receiver: textOf(tt, 'MNNhan', p),
    type: intOf(tt, 'MLTDiep', p),
    messageId: textOf(tt, 'MTDiep', p),
  };
  const replyTo = optText(tt, 'MTDTChieu');
  if (replyTo !== undefined) header.replyTo = replyTo;
  const taxCode = optText(tt, 'MST');
  if (taxCode !== undefined) header.taxCode = taxCode;
  const count = optInt(tt, 'SLuong', p);
  if (count !== undefined) header.count = count;

  const data = need(root, 'DLieu', 'TDiep');
  const plain = toPlain(data);
  const payload: PlainObject = typeof plain === 'string' || Array.isArray(plain) ? {} : plain;
  const dataId = attr(data, 'Id');
  delete payload['@Id'];
  const sig = child(root, 'CKSNNT');
  const result: ParsedMessage = { header, payload, signed: !!sig && elements(sig).length > 0 };
  if (dataId !== undefined) result.dataId = dataId;
  return result;
}

/**
 * The exact text of each `HDon` in a 206 message, for checking each invoice's own signature over
 * its original bytes. A plain scan: `HDon` elements do not nest and escaped text cannot contain
 * `<HDon`; a comment or CDATA section containing `<HDon>` would confuse it (ours have none).
 */
export function extractInvoiceXml(messageXml: string): string[] {
  const out: string[] = [];
  const open = /<HDon[\s>]/g;
  let m: RegExpExecArray | null;
  while ((m = open.exec(messageXml)) !== null) {
    const end = messageXml.indexOf('</HDon>', m.index);
    if (end < 0) throw new InvoiceXmlError('TDiep/DLieu/HDon', 'unterminated HDon');
    out.push(messageXml.slice(m.index, end + 7));
    open.lastIndex = end + 7;
  }
  return out;
}

function ttinList(node: DomNode | undefined, path: string): TTin[] | undefined {
  const block = node && child(node, 'TTKhac');
  if (!block) return undefined;
  return children(block, 'TTin').map((e, i) => {
    const p = `${path}/TTKhac/TTin[${i + 1}]`;
    return { name: textOf(e, 'TTruong', p), type: textOf(e, 'KDLieu', p) as TTin['type'], value: optText(e, 'DLieu') ?? '' };
  });
}

/** Copies the defined values of `from` onto `into` (so results carry no `undefined` keys). */
function assignDefined<T extends object>(into: T, from: Partial<T>): T {
  for (const [k, v] of Object.entries(from)) if (v !== undefined) (into as Record<string, unknown>)[k] = v;
  return into;
}

/** Reads one `HDon` (signed or not, with or without XML declaration) back into model fields. */
export function parseInvoice(hdonXml: string): ParsedInvoice {
  const root = parseRoot(hdonXml, 'HDon');
  const dl = need(root, 'DLHDon', 'HDon');
  const tt = need(dl, 'TTChung', 'HDon/DLHDon');
  const nd = need(dl, 'NDHDon', 'HDon/DLHDon');
  const P = 'HDon/DLHDon/TTChung';

  const relNode = child(tt, 'TTHDLQuan');
  let related: RelatedInvoice | undefined;
  if (relNode) {
    const rp = `${P}/TTHDLQuan`;
    related = assignDefined<RelatedInvoice>(
      {
        kind: intOf(relNode, 'TCHDon', rp) as 1 | 2,
        form: intOf(relNode, 'KHMSHDCLQuan', rp),
        symbol: textOf(relNode, 'KHHDCLQuan', rp),
        number: intOf(relNode, 'SHDCLQuan', rp),
        date: textOf(relNode, 'NLHDCLQuan', rp),
      },
      { note: optText(relNode, 'GChu') },
    );
  }

  const sb = need(nd, 'NBan', 'HDon/DLHDon/NDHDon');
  const seller: InvoiceSeller = assignDefined<InvoiceSeller>(
    { name: textOf(sb, 'Ten', 'NDHDon/NBan'), taxCode: textOf(sb, 'MST', 'NDHDon/NBan'), address: textOf(sb, 'DChi', 'NDHDon/NBan') },
    { phone: optText(sb, 'SDThoai'), extra: ttinList(sb, 'NDHDon/NBan') },
  );

  const bb = need(nd, 'NMua', 'HDon/DLHDon/NDHDon');
  const buyer: InvoiceBuyer = assignDefined<InvoiceBuyer>({}, {
    name: optText(bb, 'Ten'),
    taxCode: optText(bb, 'MST'),
    address: optText(bb, 'DChi'),
    phone: optText(bb, 'SDThoai'),
    personalId: optText(bb, 'CCCDan'),
    fullName: optText(bb, 'HVTNMHang'),
    extra: ttinList(bb, 'NDHDon/NMua'),
  });

  const lines: InvoiceLine[] = children(need(nd, 'DSHHDVu', 'NDHDon'), 'HHDVu').map((h, i) => {
    const lp = `NDHDon/DSHHDVu/HHDVu[${i + 1}]`;
    const stt = optInt(h, 'STT', lp);
    return assignDefined<InvoiceLine>(
      { index: stt ?? i + 1, kind: intOf(h, 'TChat', lp) as LineKind, name: textOf(h, 'THHDVu', lp) },
      {
        code: optText(h, 'MHHDVu'),
        unit: optText(h, 'DVTinh'),
        quantity: optText(h, 'SLuong'),
        unitPrice: optText(h, 'DGia'),
        discountRate: optText(h, 'TLCKhau'),
        discountAmount: optInt(h, 'STCKhau', lp),
        amount: optInt(h, 'ThTien', lp),
        vatRate: optText(h, 'TSuat'),
        extra: ttinList(h, lp),
      },
    );
  });

  const tp = 'NDHDon/TToan';
  const to = need(nd, 'TToan', 'NDHDon');
  const rates = child(to, 'THTTLTSuat');
  const byRate: RateTotal[] = rates
    ? children(rates, 'LTSuat').map((r, i) => {
        const rp = `${tp}/THTTLTSuat/LTSuat[${i + 1}]`;
        return { rate: textOf(r, 'TSuat', rp), beforeVat: intOf(r, 'ThTien', rp), vat: intOf(r, 'TThue', rp) };
      })
    : [];
  const totals: InvoiceTotals = assignDefined<InvoiceTotals>(
    {
      byRate,
      beforeVat: intOf(to, 'TgTCThue', tp),
      vat: intOf(to, 'TgTThue', tp),
      total: intOf(to, 'TgTTTBSo', tp),
      totalInWords: textOf(to, 'TgTTTBChu', tp),
    },
    { tradeDiscount: optInt(to, 'TTCKTMai', tp), extra: ttinList(to, tp) },
  );

  const dscks = child(root, 'DSCKS');
  const sellerSig = dscks && child(dscks, 'NBan');
  const id = attr(dl, 'Id');
  if (id === undefined) throw new InvoiceXmlError('HDon/DLHDon/@Id', 'missing');

  return assignDefined<ParsedInvoice>(
    {
      id,
      version: textOf(tt, 'PBan', P),
      title: textOf(tt, 'THDon', P),
      form: intOf(tt, 'KHMSHDon', P),
      symbol: textOf(tt, 'KHHDon', P),
      number: intOf(tt, 'SHDon', P),
      issueDate: textOf(tt, 'NLap', P),
      general: ttinList(tt, P) ?? [],
      seller,
      lines,
      totals,
      mttCode: textOf(root, 'MCCQT', 'HDon'),
      signed: !!sellerSig && elements(sellerSig).length > 0,
    },
    { related, buyer: Object.keys(buyer).length > 0 ? buyer : undefined, qr: optText(root, 'DLQRCode') },
  );
}
