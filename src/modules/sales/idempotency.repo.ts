// Idempotency keys of terminals: one row per (terminal, Idempotency-Key) holding the exact answer
// the first request got. The row is written by the statement that stores the invoice (issue.ts),
// under the seller's issuing lock that every writer of the seller's keys takes first, so the key
// and the invoice commit (or vanish) together and no two transactions race for one key.
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
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
