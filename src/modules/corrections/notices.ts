// Notices of erroneous invoices (form 04/SS-HĐĐT, message 303) and the authority's 301 answers.
// A 303 may only name invoices the authority has accepted, so an explanation of an invoice still on
// its way waits (`waiting`) and is released once its 204 accepted it: right after that answer, and
// by the reconciler as a safety net. One 303 carries every released notice of a seller.
import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import { queryRows, type Db, type Tx } from '../../db/client.js';
import { invoiceNotices, messages, transmissionEvents, type NoticeStatus } from '../../db/schema/index.js';
import { buildMessageId } from '../../domain/codes.js';
import { businessDate } from '../../domain/dates.js';
import { buildEnvelope } from '../../invoice/message.js';
import { buildErrorNoticePayload, ERROR_NOTICE_MESSAGE_TYPE, NOTICE_SIGNATURE_PLACEHOLDER, type NoticeAction } from '../../invoice/notice.js';
import { signEnveloped } from '../../signing/xmldsig.js';
import { senderCode } from '../../transmission/batcher.js';
import type { ReplyHandler } from '../../transmission/messenger.js';
import { invoiceKey, type Reply } from '../../transmission/replies.js';
import type { Transmission } from '../../transmission/service.js';
import type { Clock } from '../../deps.js';
import type { SignerSource } from '../businesses/keystore.js';
import { taxOfficeName } from '../businesses/registration.js';

export interface NoticesDeps {
  db: Db;
  config: Pick<Config, 'formatVersion' | 'providerTaxCode'>;
  clock: Clock;
  signers: SignerSource;
  transmission: Pick<Transmission, 'messageStored'>;
  log: { warn(obj: object, msg: string): void };
}

interface Releasable {
  id: string;
  invoice_id: string;
  action: number;
  reason: string;
  tx_status: string;
  form: number;
  symbol: string;
  number: number;
  mtt_code: string;
  business_date: string;
}

export function createNotices(d: NoticesDeps) {
  /**
   * Sends what can be sent of a seller's waiting notices: those of accepted invoices in one 303,
   * those of rejected invoices cancelled (a rejected invoice is not the authority's to correct).
   */
  async function releaseFor(businessId: string): Promise<string | undefined> {
    const signer = await d.signers(businessId); // outside the transaction (PGlite: one connection)
    const now = d.clock();
    const messageId = await d.db.transaction(async (tx) => {
      const rows = await queryRows<Releasable>(
        tx,
        sql`select n.id, n.invoice_id, n.action, n.reason, t.status as tx_status, i.form, i.symbol, i.number, i.mtt_code,
              to_char(i.business_date, 'YYYY-MM-DD') as business_date
            from invoice_notices n join invoices i on i.id = n.invoice_id join invoice_transmissions t on t.invoice_id = n.invoice_id
            where n.business_id = ${businessId} and n.status = 'waiting' and t.status in ('accepted', 'rejected')
            order by n.created_at, n.id
            for update of n skip locked`,
      );
      const rejected = rows.filter((r) => r.tx_status === 'rejected').map((r) => r.id);
      if (rejected.length) {
        await tx
          .update(invoiceNotices)
          .set({ status: 'cancelled', answeredAt: now, result: { reason: 'the invoice was rejected by the authority' } })
          .where(inArray(invoiceNotices.id, rejected));
      }
      const ready = rows.filter((r) => r.tx_status === 'accepted');
      if (ready.length === 0) return undefined;
      const id = await storeNoticeMessage(tx, businessId, ready, signer, now);
      await tx.update(invoiceNotices).set({ status: 'sent', messageId: id }).where(inArray(invoiceNotices.id, ready.map((r) => r.id)));
      return id;
    });
    if (messageId) await d.transmission.messageStored(messageId);
    return messageId;
  }

  async function storeNoticeMessage(tx: Tx, businessId: string, rows: Releasable[], signer: Awaited<ReturnType<SignerSource>>, now: Date): Promise<string> {
    const [b] = await queryRows<{ name: string; tax_code: string; address: string; tax_office_code: string }>(
      tx,
      sql`select name, tax_code, address, tax_office_code from businesses where id = ${businessId}`,
    );
    if (!b) throw new Error(`notice for an unknown business ${businessId}`);
    const sender = senderCode(d.config.providerTaxCode);
    const messageId = buildMessageId(sender);
    const dataId = `_${randomUUID().replace(/-/g, '')}`;
    const payload = buildErrorNoticePayload({
      id: dataId,
      version: d.config.formatVersion,
      kind: 1,
      taxOffice: { code: b.tax_office_code, name: taxOfficeName(b.tax_office_code) },
      seller: { name: b.name, taxCode: b.tax_code },
      place: b.address,
      date: businessDate(now),
      invoices: rows.map((r, i) => ({
        index: i + 1,
        mttCode: r.mtt_code,
        form: r.form,
        symbol: r.symbol,
        number: r.number,
        date: r.business_date,
        action: r.action as NoticeAction,
        reason: r.reason,
      })),
    });
    const unsigned = buildEnvelope(
      { version: d.config.formatVersion, sender, receiver: 'TCT', type: ERROR_NOTICE_MESSAGE_TYPE, messageId, taxCode: b.tax_code, count: rows.length },
      payload,
    );
    const xml = signEnveloped(unsigned, { signer, referenceId: dataId, placeholder: NOTICE_SIGNATURE_PLACEHOLDER, signingTime: now });
    await tx.insert(messages).values({ id: messageId, type: ERROR_NOTICE_MESSAGE_TYPE, businessId, xml, itemCount: rows.length, nextAttemptAt: now, createdAt: now });
    await tx.insert(transmissionEvents).values(
      rows.map((r) => ({ at: now, messageId, invoiceId: r.invoice_id, event: 'notice.built', detail: { noticeId: r.id, action: r.action } })),
    );
    return messageId;
  }

  /** Sellers with waiting notices whose invoices have their answer (the reconciler's pass). */
  async function releaseAll(): Promise<number> {
    const sellers = await queryRows<{ business_id: string }>(
      d.db,
      sql`select distinct n.business_id from invoice_notices n join invoice_transmissions t on t.invoice_id = n.invoice_id
          where n.status = 'waiting' and t.status in ('accepted', 'rejected')`,
    );
    let sent = 0;
    for (const s of sellers) {
      try {
        if (await releaseFor(s.business_id)) sent++;
      } catch (err) {
        d.log.warn({ err, businessId: s.business_id }, 'could not release waiting notices; will retry');
      }
    }
    return sent;
  }

  return { releaseFor, releaseAll };
}

