// Incremental statistics: every issued invoice adds itself to its business's hourly and daily
// rollup rows, and to its terminal's hourly row, inside the issuing statement (issue.ts);
// an acceptance after the deadline adds to the business rows' `late` counts inside the transaction
// that records the authority's answer. The rows commit or roll back with the invoice, so the
// rollups always equal the invoices.
//
// Corrections (replace / adjust): rollups are signed sums.
// - An adjustment invoice is issued like any invoice and adds its own signed amounts.
// - A replacement adds itself and subtracts its original, in its original's hour and day: the
//   original drops out of every series ("replaced originals drop out"). This happens here, in
//   `rollupDeltas`, whenever the issued row has kind 'replacement' and a related invoice. The
//   corrections code must therefore not subtract the original again; marking the original
//   `replaced` is its only job. The original's `late` count stays: the late transmission happened.
import { sql, type SQL } from 'drizzle-orm';
import { inIds, preparedRows, queryRows, type DbOrTx } from '../../db/client.js';

/** What the rollups need of an invoice row (InvoiceRow has all of it). */
export interface RolledInvoice {
  businessId: string;
  terminalId: string | null;
  provinceCode: string;
  issuedAt: Date;
  /** Business date of issue, 'YYYY-MM-DD'. */
  businessDate: string;
  beforeVat: number;
  vat: number;
  total: number;
  kind?: string;
  relatedInvoiceId?: string | null;
}

const HOUR_MS = 3_600_000;

/** Start of the hour of an instant. Vietnam's offset is a whole number of hours, so UTC hours are local hours. */
export function hourStart(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
}

/** What issuing adds to each rollup table: one entry per row touched (see storeRollups). */
export interface RollupDeltas {
  hourly: Array<{ businessId: string; hour: string; provinceCode: string } & Sums>;
  terminal: Array<{ terminalId: string; hour: string; businessId: string } & Sums>;
  daily: Array<{ businessId: string; day: string; provinceCode: string } & Sums>;
}

/**
 * The rollup changes of issuing these invoices: each adds itself, a replacement also subtracts its
 * original (in the original's hour and day; read them with `originalsOf`). Summed per rollup row,
 * as one upsert cannot touch a row twice.
 */
export function rollupDeltas(invs: readonly RolledInvoice[], originals: readonly RolledInvoice[] = []): RollupDeltas {
  const hourly = new Map<string, RollupDeltas['hourly'][number]>();
  const terminal = new Map<string, RollupDeltas['terminal'][number]>();
  const daily = new Map<string, RollupDeltas['daily'][number]>();
  const add = (inv: RolledInvoice, sign: 1 | -1) => {
    const hour = hourStart(inv.issuedAt).toISOString();
    addTo(hourly, `${inv.businessId}|${hour}`, { businessId: inv.businessId, hour, provinceCode: inv.provinceCode }, inv, sign);
    if (inv.terminalId) addTo(terminal, `${inv.terminalId}|${hour}`, { terminalId: inv.terminalId, hour, businessId: inv.businessId }, inv, sign);
    addTo(daily, `${inv.businessId}|${inv.businessDate}`, { businessId: inv.businessId, day: inv.businessDate, provinceCode: inv.provinceCode }, inv, sign);
  };
  for (const inv of invs) add(inv, 1);
  for (const o of originals) add(o, -1);
  return { hourly: [...hourly.values()], terminal: [...terminal.values()], daily: [...daily.values()] };
}

