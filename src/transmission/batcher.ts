// Turns pending invoices of one seller/form/symbol into one signed 206 message, stored with the
// list of invoices it carries before anything is sent (an invoice belongs to one message at a time).
import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { inIds } from '../db/client.js';
import { invoiceDocuments, invoices, messageItems, messages, transmissionEvents, unacceptedInvoices } from '../db/schema/index.js';
import { buildMessageId } from '../domain/codes.js';
import { buildInvoiceMessage, MESSAGE_SIGNATURE_PLACEHOLDER } from '../invoice/message.js';
import { storedXmlColumns, xmlStoreOf } from '../invoice/xml-store.js';
import { signEnveloped } from '../signing/xmldsig.js';
import { batchKeyString, type BatchKey } from './batch-key.js';
import type { TransmissionContext } from './context.js';

/** Room for the envelope and the message signature inside the size limit. */
const ENVELOPE_ALLOWANCE = 8_192;

export interface BatchOutcome {
  /** Messages built in this run, to be sent now. */
  messageIds: string[];
  /** Pending invoices remain that are not due yet: look again at this time. */
  nextCheckAt?: Date;
}

export const senderCode = (providerTaxCode: string): string => `V${providerTaxCode.replace('-', '')}`;

export async function buildBatches(ctx: TransmissionContext, key: BatchKey): Promise<BatchOutcome> {
  const out: BatchOutcome = { messageIds: [] };
  for (;;) {
    const step = await buildOne(ctx, key);
    if (step.messageId) out.messageIds.push(step.messageId);
    if (step.nextCheckAt) out.nextCheckAt = step.nextCheckAt;
    if (!step.more) break;
  }
  // Corrections left waiting for their originals: look again soon.
  if (!out.nextCheckAt && (await hasUnbatched(ctx, key))) out.nextCheckAt = new Date(ctx.clock().getTime() + Math.min(ctx.config.batch.maxAgeMs, CORRECTION_RECHECK_MS));
  return out;
}

const CORRECTION_RECHECK_MS = 2_000;

async function hasUnbatched(ctx: TransmissionContext, key: BatchKey): Promise<boolean> {
  const [row] = await ctx.db.select({ id: unacceptedInvoices.invoiceId }).from(unacceptedInvoices).where(unbatched(key)).limit(1);
  return row !== undefined;
}

/** Pending invoices of a batch key that no message carries yet (a rejected one keeps its message). */
const unbatched = (key: BatchKey) =>
  and(
    eq(unacceptedInvoices.businessId, key.businessId),
    eq(unacceptedInvoices.form, key.form),
    eq(unacceptedInvoices.symbol, key.symbol),
    isNull(unacceptedInvoices.messageId),
  );

