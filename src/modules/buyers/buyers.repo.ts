// Invoices of a buyer through the keyed-hash index (buyer_links), across businesses, limited to
// the provinces the officer covers.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { businesses, buyerLinks, invoices } from '../../db/schema/index.js';

/** Null: every province (admins). */
export type ProvinceScope = string[] | null;

function where(idHash: string, provinces: ProvinceScope) {
  return and(eq(buyerLinks.idHash, idHash), provinces ? inArray(buyerLinks.provinceCode, provinces) : undefined);
}

export async function invoicesOfBuyer(db: DbOrTx, idHash: string, provinces: ProvinceScope, limit: number) {
  return db
    .select({
      invoiceId: invoices.id,
      taxCode: invoices.taxCode,
      sellerName: businesses.name,
      provinceCode: invoices.provinceCode,
      issuedAt: invoices.issuedAt,
      businessDate: invoices.businessDate,
      total: invoices.total,
      code: invoices.mttCode,
      form: invoices.form,
      symbol: invoices.symbol,
      number: invoices.number,
      status: invoices.status,
    })
    .from(buyerLinks)
    .innerJoin(invoices, eq(invoices.id, buyerLinks.invoiceId))
    .innerJoin(businesses, eq(businesses.id, invoices.businessId))
    .where(where(idHash, provinces))
    .orderBy(desc(buyerLinks.issuedAt), desc(buyerLinks.invoiceId))
    .limit(limit);
}

export interface BuyerSummary {
  count: number;
  total: number;
  first: Date | null;
  last: Date | null;
}

export async function summaryOfBuyer(db: DbOrTx, idHash: string, provinces: ProvinceScope): Promise<BuyerSummary> {
  const [row] = await db
    .select({
      count: sql<number>`count(*)::int`,
      // Summed as text: a bigint sum comes back as numeric, which drivers hand over as a string.
      total: sql<string>`coalesce(sum(${invoices.total}), 0)::text`,
      first: sql<Date | null>`min(${buyerLinks.issuedAt})`.mapWith(buyerLinks.issuedAt),
      last: sql<Date | null>`max(${buyerLinks.issuedAt})`.mapWith(buyerLinks.issuedAt),
    })
    .from(buyerLinks)
    .innerJoin(invoices, eq(invoices.id, buyerLinks.invoiceId))
    .where(where(idHash, provinces));
  return { count: Number(row?.count ?? 0), total: Number(row?.total ?? 0), first: row?.first ?? null, last: row?.last ?? null };
}
