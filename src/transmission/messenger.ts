// Moves one stored message forward: send it (or look it up first after an ambiguous failure),
// read the 999, then poll for the business answer and hand it to the handler of its type.
// Every retry resends the stored bytes under the same MTDiep; the database row is the truth.
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { preparedRows, type Tx } from '../db/client.js';
import { messages, transmissionEvents, unacceptedInvoices } from '../db/schema/index.js';
import type { TransmissionContext } from './context.js';
import { backoffMs } from './batch-key.js';
import { readReply, type Reply } from './replies.js';

type MessageRow = typeof messages.$inferSelect;

/** Applies the business answers of a message; true when the message is finished. */
export type ReplyHandler = (tx: Tx, message: MessageRow, replies: Reply[], now: Date) => Promise<boolean>;

export interface AdvanceOutcome {
  /** Run again (as `step`) after this delay; absent when the message is finished or not ours. */
  next?: { step: number; delayMs: number };
  /** The message was refused (999 TTTNhan=1): its invoices are pending again under this batch key. */
  refusedBatchKey?: string;
  /** The message got its business answer in this run. */
  answered?: { id: string; type: number; businessId: string };
}

const LIVE = ['ready', 'received'] as const;

export async function advanceMessage(ctx: TransmissionContext, messageId: string, step?: number): Promise<AdvanceOutcome> {
  const now = ctx.clock();
  const leaseMs = ctx.leaseMs ?? 60_000;
  const [msg] = await ctx.db
    .update(messages)
    .set({ leaseOwner: ctx.workerId, leaseUntil: new Date(now.getTime() + leaseMs) })
    .where(
      and(
        eq(messages.id, messageId),
        inArray(messages.status, [...LIVE]),
        step === undefined ? undefined : eq(messages.step, step),
        or(isNull(messages.leaseUntil), lt(messages.leaseUntil, now), eq(messages.leaseOwner, ctx.workerId)),
      ),
    )
    .returning();
  if (!msg) return {};
  try {
    return msg.status === 'ready' ? await sendOrRecover(ctx, msg) : await poll(ctx, msg);
  } catch (err) {
    // An unexpected failure (database blip, bad reply): keep the message alive and retry.
    ctx.log.warn({ err, messageId }, 'advancing a message failed; will retry');
    return reschedule(ctx, msg, { error: (err as Error).message, countAttempt: false });
  }
}

async function sendOrRecover(ctx: TransmissionContext, msg: MessageRow): Promise<AdvanceOutcome> {
  if (msg.ambiguous) {
    // The last send may have been taken in: ask before sending again.
    const found = await ctx.authority.lookup(msg.id);
    if (found.kind === 'found' && found.replies.length > 0) return applyReplies(ctx, msg, found.replies);
    if (found.kind === 'failed') return reschedule(ctx, msg, { error: `lookup: ${found.error}`, retryAfterMs: found.retryAfterMs, countAttempt: false });
  }
  const res = await ctx.authority.send(msg.id, msg.xml);
  const now = ctx.clock();
  await ctx.db.update(messages).set({ attempts: msg.attempts + 1, sentAt: msg.sentAt ?? now }).where(eq(messages.id, msg.id));
  msg = { ...msg, attempts: msg.attempts + 1 };
  if (res.kind === 'failed') {
    return reschedule(ctx, msg, {
      error: res.error,
      retryAfterMs: res.retryAfterMs,
      ambiguous: msg.ambiguous || res.ambiguous,
      countAttempt: true,
    });
  }
  return applyReplies(ctx, msg, [res.xml]);
}

async function poll(ctx: TransmissionContext, msg: MessageRow): Promise<AdvanceOutcome> {
  const found = await ctx.authority.lookup(msg.id);
  if (found.kind === 'failed') return reschedule(ctx, msg, { error: `lookup: ${found.error}`, retryAfterMs: found.retryAfterMs, countAttempt: false });
  if (found.kind === 'unknown') {
    // The authority does not know a message it acknowledged: send the same bytes again.
    await ctx.db.update(messages).set({ status: 'ready', ambiguous: false }).where(eq(messages.id, msg.id));
    return reschedule(ctx, { ...msg, status: 'ready' }, { error: 'authority lost the message; resending', countAttempt: false, delayMs: 0 });
  }
  return applyReplies(ctx, msg, found.replies);
}

