// POST /messages behind the faults: read the envelope, answer a resend from what is stored, run
// the checks of the message type, then store the message, its 999 and its business answers in one
// transaction (authority-messages.md §5, §8.1).
import { createHash } from 'node:crypto';
import { parseMessageId } from '../domain/codes.js';
import { parseMessage, type ParsedMessage } from '../invoice/parse.js';
import { buildAck999 } from '../invoice/replies-build.js';
import { replyEnvelope, toReplyReasons } from './answers.js';
import { ENVELOPE, type SimReason } from './codes.js';
import { intake100 } from './checks-100.js';
import { intake206 } from './checks-206.js';
import { intake303 } from './checks-303.js';
import type { IncomingMessage, Intake, SimContext } from './context.js';
import { ackOf, bumpCounter, findMessage, insertMessage, insertReplies, type NewReply } from './store.js';

export type ReceiveOutcome =
  /** Stored and acknowledged with TTTNhan=0. */
  | 'taken'
  /** Stored and acknowledged with TTTNhan=1 (a resend gets the same 999). */
  | 'refused'
  /** The same bytes under a known id: the 999 issued the first time. */
  | 'resend'
  /** Other bytes under a known id: 999 TTTNhan=1, nothing stored. */
  | 'conflict'
  /** No usable MTDiep: 999 TTTNhan=1, nothing stored. */
  | 'unreadable';

export interface ReceiveResult {
  outcome: ReceiveOutcome;
  /** The 999 to answer with. */
  xml: string;
  messageId?: string;
}

const INTAKES: Record<number, (ctx: SimContext, m: IncomingMessage) => Promise<Intake>> = { 100: intake100, 206: intake206, 303: intake303 };

const grab = (text: string, tag: string): string | undefined => new RegExp(`<${tag}>([^<]{1,64})</${tag}>`).exec(text)?.[1];

/**
 * A 206 with every `HDon` emptied, for reading its envelope: a DOM of 500 invoices costs more than
 * all their checks, and each invoice is read on its own later anyway. The scan is the one of
 * extractInvoiceXml; the signature is checked on the original text.
 */
export function envelopeSkeleton(text: string): string {
  const open = /<HDon[\s>]/g;
  let out = '';
  let last = 0;
  for (let m = open.exec(text); m !== null; m = open.exec(text)) {
    const end = text.indexOf('</HDon>', m.index);
    if (end < 0) break;
    out += text.slice(last, m.index) + '<HDon></HDon>';
    last = end + '</HDon>'.length;
    open.lastIndex = last;
  }
  return out + text.slice(last);
}

function unstoredAck(header: { version?: string; sender?: string; messageId?: string }, reasons: SimReason[], at: Date): string {
  return buildAck999(replyEnvelope({ header }), { requestSender: header.sender ?? '', receivedAt: at, received: false, reasons: toReplyReasons(reasons) });
}

export async function receiveMessage(ctx: SimContext, body: Buffer, hint: { messageId?: string } = {}): Promise<ReceiveResult> {
  const at = ctx.clock();
  const text = body.toString('utf8');
  const sha256 = createHash('sha256').update(body).digest('hex');
  let parsed: ParsedMessage | undefined;
  let unreadable: SimReason | undefined;
  try {
    parsed = parseMessage(grab(text, 'MLTDiep') === '206' ? envelopeSkeleton(text) : text);
  } catch (err) {
    unreadable = ENVELOPE.unreadable((err as Error).message);
  }
  const header = parsed?.header ?? {
    version: grab(text, 'PBan') ?? '',
    sender: grab(text, 'MNGui') ?? '',
    receiver: grab(text, 'MNNhan') ?? '',
    type: Number(grab(text, 'MLTDiep') ?? -1) || -1,
    messageId: grab(text, 'MTDiep') ?? '',
  };
  if (!parseMessageId(header.messageId)) {
    const reasons = unreadable ? [unreadable] : [ENVELOPE.badMessageId()];
    // The header names the message for the sender's sake only: nothing is stored under it.
    const replyTo = header.messageId || hint.messageId || '';
    return { outcome: 'unreadable', xml: unstoredAck({ ...header, messageId: replyTo }, reasons, at) };
  }
  const id = header.messageId;
  const known = await answerKnown(ctx, id, sha256, header, at);
  if (known) return known;

  let intake: Intake;
  if (!parsed) intake = { refused: [unreadable as SimReason] };
  else {
    const m: IncomingMessage = { text, sha256, header, parsed, receivedAt: at };
    intake = await checkMessage(ctx, m);
  }

  const stored = await store(ctx, { id, sha256, text, header, intake, at });
  return stored ?? ((await answerKnown(ctx, id, sha256, header, at)) as ReceiveResult);
}

