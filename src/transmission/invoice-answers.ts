// The 204 answer to a 206 message: LTBao 2 accepts every invoice, 7 rejects the listed ones and
// accepts the rest, 9 rejects them all. Rejections are final; late means accepted after the end
// of the invoice's business day in Asia/Ho_Chi_Minh.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { invoices, transmissionEvents, unacceptedInvoices } from '../db/schema/index.js';
import { inIds } from '../db/client.js';
import { carriedBy, type ReplyHandler } from './messenger.js';
import { invoiceKey, type Reason, type Reply } from './replies.js';
import { recordAccepted } from '../modules/stats/rollups.js';

/** Midnight after the business date, Vietnam time (UTC+7, no DST), as an instant. */
const deadline = sql`(((${invoices.businessDate} + 1)::timestamp - interval '7 hours') at time zone 'UTC')`;

export const handleInvoiceAnswers: ReplyHandler = async (tx, message, replies, now) => {
  const answer = replies.find((r): r is Extract<Reply, { type: 204 }> => r.type === 204);
  if (!answer) return false;
  const live = and(carriedBy(message.id), inArray(invoices.txStatus, ['pending', 'sent']));
  const carried = await tx
    .select({ id: invoices.id, form: invoices.form, symbol: invoices.symbol, number: invoices.number })
    .from(invoices)
    .where(live)
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
  if (acceptedIds.length) {
    await tx
      .update(invoices)
      .set({ txStatus: 'accepted', acceptedAt: now, late: sql`${now.toISOString()}::timestamptz > ${deadline}`, txLastError: null })
      .where(inIds(invoices.id, acceptedIds))
      .prepare('answer_accepted')
      .execute();
    await recordAccepted(tx, acceptedIds); // late counts of the statistics rollups
    await tx.delete(unacceptedInvoices).where(inIds(unacceptedInvoices.invoiceId, acceptedIds)).prepare('answer_done').execute();
  }
  if (rejectedIds.length) await tx.update(unacceptedInvoices).set({ rejected: true }).where(inIds(unacceptedInvoices.invoiceId, rejectedIds));
  for (const [id, reason] of rejected) {
    await tx
      .update(invoices)
      .set({ txStatus: 'rejected', rejectedAt: now, txResult: { ...reason }, txLastError: `${reason.code} ${reason.message}`.trim() })
      .where(eq(invoices.id, id));
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