async function applyReplies(ctx: TransmissionContext, msg: MessageRow, xmls: string[]): Promise<AdvanceOutcome> {
  const replies = xmls.map(readReply).filter((r) => r.replyTo === '' || r.replyTo === msg.id);
  const ack = replies.find((r): r is Extract<Reply, { type: 999 }> => r.type === 999);
  const answers = replies.filter((r) => r.type !== 999);
  const now = ctx.clock();

  if (ack && !ack.received && answers.length === 0) return refuse(ctx, msg, ack, now);

  const handler = ctx.replyHandlers.get(msg.type);
  const done = await ctx.db.transaction(async (tx) => {
    // Two jobs of this process may advance one message at once (its lease is this process's): the
    // row lock makes the second wait, and it finds the answer already applied.
    const [current] = await tx.select({ status: messages.status }).from(messages).where(eq(messages.id, msg.id)).for('update');
    if (!current || !(LIVE as readonly string[]).includes(current.status)) return 'gone' as const;
    if (current.status === 'ready') {
      await tx.update(messages).set({ status: 'received', receivedAt: now, ambiguous: false }).where(eq(messages.id, msg.id));
      if (msg.type === 206) {
        await preparedRows(
          tx,
          'mark_sent',
          sql`with taken as (update unaccepted_invoices set sent = true where message_id = ${msg.id} returning invoice_id)
              insert into invoice_transmissions (invoice_id, status, message_id, attempts, sent_at)
              select invoice_id, 'sent', ${msg.id}, 1, ${now.toISOString()}::timestamptz from taken
              on conflict (invoice_id) do update set status = 'sent', message_id = excluded.message_id,
                attempts = invoice_transmissions.attempts + 1, sent_at = excluded.sent_at
              where invoice_transmissions.status = 'pending'`,
        );
      }
      await tx.insert(transmissionEvents).values({ at: now, messageId: msg.id, event: 'message.received' });
    }
    if (answers.length === 0 || !handler) return false;
    const finished = await handler(tx, msg, answers, now);
    if (finished) {
      await tx
        .update(messages)
        .set({
          status: 'answered',
          answeredAt: now,
          leaseOwner: null,
          leaseUntil: null,
          result: { replies: answers } as never,
          // Nothing resends an answered 206, and every invoice it carried keeps its own signed XML:
          // its copy of them would double the storage of every invoice.
          ...(msg.type === 206 ? { xml: '' } : {}),
        })
        .where(eq(messages.id, msg.id));
    }
    return finished;
  });
  if (done === 'gone') return {};
  if (done) return { answered: { id: msg.id, type: msg.type, businessId: msg.businessId } };
  // Taken in; the answer comes later.
  return reschedule(ctx, { ...msg, status: 'received' }, { countAttempt: false, delayMs: pollDelay(ctx, msg) });
}

function pollDelay(ctx: TransmissionContext, msg: MessageRow): number {
  const polls = Math.max(0, msg.step - msg.attempts);
  return backoffMs(polls, ctx.pollBaseMs ?? 500, 60_000);
}

/** 999 TTTNhan=1: not taken in. Its invoices go back to pending and travel in a new message. */
async function refuse(ctx: TransmissionContext, msg: MessageRow, ack: Extract<Reply, { type: 999 }>, now: Date): Promise<AdvanceOutcome> {
  const error = ack.reasons.map((r) => `${r.code} ${r.message}`).join('; ') || 'refused (999 TTTNhan=1)';
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(messages)
      .set({ status: 'refused', lastError: error, answeredAt: now, leaseOwner: null, leaseUntil: null, result: { reasons: ack.reasons } as never })
      .where(eq(messages.id, msg.id));
    if (msg.type === 206) {
      await tx.execute(sql`insert into invoice_transmissions (invoice_id, status, last_error)
          select invoice_id, 'pending', ${error} from unaccepted_invoices where message_id = ${msg.id}
          on conflict (invoice_id) do update set last_error = excluded.last_error`);
      await tx.update(unacceptedInvoices).set({ messageId: null }).where(eq(unacceptedInvoices.messageId, msg.id));
    }
    await tx.insert(transmissionEvents).values({ at: now, messageId: msg.id, event: 'message.refused', detail: { reasons: ack.reasons } });
  });
  ctx.log.warn({ messageId: msg.id, error }, 'message refused by the authority');
  return msg.batchKey ? { refusedBatchKey: msg.batchKey } : {};
}

async function reschedule(
  ctx: TransmissionContext,
  msg: MessageRow,
  o: { error?: string; retryAfterMs?: number; ambiguous?: boolean; countAttempt: boolean; delayMs?: number },
): Promise<AdvanceOutcome> {
  const delayMs = o.delayMs ?? o.retryAfterMs ?? backoffMs(msg.attempts, ctx.retryBaseMs ?? 1000, ctx.retryMaxMs ?? 5 * 60_000);
  const step = msg.step + 1;
  const now = ctx.clock();
  await ctx.db
    .update(messages)
    .set({
      step,
      nextAttemptAt: new Date(now.getTime() + delayMs),
      leaseOwner: null,
      leaseUntil: null,
      ...(o.ambiguous === undefined ? {} : { ambiguous: o.ambiguous }),
      ...(o.error === undefined ? {} : { lastError: o.error }),
    })
    .where(eq(messages.id, msg.id));
  if (o.error) ctx.log.info({ messageId: msg.id, attempts: msg.attempts, delayMs, error: o.error }, 'message will be retried');
  return { next: { step, delayMs } };
}
