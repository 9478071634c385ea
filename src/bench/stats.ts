// `npm run bench:stats -- [--invoices N] [--days D] [--runs R] [--keep] [--database NAME]`: loads the
// demo country (default 1 000 000 invoices over 35 days, through the issuing service) into a
// database of its own on the server of DATABASE_URL (dropped at the end unless --keep; --database
// reuses a kept one without seeding), runs the risk evaluation, then measures /v1/stats/volume,
// /v1/stats/overview and /v1/risk/businesses through app.inject with an admin token: p50/p95/max.
// `--synthetic M` adds rollup rows standing for M more invoices (fake businesses, 06:00–22:00 every
// day, straight into the rollup tables): a quick look at query costs at a scale that would take an
// hour to issue; the report says so.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { buildApp } from '../app.js';
import { parseConfig } from '../config.js';
import { queryRows, sql } from '../db/client.js';
import { closeDeps, createDeps } from '../deps.js';
import { addDays, businessDate } from '../domain/index.js';
import { seedDemo } from '../modules/demo/seed.js';
import { createRiskService } from '../modules/risk/risk.service.js';
import { createStaffMember } from '../modules/staff/staff.service.js';
import type { StatsResult } from './load/types.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const invoices = Number(arg('invoices') ?? 1_000_000);
const days = Number(arg('days') ?? 35);
const runs = Number(arg('runs') ?? 50);
const reuse = arg('database');
const synthetic = Number(arg('synthetic') ?? 0);
const keep = process.argv.includes('--keep') || reuse !== undefined;
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl || !Number.isInteger(invoices) || invoices < 100 || !Number.isInteger(days) || days < 14 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: DATABASE_URL=postgres://… npm run bench:stats -- [--invoices N] [--days D] [--runs R] [--keep] [--database NAME]');
  process.exit(2);
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const loadAvgStart = os.loadavg()[0]!;

