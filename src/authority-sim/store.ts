// The simulator's repository: plain functions of (db | tx, params) over the authority_sim tables.
import { and, asc, count, eq, inArray, like, lte, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { IDENTITY_SETTING_KEY } from './identity.js';
import {
  simAcceptedInvoices,
  simMessages,
  simReplies,
  simSellers,
  simSettings,
  type SimRegisteredCertificate,
} from './schema.js';

export type StoredMessage = typeof simMessages.$inferSelect;
export type NewMessage = typeof simMessages.$inferInsert;
export type NewReply = typeof simReplies.$inferInsert;
export type Seller = typeof simSellers.$inferSelect;
export type AcceptedInvoice = typeof simAcceptedInvoices.$inferSelect;
export type NewAcceptedInvoice = typeof simAcceptedInvoices.$inferInsert;

export type CounterName = 'duplicates' | 'resends' | 'invoices_rejected' | 'notice_number';
const COUNTER_PREFIX = 'counter:';

export async function findMessage(db: DbOrTx, id: string): Promise<Pick<StoredMessage, 'id' | 'sha256' | 'type' | 'takenIn'> | undefined> {
  const [row] = await db
    .select({ id: simMessages.id, sha256: simMessages.sha256, type: simMessages.type, takenIn: simMessages.takenIn })
    .from(simMessages)
    .where(eq(simMessages.id, id));
  return row;
}

/** False when a message with this id exists already (a concurrent or earlier send). */
export async function insertMessage(tx: DbOrTx, row: NewMessage): Promise<boolean> {
  const inserted = await tx.insert(simMessages).values(row).onConflictDoNothing().returning({ id: simMessages.id });
  return inserted.length === 1;
}

export async function insertReplies(tx: DbOrTx, rows: NewReply[]): Promise<void> {
  if (rows.length) await tx.insert(simReplies).values(rows);
}

/** The 999 issued for a message (the first reply stored). */
export async function ackOf(db: DbOrTx, messageId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ xml: simReplies.xml })
    .from(simReplies)
    .where(and(eq(simReplies.messageId, messageId), eq(simReplies.type, 999)))
    .orderBy(asc(simReplies.id))
    .limit(1);
  return row?.xml;
}

/** Replies visible at `now`, the 999 first; undefined when the message is unknown. */
export async function visibleReplies(db: DbOrTx, messageId: string, now: Date): Promise<Array<{ type: number; xml: string }> | undefined> {
  const known = await findMessage(db, messageId);
  if (!known) return undefined;
  return db
    .select({ type: simReplies.type, xml: simReplies.xml })
    .from(simReplies)
    .where(and(eq(simReplies.messageId, messageId), lte(simReplies.readyAt, now)))
    .orderBy(asc(simReplies.readyAt), asc(simReplies.id));
}

export async function getSeller(db: DbOrTx, taxCode: string): Promise<Seller | undefined> {
  const [row] = await db.select().from(simSellers).where(eq(simSellers.taxCode, taxCode));
  return row;
}

export interface NewSeller {
  taxCode: string;
  mttCode: string;
  name?: string | null;
  certificateFingerprint?: string | null;
  certificates?: SimRegisteredCertificate[];
  registeredAt: Date;
}

/** False when the tax code or the MTT code is taken. */
export async function insertSeller(tx: DbOrTx, s: NewSeller): Promise<boolean> {
  const inserted = await tx
    .insert(simSellers)
    .values({ ...s, certificates: s.certificates ?? [], updatedAt: s.registeredAt })
    .onConflictDoNothing()
    .returning({ taxCode: simSellers.taxCode });
  return inserted.length === 1;
}

export async function updateSellerCertificates(
  tx: DbOrTx,
  taxCode: string,
  p: { name: string | null; certificateFingerprint: string | null; certificates: SimRegisteredCertificate[]; now: Date },
): Promise<void> {
  await tx
    .update(simSellers)
    .set({ name: p.name, certificateFingerprint: p.certificateFingerprint, certificates: p.certificates, updatedAt: p.now })
    .where(eq(simSellers.taxCode, taxCode));
}

