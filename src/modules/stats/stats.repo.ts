// Reads of the statistics rollups. Plain functions of (db, params) returning plain objects. Every
// query sums rollup rows (one per business and hour, or business and day) over an index on time or
// (province, time); none reads invoices except the small partial index of open transmissions.
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client.js';
import { startOfBusinessDay } from '../../domain/dates.js';
import { inScope, type ProvinceScope } from './scope.js';
import type { Granularity } from './stats.schemas.js';

export interface BucketSums {
  invoices: number;
  revenue: number;
  vat: number;
  total: number;
  businesses: number;
  replacements: number;
  adjustments: number;
}

export interface VolumeRange {
  granularity: Granularity;
  /** Start of the first bucket. */
  from: Date;
  /** Start of the bucket after the last one. */
  toExclusive: Date;
  /** Business dates of the same range (day and month buckets). */
  fromDate: string;
  toDateExclusive: string;
  scope: ProvinceScope;
  taxCode?: string;
}

type Num = string | number;
type SumRow = { k: string; invoices: Num; revenue: Num; vat: Num; total: Num; businesses: Num; replacements: Num; adjustments: Num };
const corrections = sql`sum(replacements) as replacements, sum(adjustments) as adjustments`;

/** Sums per bucket, keyed by the bucket start in epoch milliseconds (hour) or its business date (day, month). */
export async function readVolume(db: DbOrTx, r: VolumeRange): Promise<Map<string, BucketSums>> {
  const filters = sql`${inScope(sql`province_code`, r.scope)}${r.taxCode ? sql` and business_id in (select id from businesses where tax_code = ${r.taxCode})` : sql``}`;
  // Rows are one per business and hour (or day): a business counts once per bucket by counting rows.
  // Groups are on the raw column; keys are formatted for the few buckets only.
  let query: SQL;
  if (r.granularity === 'hour') {
    query = sql`select (extract(epoch from bucket) * 1000)::bigint::text as k, invoices, revenue, vat, total, businesses, replacements, adjustments
      from (select hour_start as bucket, sum(invoices) as invoices, sum(revenue) as revenue, sum(vat) as vat, sum(total) as total,
              count(*) filter (where invoices > 0) as businesses, ${corrections}
            from stats_hourly
            where hour_start >= ${r.from.toISOString()}::timestamptz and hour_start < ${r.toExclusive.toISOString()}::timestamptz${filters}
            group by hour_start) g`;
  } else if (r.granularity === 'day') {
    query = sql`select to_char(bucket, 'YYYY-MM-DD') as k, invoices, revenue, vat, total, businesses, replacements, adjustments
      from (select day as bucket, sum(invoices) as invoices, sum(revenue) as revenue, sum(vat) as vat, sum(total) as total,
              count(*) filter (where invoices > 0) as businesses, ${corrections}
            from stats_daily
            where day >= ${r.fromDate}::date and day < ${r.toDateExclusive}::date${filters}
            group by day) g`;
  } else {
    // Per business and month first, so a business counts once per month.
    query = sql`select to_char(bucket, 'YYYY-MM-DD') as k, sum(i) as invoices, sum(rv) as revenue, sum(v) as vat, sum(t) as total,
          count(*) filter (where i > 0) as businesses, sum(rp) as replacements, sum(ad) as adjustments
      from (select business_id, day - (extract(day from day)::int - 1) as bucket,
              sum(invoices) as i, sum(revenue) as rv, sum(vat) as v, sum(total) as t, sum(replacements) as rp, sum(adjustments) as ad
            from stats_daily
            where day >= ${r.fromDate}::date and day < ${r.toDateExclusive}::date${filters}
            group by 1, 2) per_business
      group by bucket`;
  }
  const rows = await queryRows<SumRow>(db, query);
  return new Map(
    rows.map((row) => [
      row.k,
      {
        invoices: Number(row.invoices),
        revenue: Number(row.revenue),
        vat: Number(row.vat),
        total: Number(row.total),
        businesses: Number(row.businesses),
        replacements: Number(row.replacements),
        adjustments: Number(row.adjustments),
      },
    ]),
  );
}

export interface Overview {
  businesses: { registered: number; active: number };
  terminals: number;
  today: { invoices: number; revenue: number; vat: number; total: number };
  backlog: { pending: number; oldestAgeSeconds: number };
  lateInvoices: number;
}

/**
 * One round trip. `today` (the business date of `now`), `activeSince` and `lateSince` are
 * business dates.
 */
export async function readOverview(db: DbOrTx, scope: ProvinceScope, p: { now: Date; today: string; activeSince: string; lateSince: string }): Promise<Overview> {
  const inB = inScope(sql`b.province_code`, scope);
  const inP = inScope(sql`province_code`, scope);
  const [r] = await queryRows<Record<string, string | number | null>>(
    db,
    sql`with today as (
        select coalesce(sum(invoices), 0) as i, coalesce(sum(revenue), 0) as r, coalesce(sum(vat), 0) as v, coalesce(sum(total), 0) as t
        from stats_daily where day = ${p.today}::date${inP}
      ), open as (
        -- Past its deadline (midnight after its business date, UTC+7): issued before today began.
        select count(*) as pending, min(issued_at) as oldest,
          count(*) filter (where issued_at >= ${vnMidnight(p.lateSince)} and issued_at < ${vnMidnight(p.today)}) as overdue
        from unaccepted_invoices where not rejected${inP}
      )
      select
        (select count(*) from businesses b where b.status = 'active'${inB}) as registered,
        (select count(distinct d.business_id) from stats_daily d join businesses b on b.id = d.business_id
           where b.status = 'active' and d.day >= ${p.activeSince}::date and d.invoices > 0${inB}) as active,
        (select count(*) from terminals t join businesses b on b.id = t.business_id
           where t.revoked_at is null and b.status = 'active'${inB}) as terminals,
        today.i as t_invoices, today.r as t_revenue, today.v as t_vat, today.t as t_total,
        open.pending, open.oldest, open.overdue,
        (select coalesce(sum(late), 0) from stats_daily where day >= ${p.lateSince}::date${inP}) as late_accepted
      from today, open`,
  );
  const n = (k: string) => Number(r?.[k] ?? 0);
  const oldest = r?.oldest ? new Date(r.oldest as string) : undefined;
  return {
    businesses: { registered: n('registered'), active: n('active') },
    terminals: n('terminals'),
    today: { invoices: n('t_invoices'), revenue: n('t_revenue'), vat: n('t_vat'), total: n('t_total') },
    backlog: {
      pending: n('pending'),
      oldestAgeSeconds: oldest ? Math.max(0, Math.round((p.now.getTime() - oldest.getTime()) / 1000)) : 0,
    },
    lateInvoices: n('late_accepted') + n('overdue'),
  };
}

/** The instant a business date begins (midnight, UTC+7), as SQL. */
const vnMidnight = (day: string) => sql`${startOfBusinessDay(day).toISOString()}::timestamptz`;
