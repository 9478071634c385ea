// Idempotency keys of terminals: one row per (terminal, Idempotency-Key) holding the exact answer
// the first request got. The row is claimed in the transaction that issues the invoice, so the
// key and the invoice commit (or vanish) together.
import { and, eq } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema/index.js';

export interface KeyRef {
  terminalId: string;
  key: string;
}

export interface StoredAnswer {
  requestHash: string;
  invoiceId: string | null;
  statusCode: number;
  response: unknown;
}

/**
 * Claims the key for this transaction. While another transaction holds an uncommitted claim on
 * the same key, PostgreSQL makes this insert wait for it to end; false means the key belongs to a
 * committed request (read it with findAnswer), true that this transaction owns it.
 */
export async function claimKey(tx: Tx, ref: KeyRef, requestHash: string, now: Date): Promise<boolean> {
  const rows = await tx
    .insert(idempotencyKeys)
    // status 0 and an empty answer are never visible: recordAnswer replaces them before commit.
    .values({ ...ref, requestHash, statusCode: 0, response: {}, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}

export async function recordAnswer(tx: Tx, ref: KeyRef, answer: { invoiceId: string; statusCode: number; response: unknown }): Promise<void> {
  await tx
    .update(idempotencyKeys)
    .set(answer)
    .where(and(eq(idempotencyKeys.terminalId, ref.terminalId), eq(idempotencyKeys.key, ref.key)));
}

export async function findAnswer(db: DbOrTx, ref: KeyRef): Promise<StoredAnswer | undefined> {
  const [row] = await db
    .select({
      requestHash: idempotencyKeys.requestHash,
      invoiceId: idempotencyKeys.invoiceId,
      statusCode: idempotencyKeys.statusCode,
      response: idempotencyKeys.response,
    })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.terminalId, ref.terminalId), eq(idempotencyKeys.key, ref.key)));
  return row;
}
