// The 204 answer to a 206 message: LTBao 2 accepts every invoice, 7 rejects the listed ones and
// accepts the rest, 9 rejects them all. Rejections are final; late means accepted after the end
// of the invoice's business day in Asia/Ho_Chi_Minh.
import { and, eq, sql } from 'drizzle-orm';
import { invoices, invoiceTransmissions, transmissionEvents, unacceptedInvoices } from '../db/schema/index.js';
import { inIds, preparedRows } from '../db/client.js';
import type { ReplyHandler } from './messenger.js';
import { invoiceKey, type Reason, type Reply } from './replies.js';
import { recordAccepted } from '../modules/stats/rollups.js';

/** Midnight after the business date, Vietnam time (UTC+7, no DST), as an instant. */
const deadline = sql`(((${invoices.businessDate} + 1)::timestamp - interval '7 hours') at time zone 'UTC')`;

export const handleInvoiceAnswers: ReplyHandler = async (tx, message, replies, now) => {
  const answer = replies.find((r): r is Extract<Reply, { type: 204 }> => r.type === 204);
  if (!answer) return false;
  // What the message carries that the authority has not answered yet: the work list has it all.
  const carried = await tx
    .select({ id: unacceptedInvoices.invoiceId, form: unacceptedInvoices.form, symbol: unacceptedInvoices.symbol, number: unacceptedInvoices.number })
    .from(unacceptedInvoices)
    .where(and(eq(unacceptedInvoices.messageId, message.id), eq(unacceptedInvoices.rejected, false)))
    .prepare('answer_carried')
    .execute();

  const rejected = new Map<string, Reason>();
  if (answer.result === 9) {
    const reason = answer.reasons[0] ?? { code: '9', message: 'The authority found the whole package invalid' };
    for (const inv of carried) rejected.set(inv.id, reason);
  } else if (answer.result === 7) {
    const byKey = new Map(answer.rejected.map((r) => [r.key, r.reason]));
    for (const inv of carried) {
      const reason = byKey.get(invoiceKey(inv.form, inv.symbol, inv.number));
      if (reason) rejected.set(inv.id, reason);
    }
  }

  const rejectedIds = [...rejected.keys()];
  const acceptedIds = carried.map((c) => c.id).filter((id) => !rejected.has(id));
  const at = sql`${now.toISOString()}::timestamptz`;
  if (acceptedIds.length) {
    await preparedRows(
      tx,
      'answer_accepted',
      sql`insert into invoice_transmissions (invoice_id, status, message_id, attempts, sent_at, accepted_at, late)
          select ${invoices.id}, 'accepted', ${message.id}, 1, ${at}, ${at}, ${at} > ${deadline} from invoices where ${inIds(invoices.id, acceptedIds)}
          on conflict (invoice_id) do update set status = 'accepted', message_id = excluded.message_id, accepted_at = excluded.accepted_at,
            late = excluded.late, last_error = null`,
    );
    await recordAccepted(tx, acceptedIds); // late counts of the statistics rollups
    await tx.delete(unacceptedInvoices).where(inIds(unacceptedInvoices.invoiceId, acceptedIds)).prepare('answer_done').execute();
  }
  if (rejectedIds.length) {
    await tx.update(unacceptedInvoices).set({ rejected: true }).where(inIds(unacceptedInvoices.invoiceId, rejectedIds));
    await tx
      .insert(invoiceTransmissions)
      .values(
        [...rejected].map(([invoiceId, reason]) => ({
          invoiceId,
          status: 'rejected' as const,
          messageId: message.id,
          attempts: 1,
          sentAt: now,
          rejectedAt: now,
          result: { ...reason },
          lastError: `${reason.code} ${reason.message}`.trim(),
        })),
      )
      .onConflictDoUpdate({
        target: invoiceTransmissions.invoiceId,
        set: {
          status: sql`excluded.status`,
          messageId: sql`excluded.message_id`,
          rejectedAt: sql`excluded.rejected_at`,
          result: sql`excluded.result`,
          lastError: sql`excluded.last_error`,
        },
      });
  }
  await tx.insert(transmissionEvents).values({
    at: now,
    messageId: message.id,
    event: 'message.answered',
    detail: { result: answer.result, accepted: acceptedIds.length, rejected: rejectedIds.length },
  });
  if (rejectedIds.length) {
    await tx.insert(transmissionEvents).values(
      rejectedIds.map((invoiceId) => ({ at: now, messageId: message.id, invoiceId, event: 'invoice.rejected', detail: { ...rejected.get(invoiceId) } })),
    );
  }
  return true;
};
