// The simulator's repository: plain functions of (db | tx, params) over the authority_sim tables.
import { and, asc, count, eq, inArray, like, lte, ne, or, sql } from 'drizzle-orm';
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

/** Which of these codes and numbers (one seller, form, symbol) were accepted before: one query for both. */
export async function alreadyAccepted(
  db: DbOrTx,
  p: { taxCode: string; form: number; symbol: string; mttCodes: string[]; numbers: number[] },
): Promise<{ codes: Set<string>; numbers: Set<number> }> {
  const codes = new Set<string>();
  const numbers = new Set<number>();
  if (p.mttCodes.length === 0 && p.numbers.length === 0) return { codes, numbers };
  const t = simAcceptedInvoices;
  const sameNumbering = (r: { form: number; symbol: string }): boolean => r.form === p.form && r.symbol === p.symbol;
  const rows = await db
    .select({ mttCode: t.mttCode, form: t.form, symbol: t.symbol, number: t.number })
    .from(t)
    .where(
      and(
        eq(t.taxCode, p.taxCode),
        or(
          p.mttCodes.length ? inArray(t.mttCode, p.mttCodes) : undefined,
          p.numbers.length ? and(eq(t.form, p.form), eq(t.symbol, p.symbol), inArray(t.number, p.numbers)) : undefined,
        ),
      ),
    );
  // A row may have come for its code or for its number: sort each into what it matched.
  const wantedCodes = new Set(p.mttCodes);
  const wantedNumbers = new Set(p.numbers);
  for (const r of rows) {
    if (wantedCodes.has(r.mttCode)) codes.add(r.mttCode);
    if (sameNumbering(r) && wantedNumbers.has(r.number)) numbers.add(r.number);
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
  return (await bumpCounters(tx, [[name, n]]))[name] ?? n;
}

/**
 * Adds to several counters in one statement and returns their new values. Rows are taken in the
 * order given: callers keep one order (duplicates, invoices_rejected, notice_number) so that
 * concurrent transactions lock the counters alike.
 */
export async function bumpCounters(tx: DbOrTx, adds: ReadonlyArray<readonly [CounterName, number]>): Promise<Partial<Record<CounterName, number>>> {
  if (adds.length === 0) return {};
  const rows = await tx
    .insert(simSettings)
    .values(adds.map(([name, n]) => ({ key: COUNTER_PREFIX + name, value: String(n) })))
    .onConflictDoUpdate({
      target: simSettings.key,
      set: { value: sql`(${simSettings.value}::bigint + excluded.value::bigint)::text`, updatedAt: sql`now()` },
    })
    .returning({ key: simSettings.key, value: simSettings.value });
  return Object.fromEntries(rows.map((r) => [r.key.slice(COUNTER_PREFIX.length), Number(r.value)]));
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