async function main() {
  const name = reuse ?? `hm_bench_stats_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
  if (!reuse) await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl!);
  url.pathname = `/${name}`;
  // Keys are kept with a kept database, so a later --database run can still open it.
  const keys = reuse ? JSON.parse(process.env.BENCH_KEYS ?? '{}') : { master: `k1:${randomBytes(32).toString('base64')}`, lookup: `v1:${randomBytes(32).toString('base64')}` };
  const config = parseConfig({
    DATABASE_URL: url.toString(),
    MASTER_KEY: keys.master ?? `k1:${randomBytes(32).toString('base64')}`,
    LOOKUP_KEY: keys.lookup ?? `v1:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'warn',
    RECONCILE_INTERVAL_MS: '600000',
  });
  const deps = await createDeps(config);
  await deps.risk?.stop();
  const app = await buildApp(deps);
  /** ~30 invoices a day per fake business, spread over its open hours, in the last `days` days. */
  const addSyntheticRollups = async (total: number, nDays: number, now: Date) => {
    const businesses = Math.max(1, Math.round(total / (nDays * 30)));
    const perRow = total / (businesses * nDays * 16);
    const from = addDays(businessDate(now), -(nDays - 1));
    await queryRows(
      deps.database.db,
      sql`insert into stats_hourly (business_id, hour_start, province_code, invoices, revenue, vat, total)
          select b.id, h.at, b.province, n.v, n.v * 92000, n.v * 7360, n.v * 99360
          from (select gen_random_uuid() as id, (array['01','04','08','11','12','14','15','19','20','22','24','25','31','33','37','38','40','42','44','46','48','51','52','56','66','68','75','79','80','82','86','91','92','96'])[1 + i % 34] as province
                from generate_series(1, ${businesses}) i) b
          cross join generate_series(${from}::date::timestamp at time zone 'Asia/Ho_Chi_Minh', ${now.toISOString()}::timestamptz, interval '1 hour') h(at)
          cross join lateral (select greatest(0, round(${perRow}::float8 * (0.5 + random())))::int as v where b.id is not null) n
          where (extract(hour from h.at at time zone 'UTC')::int + 7) % 24 between 6 and 21 and n.v > 0`,
    );
    await queryRows(
      deps.database.db,
      sql`insert into stats_daily (business_id, day, province_code, invoices, revenue, vat, total)
          select business_id, (hour_start at time zone 'Asia/Ho_Chi_Minh')::date, province_code, sum(invoices), sum(revenue), sum(vat), sum(total)
          from stats_hourly where business_id not in (select id from businesses) group by 1, 2, 3
          on conflict (business_id, day) do nothing`,
    );
  };
  try {
    if (!reuse) {
      const started = performance.now();
      let last = 0;
      const manifest = await seedDemo(deps, {
        invoices,
        days,
        onProgress: (p) => {
          const now = performance.now();
          if (now - last < 500 && p.businesses < p.totalBusinesses) return;
          last = now;
          const rate = p.invoices / Math.max((now - started) / 1000, 0.001);
          process.stderr.write(`\rseeding ${p.invoices}/${p.expected} invoices · ${p.businesses}/${p.totalBusinesses} businesses · ${rate.toFixed(0)}/s   `);
        },
      });
      process.stderr.write('\n');
      console.log(`seeded ${manifest.invoices} invoices for ${manifest.businesses} businesses in ${(manifest.durationMs / 1000).toFixed(1)} s`);
    }
    if (synthetic > 0) {
      await addSyntheticRollups(synthetic, days, deps.clock());
      console.log(`added synthetic rollup rows standing for ${synthetic} invoices`);
    }
    // Measure reads alone: nothing is transmitted during the run.
    await deps.transmission.stop();
    await queryRows(deps.database.db, sql`vacuum analyze`);
    const risk = await createRiskService({ db: deps.database.db, clock: deps.clock }).evaluateNow();
    const [size] = await queryRows<{ n: number; hourly: number; daily: number; bytes: string }>(
      deps.database.db,
      sql`select (select count(*)::int from invoices) as n, (select count(*)::int from stats_hourly) as hourly,
            (select count(*)::int from stats_daily) as daily, pg_size_pretty(pg_database_size(current_database())) as bytes`,
    );
    const [rolled] = await queryRows<{ n: number }>(deps.database.db, sql`select coalesce(sum(invoices), 0)::int as n from stats_daily`);
    console.log(`${size!.n} invoices issued${synthetic ? ` + ${rolled!.n - size!.n} synthetic` : ''}; ${size!.hourly} hourly and ${size!.daily} daily rollup rows, database ${size!.bytes}`);
    console.log(`risk evaluation: ${risk.businesses} businesses, ${risk.flagged} flagged, ${risk.durationMs} ms`);

    const admin1 = await createStaffMember(deps.database.db, { name: 'Bench admin', role: 'admin', provinces: [] }, deps.clock());
    const officer = await createStaffMember(deps.database.db, { name: 'Bench officer', role: 'officer', provinces: ['01', '79'] }, deps.clock());
    const taxCodes = (await queryRows<{ t: string }>(deps.database.db, sql`select tax_code as t from businesses order by random() limit 50`)).map((r) => r.t);
    const today = businessDate(deps.clock());
    let i = 0;
    const any = <T>(xs: T[]): T => xs[i++ % xs.length]!;
    const scenarios: Array<{ name: string; url: () => string; token?: string; method?: 'GET' | 'POST' }> = [
      { name: 'volume day, 30 days, country', url: () => '/v1/stats/volume' },
      { name: 'volume hour, today, country', url: () => '/v1/stats/volume?granularity=hour' },
      { name: 'volume hour, 7 days, country', url: () => `/v1/stats/volume?granularity=hour&from=${addDays(today, -6)}&to=${today}` },
      { name: 'volume month, 12 months, country', url: () => '/v1/stats/volume?granularity=month' },
      { name: 'volume day, 30 days, province 79', url: () => '/v1/stats/volume?provinceCode=79' },
      { name: 'volume day, officer (01, 79)', url: () => '/v1/stats/volume', token: officer.token },
      { name: 'volume hour, 7 days, taxCode', url: () => `/v1/stats/volume?granularity=hour&from=${addDays(today, -6)}&taxCode=${any(taxCodes)}` },
      { name: 'overview, country', url: () => '/v1/stats/overview' },
      { name: 'overview, officer', url: () => '/v1/stats/overview', token: officer.token },
      { name: 'risk list, top 50', url: () => '/v1/risk/businesses' },
      { name: 'risk list, province 01', url: () => '/v1/risk/businesses?provinceCode=01&limit=500' },
      { name: 'risk list, officer', url: () => '/v1/risk/businesses', token: officer.token },
    ];
    const results: Array<{ name: string; p50: number; p95: number; max: number }> = [];
    for (const s of scenarios) {
      const times: number[] = [];
      for (let r = 0; r < runs + 5; r++) {
        const url = s.url();
        const t0 = performance.now();
        const res = await app.inject({ method: s.method ?? 'GET', url, headers: { authorization: `Bearer ${s.token ?? admin1.token}` } });
        const ms = performance.now() - t0;
        if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode} ${res.body}`);
        if (r >= 5) times.push(ms); // the first five warm caches and prepared statements
      }
      results.push({ name: s.name, p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times) });
    }
    const [pg] = await queryRows<{ v: string }>(deps.database.db, sql`select current_setting('server_version') as v`);
    const [bytes] = await queryRows<{ b: string }>(deps.database.db, sql`select pg_database_size(current_database())::text as b`);
    const result: StatsResult = {
      kind: 'stats',
      at: new Date().toISOString(),
      machine: { cpuModel: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadAvgStart, loadAvgEnd: os.loadavg()[0]!, node: process.version, postgres: pg!.v },
      invoices: rolled!.n,
      issued: size!.n,
      synthetic: rolled!.n - size!.n,
      hourlyRows: size!.hourly,
      dailyRows: size!.daily,
      databaseBytes: Number(bytes!.b),
      risk: { businesses: risk.businesses, flagged: risk.flagged, durationMs: risk.durationMs },
      runs,
      requests: results,
    };
    const outDir = path.resolve(arg('out') ?? 'bench/results');
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `stats-${result.at.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    console.log(`\nstatistics and risk at ${rolled!.n} invoices${synthetic ? ' (rollups partly synthetic)' : ''}, ${runs} runs each (app.inject)`);
    console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}), node ${process.version}, PostgreSQL ${pg!.v}\n`);
    console.log(`${'request'.padEnd(36)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
    for (const r of results) console.log(`${r.name.padEnd(36)} ${r.p50.toFixed(2).padStart(8)} ${r.p95.toFixed(2).padStart(8)} ${r.max.toFixed(2).padStart(8)}`);
    console.log(`\nresult: ${path.relative(process.cwd(), file)}\ndocs:   npm run bench -- --report`);
    if (keep && !reuse) console.log(`\nkept database ${name}; reuse: BENCH_KEYS='${JSON.stringify(keys)}' npm run bench:stats -- --database ${name}`);
  } finally {
    await app.close();
    await closeDeps(deps);
    if (!keep) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
