// 206, cash-register invoices (authority-messages.md §4, §8.3). Envelope problems (unreadable,
// wrong SLuong, bad message signature, several sellers/forms/symbols) mean "not taken in" (999
// TTTNhan=1); once taken in, every invoice is judged on its own and the 204 says which failed.
import type { Tx } from '../db/client.js';
import { extractInvoiceXml, parseInvoice, type ParsedInvoice } from '../invoice/parse.js';
import { MAX_INVOICES_PER_MESSAGE } from '../invoice/message.js';
import { buildCheckResult204, type RejectedInvoice } from '../invoice/replies-build.js';
import { AUTHORITY, newElementId, replyEnvelope, signReply, toReplyReasons } from './answers.js';
import { ENVELOPE, INVOICE, PACKAGE, type SimReason } from './codes.js';
import type { IncomingMessage, Intake, PlannedReply, SimContext } from './context.js';
import { checkSellerSignature, invoiceProblems } from './invoice-checks.js';
import { acceptedKeys, alreadyAccepted, bumpCounters, getSeller, insertAcceptedInvoices, type CounterName, type Seller } from './store.js';

/** One invoice of the message: what could be read of it and what is wrong with it. */
interface Item {
  xml: string;
  parsed?: ParsedInvoice;
  form: number;
  symbol: string;
  number: number;
  sellerTaxCode?: string;
  problems: SimReason[];
  duplicate: boolean;
}

/**
 * `items.map(f)`, letting other work run every few items: in embedded mode the simulator shares
 * its event loop with the gateway, and 500 invoices take about a second to read and verify.
 */
async function mapYielding<T, U>(items: readonly T[], f: (item: T, index: number) => U, chunk = 25): Promise<U[]> {
  const out: U[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % chunk === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    out.push(f(items[i] as T, i));
  }
  return out;
}

const grab = (xml: string, tag: string): string | undefined => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

function readItem(xml: string): Item {
  try {
    const parsed = parseInvoice(xml);
    return { xml, parsed, form: parsed.form, symbol: parsed.symbol, number: parsed.number, sellerTaxCode: parsed.seller.taxCode, problems: [], duplicate: false };
  } catch (err) {
    // Unreadable: keep what a plain scan finds, so the 204 can still name it.
    const item: Item = {
      xml,
      form: Number(grab(xml, 'KHMSHDon') ?? 0),
      symbol: grab(xml, 'KHHDon') ?? '',
      number: Number(grab(xml, 'SHDon') ?? 0),
      problems: [INVOICE.unreadable((err as Error).message)],
      duplicate: false,
    };
    const nban = /<NBan>(?:<Ten>[^<]*<\/Ten>)?<MST>([^<]*)<\/MST>/.exec(xml)?.[1];
    if (nban !== undefined) item.sellerTaxCode = nban;
    return item;
  }
}

/** The envelope checks; a reason means the message is not taken in. */
function envelopeProblem(ctx: SimContext, m: IncomingMessage, xmls: string[], items: Item[]): SimReason | null {
  const { header, parsed } = m;
  const n = xmls.length;
  if (parsed.dataId === undefined) return ENVELOPE.structure('DLieu has no Id');
  if (!header.taxCode) return ENVELOPE.structure('TTChung has no MST');
  const hdon = parsed.payload.HDon;
  if (n === 0 || n > MAX_INVOICES_PER_MESSAGE) return ENVELOPE.structure(`a 206 carries 1..${MAX_INVOICES_PER_MESSAGE} invoices, found ${n}`);
  if (!Array.isArray(hdon) || hdon.length !== n) return ENVELOPE.structure('the HDon elements cannot be told apart');
  if (header.count !== n) return ENVELOPE.count(header.count, n);
  if (!parsed.signed) return ENVELOPE.signature('CKSNNT is empty');
  const sig = checkSellerSignature(m.text, {
    referenceId: parsed.dataId,
    containerTag: 'CKSNNT',
    taxCode: header.taxCode,
    now: ctx.clock(),
    ...(ctx.trustedCertsDer ? { trustedCertsDer: ctx.trustedCertsDer } : {}),
  });
  if (!sig.ok) return ENVELOPE.signature(sig.reason);
  if (items.some((i) => i.sellerTaxCode !== undefined && i.sellerTaxCode !== header.taxCode)) return ENVELOPE.mixed('người bán (MST)');
  // An unreadable invoice whose form or symbol could not be found is judged on its own later.
  const named = items.filter((i) => i.form > 0 && i.symbol !== '');
  const first = named[0];
  if (first && named.some((i) => i.form !== first.form || i.symbol !== first.symbol)) return ENVELOPE.mixed('mẫu số/ký hiệu hóa đơn');
  const ids = new Set(items.map((i) => i.parsed?.id).filter((id) => id !== undefined));
  if (ids.size !== items.filter((i) => i.parsed).length) return ENVELOPE.structure('two invoices share a DLHDon Id');
  return null;
}