export type Notices = ReturnType<typeof createNotices>;

/** Records a notice; it waits until its invoice has the authority's answer. */
export async function insertNotice(tx: Tx, n: { invoiceId: string; businessId: string; action: NoticeAction; reason: string; now: Date }): Promise<{ id: string; status: NoticeStatus }> {
  const id = randomUUID();
  await tx.insert(invoiceNotices).values({ id, invoiceId: n.invoiceId, businessId: n.businessId, action: n.action, reason: n.reason, status: 'waiting', createdAt: n.now });
  await tx.insert(transmissionEvents).values({ at: n.now, invoiceId: n.invoiceId, event: 'notice.requested', detail: { noticeId: id, action: n.action } });
  return { id, status: 'waiting' };
}

/** The 301: each notice of the 303 is received (TTTNCCQT 1) or refused with the authority's reasons. */
export const handleNoticeAnswers: ReplyHandler = async (tx, message, replies, now) => {
  const answer = replies.find((r): r is Extract<Reply, { type: 301 }> => r.type === 301);
  if (!answer) return false;
  const sent = await queryRows<{ id: string; invoice_id: string; form: number; symbol: string; number: number }>(
    tx,
    sql`select n.id, n.invoice_id, i.form, i.symbol, i.number from invoice_notices n join invoices i on i.id = n.invoice_id
        where n.message_id = ${message.id} and n.status = 'sent'`,
  );
  const byKey = new Map(answer.items.map((it) => [it.key, it]));
  for (const n of sent) {
    const item = byKey.get(invoiceKey(Number(n.form), n.symbol, Number(n.number)));
    const received = !!item?.received && answer.reasons.length === 0;
    const reasons = [...answer.reasons, ...(item?.reasons ?? [])];
    await tx
      .update(invoiceNotices)
      .set({ status: received ? 'received' : 'refused', answeredAt: now, result: { received, reasons } })
      .where(eq(invoiceNotices.id, n.id));
    await tx.insert(transmissionEvents).values({ at: now, messageId: message.id, invoiceId: n.invoice_id, event: received ? 'notice.received' : 'notice.refused', detail: { noticeId: n.id, reasons } });
  }
  return true;
};
