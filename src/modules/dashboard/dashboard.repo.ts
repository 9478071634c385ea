// What the staff dashboard needs beyond the public statistics: figures per province, and the
// health of one business's invoice numbering and signatures. Reads only.
import { desc, eq, sql } from 'drizzle-orm';
import { queryRows, type Db, type DbOrTx } from '../../db/client.js';
import { invoiceDocuments, invoices } from '../../db/schema/index.js';
import { storedXmlColumns, xmlStoreOf } from '../../invoice/xml-store.js';
import { inScope, type ProvinceScope } from '../stats/scope.js';

export interface ProvinceRow {
  provinceCode: string;
  businesses: number;
  terminals: number;
  invoices: number;
  revenue: number;
  total: number;
  late: number;
  flagged: number;
}

/**
 * One row per province that has an active business or invoices in [from, to] (business dates),
 * within a non-empty scope. `flagged`: businesses of the latest risk evaluation scored above 0.
 */
export async function readProvinces(db: DbOrTx, scope: ProvinceScope, r: { from: string; to: string }): Promise<ProvinceRow[]> {
  const rows = await queryRows<Record<string, string | number>>(
    db,
    sql`with b as (
        select province_code, count(*) as businesses from businesses where status = 'active'${inScope(sql`province_code`, scope)} group by 1
      ), t as (
        select b.province_code, count(*) as terminals from terminals t join businesses b on b.id = t.business_id
        where t.revoked_at is null and b.status = 'active'${inScope(sql`b.province_code`, scope)} group by 1
      ), d as (
        select province_code, sum(invoices) as invoices, sum(revenue) as revenue, sum(total) as total, sum(late) as late
        from stats_daily where day between ${r.from}::date and ${r.to}::date${inScope(sql`province_code`, scope)} group by 1
      ), f as (
        select province_code, count(*) as flagged from risk_scores
        where evaluation_id = (select id from risk_evaluations order by evaluated_at desc, id desc limit 1)
          and score > 0${inScope(sql`province_code`, scope)} group by 1
      )
      select p.province_code, coalesce(b.businesses, 0) as businesses, coalesce(t.terminals, 0) as terminals,
        coalesce(d.invoices, 0) as invoices, coalesce(d.revenue, 0) as revenue, coalesce(d.total, 0) as total,
        coalesce(d.late, 0) as late, coalesce(f.flagged, 0) as flagged
      from (select province_code from b union select province_code from d) p
        left join b using (province_code) left join t using (province_code) left join d using (province_code) left join f using (province_code)
      order by p.province_code`,
  );
  return rows.map((x) => ({
    provinceCode: String(x.province_code),
    businesses: Number(x.businesses),
    terminals: Number(x.terminals),
    invoices: Number(x.invoices),
    revenue: Number(x.revenue),
    total: Number(x.total),
    late: Number(x.late),
    flagged: Number(x.flagged),
  }));
}

export interface SequenceRow {
  form: number;
  symbol: string;
  first: number;
  last: number;
  invoices: number;
  /** Numbers the counter handed out beyond the last stored invoice (should be 0: numbers are allocated in the issuing transaction). */
  allocatedBeyond: number;
}

/** Each numbering series (form, symbol) of a business: first and last number, count, and the counter. */
export async function readSequences(db: DbOrTx, businessId: string): Promise<SequenceRow[]> {
  const rows = await queryRows<Record<string, string | number | null>>(
    db,
    sql`select i.form, i.symbol, min(i.number) as first, max(i.number) as last, count(*) as invoices,
          (select max(s.last_value) from sequences s where s.business_id = ${businessId} and s.scope = 'n:' || i.form || i.symbol) as counter
        from invoices i where i.business_id = ${businessId}
        group by i.form, i.symbol order by i.symbol desc, i.form`,
  );
  return rows.map((x) => {
    const last = Number(x.last);
    return {
      form: Number(x.form),
      symbol: String(x.symbol),
      first: Number(x.first),
      last,
      invoices: Number(x.invoices),
      allocatedBeyond: x.counter === null ? 0 : Math.max(0, Number(x.counter) - last),
    };
  });
}

/** Missing runs of numbers inside a series, the first `limit` of them. */
export async function readGaps(db: DbOrTx, businessId: string, s: { form: number; symbol: string }, limit: number): Promise<Array<{ from: number; to: number }>> {
  const rows = await queryRows<{ from: number | string; to: number | string }>(
    db,
    sql`select number + 1 as "from", next - 1 as "to" from (
          select number, lead(number) over (order by number) as next
          from invoices where business_id = ${businessId} and form = ${s.form} and symbol = ${s.symbol}) n
        where next > number + 1 order by number limit ${limit}`,
  );
  return rows.map((g) => ({ from: Number(g.from), to: Number(g.to) }));
}

/** The newest invoices of a business with their signed XML, for checking signatures. */
export async function readRecentXml(db: Db, businessId: string, limit: number): Promise<Array<{ id: string; xml: string }>> {
  const rows = await db
    .select({ id: invoices.id, ...storedXmlColumns })
    .from(invoices)
    .leftJoin(invoiceDocuments, eq(invoiceDocuments.invoiceId, invoices.id))
    .where(eq(invoices.businessId, businessId))
    .orderBy(desc(invoices.issuedAt), desc(invoices.id))
    .limit(limit);
  const xml = await xmlStoreOf(db).read(db, rows);
  return rows.map((r, i) => ({ id: r.id, xml: xml[i]! }));
}