/** The originals that replacements among `invs` drop out of the rollups. */
export async function originalsOf(tx: DbOrTx, invs: readonly RolledInvoice[]): Promise<RolledInvoice[]> {
  const ids = invs.flatMap((i) => (i.kind === 'replacement' && i.relatedInvoiceId ? [i.relatedInvoiceId] : []));
  if (ids.length === 0) return [];
  const rows = await queryRows<{
    business_id: string;
    terminal_id: string | null;
    province_code: string;
    issued_at: string | Date;
    business_date: string;
    before_vat: string | number;
    vat: string | number;
    total: string | number;
  }>(
    tx,
    sql`select business_id, terminal_id, province_code, issued_at, to_char(business_date, 'YYYY-MM-DD') as business_date, before_vat, vat, total
        from invoices where id in (${sql.join(
          ids.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
  );
  return rows.map((o) => ({
    businessId: o.business_id,
    terminalId: o.terminal_id,
    provinceCode: o.province_code,
    issuedAt: new Date(o.issued_at),
    businessDate: o.business_date,
    beforeVat: Number(o.before_vat),
    vat: Number(o.vat),
    total: Number(o.total),
  }));
}

type Sums = { invoices: number; revenue: number; vat: number; total: number; replacements: number; adjustments: number };

function addTo<K>(m: Map<string, K & Sums>, key: string, base: K, inv: RolledInvoice, sign: 1 | -1): void {
  const row = m.get(key) ?? { ...base, invoices: 0, revenue: 0, vat: 0, total: 0, replacements: 0, adjustments: 0 };
  row.invoices += sign;
  row.revenue += sign * inv.beforeVat;
  row.vat += sign * inv.vat;
  row.total += sign * inv.total;
  // Corrections are counted by their own issue time; a subtracted original is not one.
  if (sign === 1 && inv.kind === 'replacement') row.replacements += 1;
  if (sign === 1 && inv.kind === 'adjustment') row.adjustments += 1;
  m.set(key, row);
}

const SUMS = sql.raw('invoices int, revenue bigint, vat bigint, total bigint, replacements int, adjustments int');
const ADD_MONEY = sql.raw(`invoices = s.invoices + excluded.invoices, revenue = s.revenue + excluded.revenue,
  vat = s.vat + excluded.vat, total = s.total + excluded.total`);
const ADD_ALL = sql`${ADD_MONEY}, replacements = s.replacements + excluded.replacements, adjustments = s.adjustments + excluded.adjustments`;

/**
 * The upserts of `d` as data-modifying CTEs (named `hourly`, `terminal`, `daily`) for the issuing
 * statement. The text is the same whatever the deltas (they travel as three jsonb parameters), so
 * the statement stays prepared.
 */
export function rollupUpserts(d: RollupDeltas): SQL {
  const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;
  return sql`hourly as (
      insert into stats_hourly as s (business_id, hour_start, province_code, invoices, revenue, vat, total, replacements, adjustments)
      select "businessId", hour, "provinceCode", invoices, revenue, vat, total, replacements, adjustments
      from jsonb_to_recordset(${json(d.hourly)}) as t("businessId" uuid, hour timestamptz, "provinceCode" text, ${SUMS})
      on conflict (business_id, hour_start) do update set ${ADD_ALL}
    ), terminal as (
      insert into stats_terminal_hourly as s (terminal_id, hour_start, business_id, invoices, revenue, vat, total)
      select "terminalId", hour, "businessId", invoices, revenue, vat, total
      from jsonb_to_recordset(${json(d.terminal)}) as t("terminalId" uuid, hour timestamptz, "businessId" uuid, ${SUMS})
      on conflict (terminal_id, hour_start) do update set ${ADD_MONEY}
    ), daily as (
      insert into stats_daily as s (business_id, day, province_code, invoices, revenue, vat, total, replacements, adjustments)
      select "businessId", day, "provinceCode", invoices, revenue, vat, total, replacements, adjustments
      from jsonb_to_recordset(${json(d.daily)}) as t("businessId" uuid, day date, "provinceCode" text, ${SUMS})
      on conflict (business_id, day) do update set ${ADD_ALL}
    )`;
}

/**
 * Call after invoices were marked accepted (invoice_transmissions rows with their `late` flag), in
 * the same transaction: the late ones among them are added to their rows' late counts.
 */
export async function recordAccepted(tx: DbOrTx, invoiceIds: readonly string[]): Promise<void> {
  if (invoiceIds.length === 0) return;
  await preparedRows(
    tx,
    'rollups_late',
    sql`
    with late as (
      select i.business_id, date_trunc('hour', i.issued_at, 'UTC') as hour_start, i.business_date, count(*)::int as n
      from invoice_transmissions t join invoices i on i.id = t.invoice_id
      where ${inIds(sql`t.invoice_id`, invoiceIds)} and t.late
      group by 1, 2, 3
    ), hourly as (
      update stats_hourly s set late = s.late + l.n
      from (select business_id, hour_start, sum(n)::int as n from late group by 1, 2) l
      where s.business_id = l.business_id and s.hour_start = l.hour_start
    )
    update stats_daily s set late = s.late + l.n
    from (select business_id, business_date, sum(n)::int as n from late group by 1, 2) l
    where s.business_id = l.business_id and s.day = l.business_date`,
  );
}

/**
 * Recomputes every rollup from the invoices (replaced originals out, their late counts kept), for
 * data written around issueInvoice, e.g. bulk copies in benchmarks. Takes a table lock: not for a
 * live gateway under load.
 */
export async function rebuildRollups(db: DbOrTx): Promise<void> {
  const live = sql`status <> 'replaced'`;
  const late = sql`exists (select 1 from invoice_transmissions t where t.invoice_id = invoices.id and t.late)`;
  const corrections = sql`count(*) filter (where kind = 'replacement'), count(*) filter (where kind = 'adjustment')`;
  await db.execute(sql`truncate stats_hourly, stats_terminal_hourly, stats_daily`);
  await db.execute(sql`
    insert into stats_hourly (business_id, hour_start, province_code, invoices, revenue, vat, total, late, replacements, adjustments)
    select business_id, date_trunc('hour', issued_at, 'UTC'), min(province_code), count(*) filter (where ${live}),
      coalesce(sum(before_vat) filter (where ${live}), 0), coalesce(sum(vat) filter (where ${live}), 0),
      coalesce(sum(total) filter (where ${live}), 0), count(*) filter (where ${late}), ${corrections}
    from invoices group by 1, 2`);
  await db.execute(sql`
    insert into stats_terminal_hourly (terminal_id, hour_start, business_id, invoices, revenue, vat, total)
    select terminal_id, date_trunc('hour', issued_at, 'UTC'), business_id, count(*) filter (where ${live}),
      coalesce(sum(before_vat) filter (where ${live}), 0), coalesce(sum(vat) filter (where ${live}), 0),
      coalesce(sum(total) filter (where ${live}), 0)
    from invoices where terminal_id is not null group by 1, 2, 3`);
  await db.execute(sql`
    insert into stats_daily (business_id, day, province_code, invoices, revenue, vat, total, late, replacements, adjustments)
    select business_id, business_date, min(province_code), count(*) filter (where ${live}),
      coalesce(sum(before_vat) filter (where ${live}), 0), coalesce(sum(vat) filter (where ${live}), 0),
      coalesce(sum(total) filter (where ${live}), 0), count(*) filter (where ${late}), ${corrections}
    from invoices group by 1, 2`);
}