/** XSD: the whole message first; invoice by invoice only when that fails. */
async function schemaProblems(ctx: SimContext, m: IncomingMessage, xmls: string[]): Promise<{ envelope?: SimReason; perInvoice: Array<string | null> }> {
  const none = xmls.map(() => null);
  if (!ctx.validator) return { perInvoice: none };
  const whole = await ctx.validator.message206(m.text);
  if (whole.ok) return { perInvoice: none };
  if (!whole.wellFormed) return { envelope: ENVELOPE.unreadable(whole.detail), perInvoice: none };
  const each = await ctx.validator.invoices(xmls);
  if (each.every((r) => r.ok)) return { envelope: ENVELOPE.schema(whole.detail), perInvoice: none };
  return { perInvoice: each.map((r) => (r.ok ? null : r.detail)) };
}

export async function intake206(ctx: SimContext, m: IncomingMessage): Promise<Intake> {
  let xmls: string[];
  try {
    xmls = extractInvoiceXml(m.text);
  } catch (err) {
    return { refused: [ENVELOPE.unreadable((err as Error).message)] };
  }
  // xmllint runs in its own process while this one reads the invoices.
  const pending = schemaProblems(ctx, m, xmls);
  pending.catch(() => {});
  const items = await mapYielding(xmls, readItem);
  const schema = await pending;
  if (schema.envelope) return { refused: [schema.envelope] };
  const refusal = envelopeProblem(ctx, m, xmls, items);
  if (refusal) return { refused: [refusal] };

  const taxCode = m.header.taxCode as string;
  const seller = await getSeller(ctx.db, taxCode);
  if (seller) await judgeInvoices(ctx, seller, items, schema.perInvoice);
  return { taxCode, commit: (tx, at) => commit206(ctx, m, seller, items, tx, at) };
}

async function judgeInvoices(ctx: SimContext, seller: Seller, items: Item[], schema: Array<string | null>): Promise<void> {
  const now = ctx.clock();
  const trusted = ctx.trustedCertsDer ? { trustedCertsDer: ctx.trustedCertsDer } : {};
  await mapYielding(items, (item, i) => {
    const xsd = schema[i];
    if (xsd) item.problems.push(INVOICE.schema(xsd));
    if (item.parsed) item.problems.push(...invoiceProblems(item.xml, item.parsed, { taxCode: seller.taxCode, sellerCode: seller.mttCode, now, ...trusted }));
  });
  const first = items.find((i) => i.parsed) ?? (items[0] as Item);
  const seen = await alreadyAccepted(ctx.db, {
    taxCode: seller.taxCode,
    form: first.form,
    symbol: first.symbol,
    mttCodes: items.flatMap((i) => (i.parsed ? [i.parsed.mttCode] : [])),
    numbers: items.flatMap((i) => (i.parsed ? [i.parsed.number] : [])),
  });
  const inMessage = new Set<string>();
  for (const item of items) {
    if (!item.parsed) continue;
    const { mttCode, number } = item.parsed;
    if (seen.codes.has(mttCode) || seen.numbers.has(number) || inMessage.has(mttCode) || inMessage.has(`#${number}`)) markDuplicate(item);
    inMessage.add(mttCode).add(`#${number}`);
  }
  await judgeCorrections(ctx, seller, items);
}

