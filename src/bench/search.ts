// `npm run bench:search [-- --invoices N] [--runs R] [--explain] [--keep]`: seeds N invoices
// (default 1 000 000) into a database of its own (created on the server of DATABASE_URL and dropped
// at the end unless --keep), then measures GET /v1/invoices for the common filters through
// app.inject with an admin token, and prints p50/p95 per filter.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { buildApp } from '../app.js';
import { parseConfig } from '../config.js';
import { queryRows, sql } from '../db/client.js';
import { closeDeps, createDeps } from '../deps.js';
import { addDays, businessDate } from '../domain/index.js';
import { createStaffMember } from '../modules/staff/staff.service.js';
import { decodeCursor, readFilter, type ListQuery } from '../modules/invoices/filters.js';
import { listQuery } from '../modules/invoices/invoices.repo.js';
import type { Principal } from '../plugins/auth.js';
import { seedInvoices } from './seed.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const invoices = Number(arg('invoices') ?? 1_000_000);
const runs = Number(arg('runs') ?? 50);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl || !Number.isInteger(invoices) || invoices < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: DATABASE_URL=postgres://… npm run bench:search -- [--invoices N] [--runs R] [--explain] [--keep]');
  process.exit(2);
}

function progressBar(label: string) {
  const started = performance.now();
  let last = 0;
  return (done: number, total: number, final = false) => {
    const now = performance.now();
    if (!final && now - last < 200 && done < total) return;
    last = now;
    const width = 30;
    const share = total ? done / total : 1;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const eta = rate > 0 ? (total - done) / rate : 0;
    const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░');
    process.stderr.write(`\r${label.padEnd(10)} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${rate.toFixed(0)}/s ETA ${eta.toFixed(0)}s   `);
    if (done >= total) process.stderr.write('\n');
  };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main() {
  const name = `hm_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl!);
  url.pathname = `/${name}`;
  const adminToken = `stf_${randomBytes(24).toString('base64url')}`;
  const config = parseConfig({
    DATABASE_URL: url.toString(),
    MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    LOOKUP_KEY: `v1:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: adminToken,
    RECONCILE_INTERVAL_MS: '600000',
  });
  const deps = await createDeps(config);
  // Measure reads alone: the seeded backlog is not to be transmitted during the run.
  await deps.transmission.stop();
  const app = await buildApp(deps);
  try {
    const bars = { businesses: progressBar('businesses'), templates: progressBar('templates'), copies: progressBar('copies'), analyze: progressBar('analyze') };
    const t0 = performance.now();
    const seeded = await seedInvoices({
      db: deps.database.db,
      box: deps.box,
      config,
      invoices,
      onProgress: (done, total, phase) => bars[phase](done, total),
    });
    const seedSeconds = (performance.now() - t0) / 1000;
    const [size] = await queryRows<{ n: number; bytes: string }>(
      deps.database.db,
      sql`select count(*)::int as n, pg_size_pretty(pg_database_size(current_database())) as bytes from invoices`,
    );
    console.log(`seeded ${size!.n.toLocaleString('en')} invoices (${seeded.businesses.length} sellers, ${seeded.templates} signed templates) in ${seedSeconds.toFixed(1)} s; database ${size!.bytes}`);

    const provinces = [...new Set(seeded.businesses.map((b) => b.business.provinceCode))];
    const officer = await createStaffMember(deps.database.db, { name: 'Bench officer', role: 'officer', provinces: provinces.slice(0, 2) }, deps.clock());
    const codes = (await queryRows<{ c: string; t: string }>(deps.database.db, sql`select mtt_code as c, total::text as t from invoices tablesample system (1) limit 200`)).map((r) => ({ code: r.c, total: r.t }));
    const taxCodes = seeded.businesses.map((b) => b.business.taxCode);
    const today = businessDate(seeded.to);
    const weekAgo = addDays(today, -7);
    const firstPage = await app.inject({ method: 'GET', url: '/v1/invoices?limit=50', headers: { authorization: `Bearer ${adminToken}` } });
    const cursor = (firstPage.json() as { nextCursor: string }).nextCursor;
    let i = 0;
    const any = <T>(xs: T[]): T => xs[i++ % xs.length]!;
    const scenarios: Array<{ name: string; url: () => string; token?: string; query: () => ListQuery; runs?: number }> = [
      { name: 'no filter', url: () => '/v1/invoices', query: () => ({}) },
      { name: 'next page (cursor)', url: () => `/v1/invoices?cursor=${cursor}`, query: () => ({ cursor }) },
      { name: 'taxCode', url: () => `/v1/invoices?taxCode=${any(taxCodes)}`, query: () => ({ taxCode: taxCodes[0] }) },
      {
        name: 'provinceCode + 7 days',
        url: () => `/v1/invoices?provinceCode=${any(provinces)}&from=${weekAgo}&to=${today}`,
        query: () => ({ provinceCode: provinces[0], from: weekAgo, to: today }),
      },
      { name: 'transmission=pending', url: () => '/v1/invoices?transmission=pending', query: () => ({ transmission: 'pending' }) },
      { name: 'transmission=rejected', url: () => '/v1/invoices?transmission=rejected', query: () => ({ transmission: 'rejected' }) },
      { name: 'code', url: () => `/v1/invoices?code=${any(codes).code}`, query: () => ({ code: codes[0]!.code }) },
      { name: 'minTotal=1000000', url: () => '/v1/invoices?minTotal=1000000', query: () => ({ minTotal: 1_000_000 }) },
      { name: 'officer, 2 provinces', url: () => '/v1/invoices', token: officer.token, query: () => ({}) },
      // The public lookup is rate-limited (60 a minute per client): stay under it.
      { name: 'lookup code+total', url: () => { const c = any(codes); return `/v1/lookup?code=${c.code}&total=${c.total}`; }, query: () => ({}), runs: Math.min(runs, 50) },
    ];
    const results: Array<{ name: string; p50: number; p95: number; max: number; items: number }> = [];
    for (const s of scenarios) {
      const times: number[] = [];
      let items = 0;
      for (let r = 0; r < (s.runs ?? runs) + 5; r++) {
        const url = s.url();
        const started = performance.now();
        const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${s.token ?? adminToken}` } });
        const ms = performance.now() - started;
        if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode} ${res.body}`);
        if (r >= 5) times.push(ms); // the first five warm caches and prepared statements
        const body = res.json() as { items?: unknown[] };
        items = body.items?.length ?? 1;
      }
      results.push({ name: s.name, p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times), items });
    }

    const cpu = os.cpus()[0]?.model ?? 'unknown';
    const [pg] = await queryRows<{ v: string }>(deps.database.db, sql`select current_setting('server_version') as v`);
    console.log(`\nGET /v1/invoices at ${size!.n.toLocaleString('en')} invoices, ${runs} runs each (app.inject, limit 50)`);
    console.log(`machine: ${cpu} (${os.cpus().length} cores), node ${process.version}, PostgreSQL ${pg!.v}\n`);
    console.log(`${'filter'.padEnd(26)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'items'.padStart(6)}`);
    for (const r of results) {
      console.log(`${r.name.padEnd(26)} ${r.p50.toFixed(2).padStart(8)} ${r.p95.toFixed(2).padStart(8)} ${r.max.toFixed(2).padStart(8)} ${String(r.items).padStart(6)}`);
    }

    if (flag('explain')) {
      const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
      const adminP: Principal = { kind: 'stf', credentialId: '-', staffId: '-', role: 'admin', provinces: [] };
      const officerP: Principal = { kind: 'stf', credentialId: '-', staffId: '-', role: 'officer', provinces: provinces.slice(0, 2) };
      for (const s of scenarios.filter((x) => x.name !== 'lookup code+total')) {
        const q = s.query();
        const p = s.token ? officerP : adminP;
        const f = readFilter(p, q);
        const built = listQuery(deps.database.db, f, { limit: 51, cursor: q.cursor ? decodeCursor(q.cursor) : undefined }).toSQL();
        const plan = await client.unsafe(`explain (analyze, buffers, costs off) ${built.sql}`, built.params as never[]);
        console.log(`\n-- ${s.name}\n${plan.map((r) => (r as Record<string, string>)['QUERY PLAN']).join('\n')}`);
      }
      await client.end();
    }
  } finally {
    await app.close();
    await closeDeps(deps);
    if (flag('keep')) console.log(`\nkept database ${name}`);
    else await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
