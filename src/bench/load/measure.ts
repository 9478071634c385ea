// What the database and the processes say about a run: time from sale to acceptance, storage
// per invoice, the PostgreSQL backends working for us, the machine.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type postgres from 'postgres';
import { unpackXml } from '../../invoice/xml-store.js';
import type { Acceptance, Machine, StorageResult } from './types.js';

/**
 * Waits (up to `drainSeconds`) until every invoice issued since `from` is accepted or rejected,
 * then reads the time from issue to acceptance of those invoices.
 */
export async function drainAndMeasure(sql: postgres.Sql, from: Date, drainSeconds: number): Promise<Acceptance> {
  const t0 = Date.now();
  let lastCount = -1;
  while (Date.now() - t0 < drainSeconds * 1000) {
    const [r] = await sql<Array<{ open: number; n: number }>>`
      select (count(*) filter (where t.status is null or t.status not in ('accepted', 'rejected')))::int as open, count(*)::int as n
        from invoices i left join invoice_transmissions t on t.invoice_id = i.id where i.issued_at >= ${from}`;
    // Done when all are answered and no more arrive (requests a terminal gave up on may still be issuing).
    if ((r?.open ?? 0) === 0 && r?.n === lastCount) break;
    lastCount = r?.n ?? 0;
    await sleep(500);
  }
  const drained = (Date.now() - t0) / 1000;
  const [r] = await sql<Array<{ n: number; accepted: number; rejected: number; pct: number[] | null; max: number | null; last: Date | null }>>`
    select count(*)::int as n,
           (count(*) filter (where t.status = 'accepted'))::int as accepted,
           (count(*) filter (where t.status = 'rejected'))::int as rejected,
           percentile_cont(array[0.5, 0.95, 0.99]) within group (order by extract(epoch from t.accepted_at - i.issued_at))
             filter (where t.accepted_at is not null) as pct,
           max(extract(epoch from t.accepted_at - i.issued_at))::float8 as max,
           max(t.accepted_at) as last
      from invoices i left join invoice_transmissions t on t.invoice_id = i.id where i.issued_at >= ${from}`;
  const n = r?.n ?? 0;
  const accepted = r?.accepted ?? 0;
  const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1000) / 1000);
  const span = r?.last ? (r.last.getTime() - from.getTime()) / 1000 : 0;
  const [q] = await sql<Array<{ messages: number; m: number[] | null; s: number[] | null; a: number[] | null }>>`
    select count(distinct m.id)::int as messages,
           percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from m.created_at - i.issued_at)) as m,
           percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from m.received_at - m.created_at)) filter (where m.received_at is not null) as s,
           percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from t.accepted_at - m.received_at)) filter (where t.accepted_at is not null and m.received_at is not null) as a
      from invoices i join invoice_transmissions t on t.invoice_id = i.id join messages m on m.id = t.message_id
     where i.issued_at >= ${from}`;
  const pair = (xs: number[] | null | undefined) => ({ p50: round(xs?.[0]), p99: round(xs?.[1]) });
  const messages = q?.messages ?? 0;
  return {
    pipeline: {
      messages,
      invoicesPerMessage: messages ? Math.round((n / messages) * 10) / 10 : null,
      toMessage: pair(q?.m),
      toTakenIn: pair(q?.s),
      toAccepted: pair(q?.a),
    },
    invoices: n,
    accepted,
    rejected: r?.rejected ?? 0,
    unfinished: n - accepted - (r?.rejected ?? 0),
    p50s: round(r?.pct?.[0]),
    p95s: round(r?.pct?.[1]),
    p99s: round(r?.pct?.[2]),
    maxs: round(r?.max),
    acceptedPerSec: span > 0 ? Math.round((accepted / span) * 10) / 10 : null,
    drainSeconds: Math.round(drained * 10) / 10,
  };
}

/** Pids of the PostgreSQL backends connected to these databases right now. */
export async function backendPids(sql: postgres.Sql, databases: string[]): Promise<number[]> {
  const rows = await sql<Array<{ pid: number }>>`select pid from pg_stat_activity where datname = any(${databases}) and pid <> pg_backend_pid()`;
  return rows.map((r) => r.pid);
}

/** Every table of the gateway's schema (heap, TOAST, indexes) and the invoices in it, after a vacuum. */
export async function storageSnapshot(sql: postgres.Sql): Promise<{ invoices: number; totalBytes: number }> {
  await sql`vacuum analyze`;
  const [r] = await sql<Array<{ bytes: string; n: number }>>`
    select (select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = 'public' and c.relkind in ('r', 'p'))::text as bytes,
           (select count(*)::int from invoices) as n`;
  return { invoices: r?.n ?? 0, totalBytes: Number(r?.bytes ?? 0) };
}