/** Which of these codes and numbers (one seller, form, symbol) were accepted before. */
export async function alreadyAccepted(
  db: DbOrTx,
  p: { taxCode: string; form: number; symbol: string; mttCodes: string[]; numbers: number[] },
): Promise<{ codes: Set<string>; numbers: Set<number> }> {
  const codes = new Set<string>();
  const numbers = new Set<number>();
  if (p.mttCodes.length) {
    const rows = await db
      .select({ mttCode: simAcceptedInvoices.mttCode })
      .from(simAcceptedInvoices)
      .where(and(eq(simAcceptedInvoices.taxCode, p.taxCode), inArray(simAcceptedInvoices.mttCode, p.mttCodes)));
    for (const r of rows) codes.add(r.mttCode);
  }
  if (p.numbers.length) {
    const rows = await db
      .select({ number: simAcceptedInvoices.number })
      .from(simAcceptedInvoices)
      .where(
        and(
          eq(simAcceptedInvoices.taxCode, p.taxCode),
          eq(simAcceptedInvoices.form, p.form),
          eq(simAcceptedInvoices.symbol, p.symbol),
          inArray(simAcceptedInvoices.number, p.numbers),
        ),
      );
    for (const r of rows) numbers.add(r.number);
  }
  return { codes, numbers };
}

/** Inserts what is not there yet; returns the MCCQTs actually inserted (the rest lost a race). */
export async function insertAcceptedInvoices(tx: DbOrTx, rows: NewAcceptedInvoice[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await tx.insert(simAcceptedInvoices).values(rows).onConflictDoNothing().returning({ mttCode: simAcceptedInvoices.mttCode });
  return new Set(inserted.map((r) => r.mttCode));
}

/** Which of these `form;symbol;number` keys the seller has had accepted. */
export async function acceptedKeys(db: DbOrTx, taxCode: string, keys: Array<{ form: number; symbol: string; number: number }>): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ form: simAcceptedInvoices.form, symbol: simAcceptedInvoices.symbol, number: simAcceptedInvoices.number })
    .from(simAcceptedInvoices)
    .where(and(eq(simAcceptedInvoices.taxCode, taxCode), inArray(simAcceptedInvoices.number, keys.map((k) => k.number))));
  return new Set(rows.map((r) => `${r.form};${r.symbol};${r.number}`));
}

export async function findAcceptedInvoices(db: DbOrTx, taxCode: string, mttCodes: string[]): Promise<AcceptedInvoice[]> {
  if (mttCodes.length === 0) return [];
  return db
    .select()
    .from(simAcceptedInvoices)
    .where(and(eq(simAcceptedInvoices.taxCode, taxCode), inArray(simAcceptedInvoices.mttCode, mttCodes)));
}

export async function listAcceptedInvoices(db: DbOrTx, taxCode?: string): Promise<AcceptedInvoice[]> {
  const q = db.select().from(simAcceptedInvoices);
  return (taxCode === undefined ? q : q.where(eq(simAcceptedInvoices.taxCode, taxCode))).orderBy(asc(simAcceptedInvoices.id));
}

/** Adds `n` to a persistent counter and returns its new value. */
export async function bumpCounter(tx: DbOrTx, name: CounterName, n = 1): Promise<number> {
  const [row] = await tx
    .insert(simSettings)
    .values({ key: COUNTER_PREFIX + name, value: String(n) })
    .onConflictDoUpdate({
      target: simSettings.key,
      set: { value: sql`(${simSettings.value}::bigint + ${n})::text`, updatedAt: sql`now()` },
    })
    .returning({ value: simSettings.value });
  return Number(row?.value ?? n);
}

export async function counters(db: DbOrTx): Promise<Record<string, number>> {
  const rows = await db.select().from(simSettings).where(like(simSettings.key, `${COUNTER_PREFIX}%`));
  return Object.fromEntries(rows.map((r) => [r.key.slice(COUNTER_PREFIX.length), Number(r.value)]));
}

export async function messageCountsByType(db: DbOrTx): Promise<Record<string, number>> {
  const rows = await db.select({ type: simMessages.type, n: count() }).from(simMessages).groupBy(simMessages.type);
  return Object.fromEntries(rows.map((r) => [String(r.type), Number(r.n)]));
}

export async function acceptedInvoiceCount(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: count() }).from(simAcceptedInvoices);
  return Number(row?.n ?? 0);
}

/** Forgets every message, reply, seller, invoice and counter; keeps the signing identity. */
export async function resetState(db: DbOrTx): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(simReplies);
    await tx.delete(simMessages);
    await tx.delete(simAcceptedInvoices);
    await tx.delete(simSellers);
    await tx.delete(simSettings).where(ne(simSettings.key, IDENTITY_SETTING_KEY));
  });
}
