// 303, notice of erroneous cash-register invoices (authority-messages.md §7, §8.4): each invoice it
// names must be one the authority accepted from that seller; the 301 says so per invoice.
import type { Tx } from '../db/client.js';
import { buildNoticeResult301, type NoticeItem301 } from '../invoice/replies-build.js';
import { AUTHORITY, newElementId, nextNoticeNumber, replyEnvelope, signReply, toReplyReasons } from './answers.js';
import { ENVELOPE, NOTICE, type SimReason } from './codes.js';
import type { IncomingMessage, Intake, PlannedReply, SimContext } from './context.js';
import { checkSellerSignature } from './invoice-checks.js';
import { list, obj, str } from './plain.js';
import { findAcceptedInvoices } from './store.js';

const ACTIONS = new Set(['2', '3', '4']);

interface NoticeLine {
  index: number;
  mttCode: string;
  form: string;
  symbol: string;
  number: string;
  date: string;
  kind: string;
  action: string;
}

/** XSD: a 303 that does not follow tdiep-303.xsd is not taken in (as a 206 envelope). */
async function schemaProblem(ctx: SimContext, m: IncomingMessage): Promise<SimReason | null> {
  if (!ctx.validator) return null;
  const r = await ctx.validator.message303(m.text);
  if (r.ok) return null;
  return r.wellFormed ? ENVELOPE.schema(r.detail) : ENVELOPE.unreadable(r.detail);
}

export async function intake303(ctx: SimContext, m: IncomingMessage): Promise<Intake> {
  const schema = await schemaProblem(ctx, m);
  if (schema) return { refused: [schema] };
  const dl = obj(obj(m.parsed.payload.TBao).DLTBao);
  const id = str(dl['@Id']);
  if (!id) return { refused: [ENVELOPE.structure('TBao/DLTBao has no Id')] };
  const taxCode = str(dl.MST);
  const lines: NoticeLine[] = list(obj(dl.DSHDon).HDon).map((h, i) => {
    const o = obj(h);
    return {
      index: Number(str(o.STT)) || i + 1,
      // Some providers write the code as MCCQT (authority-messages.md §7): take either.
      mttCode: str(o.MCQTCap) || str(o.MCCQT),
      form: str(o.KHMSHDon),
      symbol: str(o.KHHDon),
      number: str(o.SHDon),
      date: str(o.Ngay) || str(o.NLap),
      kind: str(o.LADHDDT) || '1',
      action: str(o.TCTBao),
    };
  });
  const whole: SimReason[] = [];
  if (lines.length === 0) whole.push(NOTICE.structure('DSHDon lists no invoice'));
  const sig = checkSellerSignature(m.text, {
    referenceId: id,
    containerTag: 'NNT',
    taxCode,
    now: ctx.clock(),
    ...(ctx.trustedCertsDer ? { trustedCertsDer: ctx.trustedCertsDer } : {}),
  });
  if (!sig.ok) whole.push(NOTICE.signature(sig.reason));
  return { taxCode, commit: (tx, at) => commit303(ctx, m, { taxCode, sellerName: str(dl.TNNT), lines, whole }, tx, at) };
}

async function commit303(
  ctx: SimContext,
  m: IncomingMessage,
  n: { taxCode: string; sellerName: string; lines: NoticeLine[]; whole: SimReason[] },
  tx: Tx,
  at: Date,
): Promise<PlannedReply[]> {
  const known = new Map((await findAcceptedInvoices(tx, n.taxCode, n.lines.map((l) => l.mttCode))).map((r) => [r.mttCode, r]));
  const items: NoticeItem301[] = n.lines.map((l) => {
    const reasons: SimReason[] = [];
    const accepted = known.get(l.mttCode);
    if (!accepted) reasons.push(NOTICE.unknownInvoice(l.mttCode));
    else if (String(accepted.form) !== l.form || accepted.symbol !== l.symbol || String(accepted.number) !== String(Number(l.number))) reasons.push(NOTICE.mismatch());
    if (!ACTIONS.has(l.action)) reasons.push(NOTICE.action(l.action));
    const received = n.whole.length === 0 && reasons.length === 0;
    return { ...l, received, reasons: toReplyReasons(reasons) };
  });
  const reply = buildNoticeResult301(replyEnvelope(m, n.taxCode), {
    dataId: newElementId(),
    place: AUTHORITY.place,
    superiorOffice: AUTHORITY.superiorOffice,
    office: AUTHORITY.office,
    sellerName: n.sellerName,
    taxCode: n.taxCode,
    requestId: m.header.messageId,
    receivedAt: m.receivedAt,
    sequence: 1,
    signerMethod: AUTHORITY.signerMethod,
    signerTitle: AUTHORITY.signerTitle,
    reasons: toReplyReasons(n.whole),
    items,
    noticeNumber: await nextNoticeNumber(tx),
    noticeDate: at,
  });
  return [{ type: 301, xml: signReply(ctx, reply, at), delaySteps: 1 }];
}