/** A replacement or adjustment must come after its original: accepted before, or earlier in this message. */
async function judgeCorrections(ctx: SimContext, seller: Seller, items: Item[]): Promise<void> {
  const corrections = items.filter((i) => i.parsed?.related);
  if (corrections.length === 0) return;
  const refs = corrections.map((i) => i.parsed!.related!);
  const accepted = await acceptedKeys(ctx.db, seller.taxCode, refs);
  const before = new Set<string>();
  for (const item of items) {
    const rel = item.parsed?.related;
    if (rel) {
      const key = `${rel.form};${rel.symbol};${rel.number}`;
      if (!accepted.has(key) && !before.has(key)) item.problems.push(INVOICE.relatedUnknown(key));
    }
    if (item.parsed && item.problems.length === 0) before.add(`${item.form};${item.symbol};${item.number}`);
  }
}

function markDuplicate(item: Item): void {
  item.duplicate = true;
  item.problems.push(INVOICE.duplicate(item.parsed?.mttCode ?? ''));
}

function rejectionOf(item: Item): RejectedInvoice {
  const first = item.problems[0] as SimReason;
  const r: RejectedInvoice = {
    form: item.form,
    symbol: item.symbol,
    number: item.number,
    code: first.code,
    description: item.problems.map((p) => p.message).join(' | '),
  };
  if (first.fix !== undefined) r.fix = first.fix;
  return r;
}

/** Adds the message's duplicates and rejections to the counters and draws the 204's notice number: one statement. */
async function countRejections(tx: Tx, duplicates: number, rejected: number): Promise<string> {
  const adds: Array<[CounterName, number]> = [];
  if (duplicates) adds.push(['duplicates', duplicates]);
  if (rejected) adds.push(['invoices_rejected', rejected]);
  adds.push(['notice_number', 1]);
  return String((await bumpCounters(tx, adds)).notice_number ?? 1);
}

async function commit206(ctx: SimContext, m: IncomingMessage, seller: Seller | undefined, items: Item[], tx: Tx, at: Date): Promise<PlannedReply[]> {
  if (seller) {
    // In MCCQT order, so that two transactions inserting the same invoices lock them in one order.
    const code = (i: Item): string => (i.parsed as ParsedInvoice).mttCode;
    const candidates = items.filter((i) => i.problems.length === 0).sort((a, b) => (code(a) < code(b) ? -1 : 1));
    const inserted = await insertAcceptedInvoices(
      tx,
      candidates.map((i) => {
        const p = i.parsed as ParsedInvoice;
        return { taxCode: seller.taxCode, mttCode: p.mttCode, form: p.form, symbol: p.symbol, number: p.number, messageId: m.header.messageId, acceptedAt: at };
      }),
    );
    // Accepted meanwhile by a concurrent message: a duplicate after all.
    for (const i of candidates) if (!inserted.has(code(i))) markDuplicate(i);
  }
  const rejected = seller ? items.filter((i) => i.problems.length > 0) : items;
  const noticeNumber = await countRejections(tx, items.filter((i) => i.duplicate).length, rejected.length);

  const taxCode = m.header.taxCode as string;
  const result: 2 | 7 | 9 = !seller || rejected.length === items.length ? 9 : rejected.length ? 7 : 2;
  const reasons: SimReason[] = !seller ? [PACKAGE.sellerNotRegistered(taxCode)] : result === 9 ? [PACKAGE.allInvalid(items.length)] : [];
  const reply = buildCheckResult204(replyEnvelope(m, taxCode), {
    dataId: newElementId(),
    noticeNumber,
    place: AUTHORITY.place,
    date: at,
    taxCode,
    sellerName: items.find((i) => i.parsed)?.parsed?.seller.name ?? seller?.name ?? '',
    sentAt: m.receivedAt,
    result,
    legalBasis: AUTHORITY.legalBasis,
    requestId: m.header.messageId,
    count: items.length,
    rejected: seller ? rejected.map(rejectionOf) : [],
    reasons: toReplyReasons(reasons),
  });
  ctx.log.debug({ messageId: m.header.messageId, result, invoices: items.length, rejected: rejected.length }, '206 judged');
  return [{ type: 204, xml: signReply(ctx, reply, at), delaySteps: 1 }];
}