async function buildOne(
  ctx: TransmissionContext,
  key: BatchKey,
): Promise<{ messageId?: string; nextCheckAt?: Date; more: boolean }> {
  const { maxInvoices, maxAgeMs, maxBytes } = ctx.config.batch;
  const now = ctx.clock();
  // Before the transaction: PGlite has one connection, and the keystore reads outside `tx`.
  const signer = await ctx.signers(key.businessId);
  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: invoices.id, ...storedXmlColumns, issuedAt: unacceptedInvoices.issuedAt, taxCode: invoices.taxCode })
      .from(unacceptedInvoices)
      .innerJoin(invoices, eq(invoices.id, unacceptedInvoices.invoiceId))
      .leftJoin(invoiceDocuments, eq(invoiceDocuments.invoiceId, invoices.id))
      .where(and(unbatched(key), originalOnItsWay))
      .orderBy(asc(unacceptedInvoices.issuedAt), asc(unacceptedInvoices.number))
      .limit(maxInvoices)
      .for('update', { of: unacceptedInvoices, skipLocked: true })
      .prepare('batch_take')
      .execute();
    if (rows.length === 0) return { more: false };
    const oldest = rows[0]!.issuedAt;
    if (rows.length < maxInvoices && now.getTime() - oldest.getTime() < maxAgeMs) {
      return { more: false, nextCheckAt: new Date(oldest.getTime() + maxAgeMs) };
    }

    // Fill up to the size limit; the rest waits for the next message.
    const documents = await xmlStoreOf(ctx.db).read(tx, rows);
    const taken: Array<(typeof rows)[number] & { document: string }> = [];
    let bytes = ENVELOPE_ALLOWANCE;
    for (const [i, r] of rows.entries()) {
      const document = documents[i]!;
      const size = Buffer.byteLength(document);
      if (taken.length > 0 && bytes + size > maxBytes) break;
      taken.push({ ...r, document });
      bytes += size;
    }

    const messageId = buildMessageId(senderCode(ctx.config.providerTaxCode));
    const dataId = `_${randomUUID().replace(/-/g, '')}`;
    const unsigned = buildInvoiceMessage(
      {
        version: ctx.config.formatVersion,
        sender: senderCode(ctx.config.providerTaxCode),
        receiver: 'TCT',
        type: 206,
        messageId,
        taxCode: rows[0]!.taxCode,
        count: taken.length,
      },
      dataId,
      taken.map((r) => stripDeclaration(r.document)),
    );
    const xml = signEnveloped(unsigned, {
      signer,
      referenceId: dataId,
      placeholder: MESSAGE_SIGNATURE_PLACEHOLDER,
      signingTime: now,
    });

    const ids = taken.map((r) => r.id);
    await tx.insert(messages).values({
      id: messageId,
      type: 206,
      businessId: key.businessId,
      batchKey: batchKeyString(key),
      xml,
      itemCount: ids.length,
      nextAttemptAt: now,
      createdAt: now,
    });
    await tx.insert(messageItems).values(ids.map((invoiceId) => ({ messageId, invoiceId })));
    await tx.update(unacceptedInvoices).set({ messageId }).where(inIds(unacceptedInvoices.invoiceId, ids)).prepare('batch_mark').execute();
    await tx.insert(transmissionEvents).values({ at: now, messageId, event: 'message.built', detail: { invoices: ids.length, bytes: xml.length } });
    ctx.log.debug({ messageId, invoices: ids.length }, '206 message built');
    return { messageId, more: rows.length === maxInvoices || taken.length < rows.length };
  });
}

/**
 * A correction travels after its original: it waits while the original sits in a message the
 * authority has not taken in yet, or is pending under another batch key (a replacement issued in a
 * new year). An original pending unbatched under the same key goes first in this very message.
 */
const originalOnItsWay = sql`(${invoices.relatedInvoiceId} is null or not exists (
  select 1 from unaccepted_invoices o
  where o.invoice_id = ${invoices.relatedInvoiceId}
    and not exists (select 1 from invoice_transmissions ot where ot.invoice_id = o.invoice_id and ot.status <> 'pending')
    and (o.message_id is not null or o.business_id <> ${unacceptedInvoices.businessId} or o.form <> ${unacceptedInvoices.form} or o.symbol <> ${unacceptedInvoices.symbol})))`;

const DECLARATION = /^<\?xml[^?]*\?>/;
/** Stored invoices are standalone documents; inside a message they are plain elements. */
export const stripDeclaration = (xml: string): string => xml.replace(DECLARATION, '');

/** Pending invoices not in any message, by batch key, with the oldest issue time (reconciler). */
export async function unbatchedKeys(ctx: Pick<TransmissionContext, 'db'>): Promise<Array<BatchKey & { oldest: Date }>> {
  const rows = await ctx.db
    .select({
      businessId: unacceptedInvoices.businessId,
      form: unacceptedInvoices.form,
      symbol: unacceptedInvoices.symbol,
      oldest: sql<Date>`min(${unacceptedInvoices.issuedAt})`.mapWith(unacceptedInvoices.issuedAt),
    })
    .from(unacceptedInvoices)
    .where(isNull(unacceptedInvoices.messageId))
    .groupBy(unacceptedInvoices.businessId, unacceptedInvoices.form, unacceptedInvoices.symbol);
  return rows;
}