/** Bytes on disk per stored invoice: every table of the gateway's schema (heap, TOAST, indexes) ÷ invoices. */
export async function storagePerInvoice(sql: postgres.Sql, baseline: { invoices: number; totalBytes: number }): Promise<StorageResult> {
  await sql`vacuum analyze`;
  const tables = await sql<Array<{ table: string; bytes: string; index_bytes: string }>>`
    select c.relname as table, pg_total_relation_size(c.oid)::text as bytes, pg_indexes_size(c.oid)::text as index_bytes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p')
     order by pg_total_relation_size(c.oid) desc`;
  // Space vacuum freed (dead row versions of transmission-status updates) is reused by later rows;
  // pgstattuple tells how much there is. Optional: skipped when the extension is not installed.
  const reusable = new Map<string, number>();
  try {
    await sql`create extension if not exists pgstattuple`;
    const rows = await sql<Array<{ table: string; bytes: string }>>`
      select c.relname as table, (h.free_space + h.dead_tuple_len + coalesce(t.free_space + t.dead_tuple_len, 0))::text as bytes
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
             cross join lateral pgstattuple(c.oid::regclass) h
             left join lateral pgstattuple(nullif(c.reltoastrelid, 0)::regclass) t on true
       where n.nspname = 'public' and c.relkind = 'r'`;
    for (const r of rows) reusable.set(r.table, Number(r.bytes));
  } catch {
    // no pgstattuple: report totals only
  }
  const [inv] = await sql<Array<{ n: number; stored: number | null }>>`
    select count(*)::int as n, avg(coalesce(pg_column_size(d.xml_z), pg_column_size(i.xml)))::float8 as stored
      from invoices i left join invoice_documents d on d.invoice_id = i.id`;
  const xmlBytes = await averageXmlText(sql);
  const n = inv?.n ?? 0;
  const all = tables.reduce((s, t) => s + Number(t.bytes), 0);
  const invoiceTable = Number(tables.find((t) => t.table === 'invoices')?.bytes ?? 0);
  const added = n - baseline.invoices;
  return {
    invoices: n,
    totalBytes: all,
    bytesPerInvoice: n ? Math.round(all / n) : 0,
    marginalBytesPerInvoice: added > 0 ? Math.round((all - baseline.totalBytes) / added) : 0,
    baseline,
    invoiceTableBytesPerInvoice: n ? Math.round(invoiceTable / n) : 0,
    avgXmlBytes: Math.round(xmlBytes),
    avgXmlStoredBytes: Math.round(inv?.stored ?? 0),
    tables: tables.filter((t) => Number(t.bytes) > 0).map((t) => ({ table: t.table, bytes: Number(t.bytes), indexBytes: Number(t.index_bytes), reusableBytes: reusable.get(t.table) ?? null })),
    liveBytesPerInvoice: reusable.size && added > 0 ? Math.round((all - [...reusable.values()].reduce((a, b) => a + b, 0) - baseline.totalBytes) / added) : null,
  };
}

/** One gauge from the gateway's /metrics, or null. */
export async function scrapeMetric(base: string, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${base}/metrics`)).text();
    const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export async function describeMachine(sql: postgres.Sql, redisVersion: string): Promise<Machine> {
  const [pg] = await sql<Array<{ v: string }>>`select current_setting('server_version') as v`;
  return machineNow(pg?.v ?? 'unknown', redisVersion);
}

/** This machine, with the server versions given, and its load average now as the start's. */
export function machineNow(postgresVersion: string, redisVersion: string): Machine {
  return {
    cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: postgresVersion,
    redis: redisVersion,
    loadAvgStart: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    loadAvgEnd: 0,
  };
}

/** Mean length of the signed XML as text, over the newest 500 invoices (inflated with their dictionaries). */
async function averageXmlText(sql: postgres.Sql): Promise<number> {
  const rows = await sql<Array<{ xml: string | null; xml_z: Buffer | null; xml_dict: number | null; dict: Buffer | null }>>`
    select i.xml, doc.xml_z, doc.xml_dict, d.bytes as dict
      from (select id, xml from invoices order by issued_at desc limit 500) i
      left join invoice_documents doc on doc.invoice_id = i.id
      left join xml_dictionaries d on d.id = doc.xml_dict`;
  if (rows.length === 0) return 0;
  const total = rows.reduce((sum, r) => sum + Buffer.byteLength(unpackXml({ xml: r.xml, xmlZ: r.xml_z, xmlDict: r.xml_dict }, r.dict ?? undefined)), 0);
  return total / rows.length;
}
