// Wires the processors to a scheduler and runs the reconciler. Producers (the sales path, the
// registration path) only call `invoiceIssued` / `messageStored`; consumers run where
// config.runWorkers says (always in embedded mode).
import { and, asc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import { messages } from '../db/schema/index.js';
import { buildBatches, unbatchedKeys } from './batcher.js';
import { batchKeyString, parseBatchKey, type BatchKey } from './batch-key.js';
import type { TransmissionContext } from './context.js';
import { advanceMessage } from './messenger.js';
import type { Processors, Scheduler } from './scheduler.js';

export interface Transmission {
  processors: Processors;
  /** After the transaction that stored an invoice committed. */
  invoiceIssued(inv: BatchKey & { number: number; issuedAt: Date }): Promise<void>;
  /** After a message (e.g. a registration 100) was stored ready to send. */
  messageStored(messageId: string): Promise<void>;
  /** One pass of the safety net: re-create jobs for all work the database says is open. */
  reconcile(): Promise<{ batches: number; messages: number }>;
  startReconciler(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createTransmission(ctx: TransmissionContext, getScheduler: () => Scheduler): Transmission {
  const maxAge = () => ctx.config.batch.maxAgeMs;
  let timer: NodeJS.Timeout | undefined;
  let reconciling: Promise<unknown> | undefined;

  const processors: Processors = {
    async batch(key) {
      const outcome = await buildBatches(ctx, parseBatchKey(key));
      for (const id of outcome.messageIds) await getScheduler().message(id, 0, 0);
      if (outcome.nextCheckAt) await getScheduler().batch(key, outcome.nextCheckAt);
    },
    async message(messageId, step) {
      const outcome = await advanceMessage(ctx, messageId, step);
      if (outcome.next) await getScheduler().message(messageId, outcome.next.step, outcome.next.delayMs);
      if (outcome.refusedBatchKey) await getScheduler().batch(outcome.refusedBatchKey, ctx.clock(), `refused${messageId}`);
      if (outcome.answered) {
        // Follow-ups never fail the message: the reconciler runs them again.
        await ctx.followUps?.answered?.(outcome.answered).catch((err: unknown) => ctx.log.warn({ err, messageId }, 'follow-up of an answer failed'));
      }
    },
  };

  const reconcile = async () => {
    const now = ctx.clock();
    const keys = await unbatchedKeys(ctx);
    for (const k of keys) {
      await getScheduler().batch(batchKeyString(k), new Date(Math.max(k.oldest.getTime() + maxAge(), now.getTime())));
    }
    const live = await ctx.db
      .select({ id: messages.id, step: messages.step, nextAttemptAt: messages.nextAttemptAt })
      .from(messages)
      .where(and(inArray(messages.status, ['ready', 'received']), or(isNull(messages.leaseUntil), lt(messages.leaseUntil, now))))
      .orderBy(asc(messages.nextAttemptAt))
      .limit(2000);
    for (const m of live) await getScheduler().message(m.id, m.step, Math.max(0, m.nextAttemptAt.getTime() - now.getTime()));
    await ctx.followUps?.reconcile?.();
    return { batches: keys.length, messages: live.length };
  };

  return {
    processors,
    async invoiceIssued(inv) {
      const key = batchKeyString(inv);
      const full = inv.number % ctx.config.batch.maxInvoices === 0;
      await getScheduler().batch(key, full ? inv.issuedAt : new Date(inv.issuedAt.getTime() + maxAge()), full ? `n${inv.number}` : undefined);
    },
    async messageStored(messageId) {
      const [m] = await ctx.db.select({ step: messages.step }).from(messages).where(eq(messages.id, messageId));
      if (m) await getScheduler().message(messageId, m.step, 0);
    },
    reconcile,
    startReconciler(intervalMs) {
      if (timer) return;
      const tick = () => {
        if (reconciling) return;
        reconciling = reconcile()
          .catch((err) => ctx.log.warn({ err }, 'reconcile failed'))
          .finally(() => (reconciling = undefined));
      };
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await reconciling;
    },
  };
}
