import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Append-only: who did what to sensitive data (buyer searches, XML reads by staff, staff changes). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    /** HMAC of a personal ID under LOOKUP_KEY (`<keyId>:<hex>`), never the ID itself. */
    subjectHash: text('subject_hash'),
    reason: text('reason'),
    resultCount: integer('result_count'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    // GET /v1/audit: newest first with a (at, id) cursor.
    index('audit_log_at_id_idx').on(t.at.desc(), t.id.desc()),
  ],
);
