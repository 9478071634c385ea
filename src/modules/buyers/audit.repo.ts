// The append-only audit log: rows are inserted, read by admins, never updated or deleted. A row
// holds the keyed hash of a personal ID (HMAC under LOOKUP_KEY), never the ID itself.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { auditLog } from '../../db/schema/index.js';

export type AuditAction = 'buyer.search' | 'invoice.xml' | 'invoice.export';

export interface AuditEntry {
  at: Date;
  actorKind: string;
  actorId: string;
  action: AuditAction;
  subjectHash?: string | null;
  reason?: string | null;
  resultCount?: number | null;
  detail?: Record<string, unknown> | null;
}

export async function appendAudit(db: DbOrTx, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    at: e.at,
    actorKind: e.actorKind,
    actorId: e.actorId,
    action: e.action,
    subjectHash: e.subjectHash ?? null,
    reason: e.reason ?? null,
    resultCount: e.resultCount ?? null,
    detail: e.detail ?? null,
  });
}

export type AuditRow = typeof auditLog.$inferSelect & { cursorAt: string };

/** Newest first; `after` is the (at, id) of the last row of the previous page. */
export async function listAudit(db: DbOrTx, o: { limit: number; after?: { at: string; id: bigint } }): Promise<AuditRow[]> {
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorKind: auditLog.actorKind,
      actorId: auditLog.actorId,
      action: auditLog.action,
      subjectHash: auditLog.subjectHash,
      reason: auditLog.reason,
      resultCount: auditLog.resultCount,
      detail: auditLog.detail,
      cursorAt: sql<string>`to_char(${auditLog.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(auditLog)
    .where(o.after ? sql`(${auditLog.at}, ${auditLog.id}) < (${o.after.at}::timestamptz, ${o.after.id.toString()}::bigint)` : undefined)
    .orderBy(sql`${auditLog.at} desc nulls last`, sql`${auditLog.id} desc nulls last`)
    .limit(o.limit);
  return rows;
}