async function checkMessage(ctx: SimContext, m: IncomingMessage): Promise<Intake> {
  const check = INTAKES[m.header.type];
  if (!check) return { refused: [ENVELOPE.unknownType(String(m.header.type))] };
  if (ctx.validator && m.header.type !== 206) {
    // 206 gets its well-formedness from the schema check; the others have no schema here.
    const wf = await ctx.validator.wellFormed(m.text);
    if (!wf.wellFormed) return { refused: [ENVELOPE.unreadable(wf.detail)] };
  }
  return check(ctx, m);
}

/** A known id: the same bytes get the 999 issued then, other bytes a refusal. */
async function answerKnown(ctx: SimContext, id: string, sha256: string, header: IncomingMessage['header'], at: Date): Promise<ReceiveResult | undefined> {
  const known = await findMessage(ctx.db, id);
  if (!known) return undefined;
  if (known.sha256 !== sha256) {
    ctx.log.info({ messageId: id }, 'known MTDiep with other content');
    return { outcome: 'conflict', messageId: id, xml: unstoredAck(header, [ENVELOPE.duplicateId()], at) };
  }
  await bumpCounter(ctx.db, 'resends');
  const xml = await ackOf(ctx.db, id);
  if (xml === undefined) throw new Error(`message ${id} is stored without its 999`);
  return { outcome: 'resend', messageId: id, xml };
}

/** Stores message, 999 and answers; undefined when a concurrent send of the same id won. */
async function store(
  ctx: SimContext,
  p: { id: string; sha256: string; text: string; header: IncomingMessage['header']; intake: Intake; at: Date },
): Promise<ReceiveResult | undefined> {
  const { intake, header, at } = p;
  const refused = intake.refused !== undefined;
  const taxCode = (intake.refused === undefined ? intake.taxCode : undefined) ?? header.taxCode ?? null;
  return ctx.db.transaction(async (tx) => {
    const row = { id: p.id, type: header.type, sha256: p.sha256, sender: header.sender, taxCode, takenIn: !refused, body: p.text, receivedAt: at };
    if (!(await insertMessage(tx, row))) return undefined;
    const ack = buildAck999(replyEnvelope({ header }), {
      requestSender: header.sender,
      receivedAt: at,
      received: !refused,
      reasons: toReplyReasons(intake.refused ?? []),
    });
    const replies: NewReply[] = [{ messageId: p.id, type: 999, xml: ack, readyAt: at }];
    if (intake.refused === undefined) {
      const delay = ctx.replyDelayMs();
      for (const r of await intake.commit(tx, at)) {
        replies.push({ messageId: p.id, type: r.type, xml: r.xml, readyAt: new Date(at.getTime() + r.delaySteps * delay) });
      }
    }
    await insertReplies(tx, replies);
    ctx.log.info({ messageId: p.id, type: header.type, taken: !refused, reasons: intake.refused }, 'message received');
    return { outcome: refused ? 'refused' : 'taken', messageId: p.id, xml: ack } satisfies ReceiveResult;
  });
}
