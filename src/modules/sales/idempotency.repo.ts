// Idempotency keys of terminals: one row per (terminal, Idempotency-Key) holding the exact answer
// the first request got. The row is claimed in the transaction that issues the invoice, so the
// key and the invoice commit (or vanish) together.
import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type DbOrTx, type Tx } from '../../db/client.js';
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

const refKey = (r: KeyRef): string => `${r.terminalId} ${r.key}`;

/**
 * claimKey for several requests in one statement: which of them this transaction owns. A key
 * given twice is claimed once (the first); a key held by another open transaction makes this wait.
 */
export async function claimKeys(tx: Tx, claims: ReadonlyArray<{ ref: KeyRef; requestHash: string }>, now: Date): Promise<boolean[]> {
  const rows = await tx
    .insert(idempotencyKeys)
    .values(claims.map((c) => ({ ...c.ref, requestHash: c.requestHash, statusCode: 0, response: {}, createdAt: now })))
    .onConflictDoNothing()
    .returning({ terminalId: idempotencyKeys.terminalId, key: idempotencyKeys.key });
  const owned = new Set(rows.map(refKey));
  return claims.map((c) => owned.delete(refKey(c.ref)));
}

/** recordAnswer for several keys in one statement (status 201). */
export async function recordAnswers(tx: Tx, answers: ReadonlyArray<{ ref: KeyRef; invoiceId: string; response: unknown }>): Promise<void> {
  if (answers.length === 0) return;
  const values = sql.join(
    answers.map((a) => sql`(${a.ref.terminalId}::uuid, ${a.ref.key}, ${a.invoiceId}::uuid, ${JSON.stringify(a.response)}::jsonb)`),
    sql`, `,
  );
  await queryRows(
    tx,
    sql`update idempotency_keys k set invoice_id = v.invoice_id, status_code = 201, response = v.response
        from (values ${values}) as v(terminal_id, key, invoice_id, response)
        where k.terminal_id = v.terminal_id and k.key = v.key`,
  );
}
