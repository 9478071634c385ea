// What the risk engine knows about each registered business, read in a handful of queries over the
// statistics rollups (never a scan of invoices, except the small partial index of open
// transmissions and the buyer-ID index). Plain objects out; the judging is pure (signals.ts).
import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client.js';
import { addDays, businessDate, startOfBusinessDay } from '../../domain/dates.js';
import type { RiskRules } from './rules.js';

export interface DayFigures {
  invoices: number;
  revenue: number;
  total: number;
  late: number;
  /** Replacement and adjustment invoices issued that day. */
  corrections: number;
}

export interface TerminalActivity {
  id: string;
  name: string;
  /** Start of the last hour the terminal issued in. */
  lastHour: Date;
  firstHour: Date;
  invoices: number;
}

export interface SharedId {
  /** A short, non-reversible reference: the first hex digits of the ID's keyed hash. */
  ref: string;
  businesses: number;
  provinces: number;
  usesHere: number;
}

export interface BusinessFacts {
  id: string;
  taxCode: string;
  name: string;
  provinceCode: string;
  sector: string;
  /** Business date it became active (or was created). */
  since: string;
  /** Registered terminals, not revoked. */
  terminals: number;
  /** Business date → figures, over the look-back window. */
  days: Map<string, DayFigures>;
  /** Invoices by local hour of day (0–23). */
  hours: { baseline: number[]; recent: number[] };
  terminalActivity: TerminalActivity[];
  /** Start of the last hour with an invoice (any terminal or none). */
  lastHour?: Date;
  pendingOverdue: number;
  sharedIds: SharedId[];
}

export interface EvaluationWindow {
  now: Date;
  today: string;
  /** First day of the look-back: baseline weeks + recent days before today. */
  start: string;
  recentStart: string;
}

export function evaluationWindow(now: Date, rules: RiskRules): EvaluationWindow {
  const today = businessDate(now);
  const recentStart = addDays(today, -rules.window.recentDays);
  return { now, today, recentStart, start: addDays(recentStart, -7 * rules.window.baselineWeeks) };
}

type Num = string | number;

export async function gatherFacts(db: DbOrTx, w: EvaluationWindow, rules: RiskRules): Promise<BusinessFacts[]> {
  const startAt = startOfBusinessDay(w.start).toISOString();
  const recentAt = startOfBusinessDay(w.recentStart).toISOString();
  const todayAt = startOfBusinessDay(w.today).toISOString();
  const peerStart = addDays(w.today, -rules.window.peerDays);

  const rows = await queryRows<{ id: string; tax_code: string; name: string; province_code: string; sector: string; since: string | Date; terminals: Num }>(
    db,
    sql`select b.id, b.tax_code, b.name, b.province_code, b.sector, coalesce(b.activated_at, b.created_at) as since,
          (select count(*) from terminals t where t.business_id = b.id and t.revoked_at is null) as terminals
        from businesses b where b.status = 'active'`,
  );
  const facts = new Map<string, BusinessFacts>();
  for (const r of rows) {
    facts.set(r.id, {
      id: r.id,
      taxCode: r.tax_code,
      name: r.name,
      provinceCode: r.province_code,
      sector: r.sector,
      since: businessDate(new Date(r.since)),
      terminals: Number(r.terminals),
      days: new Map(),
      hours: { baseline: new Array<number>(24).fill(0), recent: new Array<number>(24).fill(0) },
      terminalActivity: [],
      pendingOverdue: 0,
      sharedIds: [],
    });
  }

  const days = await queryRows<{ business_id: string; day: string; invoices: Num; revenue: Num; total: Num; late: Num; corrections: Num }>(
    db,
    sql`select business_id, to_char(day, 'YYYY-MM-DD') as day, invoices, revenue, total, late, replacements + adjustments as corrections
        from stats_daily where day >= ${w.start}::date and day <= ${w.today}::date`,
  );
  for (const d of days) {
    facts.get(d.business_id)?.days.set(d.day, {
      invoices: Number(d.invoices),
      revenue: Number(d.revenue),
      total: Number(d.total),
      late: Number(d.late),
      corrections: Number(d.corrections),
    });
  }

  // Local hour = UTC hour + 7 (no DST in Vietnam).
  const hours = await queryRows<{ business_id: string; h: Num; recent: Num; baseline: Num; last: string | Date }>(
    db,
    sql`select business_id, (extract(hour from hour_start at time zone 'UTC')::int + 7) % 24 as h,
          coalesce(sum(invoices) filter (where hour_start >= ${recentAt}::timestamptz and hour_start < ${todayAt}::timestamptz), 0) as recent,
          coalesce(sum(invoices) filter (where hour_start < ${recentAt}::timestamptz), 0) as baseline,
          max(hour_start) filter (where invoices > 0) as last
        from stats_hourly where hour_start >= ${startAt}::timestamptz
        group by 1, 2`,
  );
  for (const h of hours) {
    const f = facts.get(h.business_id);
    if (!f) continue;
    f.hours.recent[Number(h.h)] = Number(h.recent);
    f.hours.baseline[Number(h.h)] = Number(h.baseline);
    if (h.last) {
      const last = new Date(h.last);
      if (!f.lastHour || last > f.lastHour) f.lastHour = last;
    }
  }

  const terminals = await queryRows<{ terminal_id: string; business_id: string; name: string; n: Num; first: string | Date; last: string | Date }>(
    db,
    sql`select s.terminal_id, t.business_id, t.name, sum(s.invoices) as n, min(s.hour_start) as first, max(s.hour_start) as last
        from stats_terminal_hourly s join terminals t on t.id = s.terminal_id
        where s.hour_start >= ${startAt}::timestamptz and s.invoices > 0 and t.revoked_at is null
        group by 1, 2, 3`,
  );
  for (const t of terminals) {
    facts.get(t.business_id)?.terminalActivity.push({ id: t.terminal_id, name: t.name, invoices: Number(t.n), firstHour: new Date(t.first), lastHour: new Date(t.last) });
  }

  const overdue = await queryRows<{ business_id: string; n: Num }>(
    db,
    // Past its deadline (midnight after its business date, UTC+7): issued before today began.
    sql`select business_id, count(*) as n from unaccepted_invoices
        where not rejected and issued_at < ${startOfBusinessDay(businessDate(w.now)).toISOString()}::timestamptz
        group by 1`,
  );
  for (const o of overdue) {
    const f = facts.get(o.business_id);
    if (f) f.pendingOverdue = Number(o.n);
  }

  const shared = await queryRows<{ business_id: string; id_hash: string; businesses: Num; provinces: Num; uses: Num }>(
    db,
    sql`with ids as (
          select id_hash, count(distinct business_id) as businesses, count(distinct province_code) as provinces
          from buyer_links where issued_at >= ${startOfBusinessDay(peerStart).toISOString()}::timestamptz
          group by id_hash having count(distinct business_id) >= ${rules.sharedBuyerId.minBusinesses}
        )
        select l.business_id, l.id_hash, ids.businesses, ids.provinces, count(*) as uses
        from buyer_links l join ids on ids.id_hash = l.id_hash
        where l.issued_at >= ${startOfBusinessDay(peerStart).toISOString()}::timestamptz
        group by 1, 2, 3, 4`,
  );
  for (const s of shared) {
    facts.get(s.business_id)?.sharedIds.push({
      ref: (s.id_hash.split(':').pop() ?? '').slice(0, 8),
      businesses: Number(s.businesses),
      provinces: Number(s.provinces),
      usesHere: Number(s.uses),
    });
  }
  return [...facts.values()];
}
