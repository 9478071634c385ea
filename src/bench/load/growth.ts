// `npm run bench -- --mode growth`: how cost grows with data. For each size (default 0, 100 k, 1 M)
// a fresh database is seeded in bulk by the project's seeder (src/bench/seed.ts), then the same
// processes as the load mode start; reads (GET /v1/invoices, /v1/stats/volume) are timed on the
// seeded data, then ingestion through POST /v1/sales at saturation.
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { parseConfig, type Config } from '../../config.js';
import { openDatabase, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { secretBox, type SecretBox } from '../../lib/secrets.js';
import type { BenchOptions } from './args.js';
import { startCluster } from './cluster.js';
import { salesClient, timeGets } from './driver.js';
import { saleMaker } from './fixtures.js';
import { describeMachine, machineNow } from './measure.js';
import { stamp } from './run-load.js';
import { onboard } from './setup.js';
import type { GrowthPoint, GrowthResult, Machine } from './types.js';

/** What the growth mode needs of the seeder; loaded at run time so the benchmark builds without it. */
interface Seeder {
  seedInvoices(o: {
    db: Db;
    box: SecretBox;
    config: Pick<Config, 'formatVersion' | 'providerTaxCode' | 'lookupKey' | 'taxOfficeCode'>;
    invoices: number;
    onProgress?: (done: number, total: number, phase: string) => void;
  }): Promise<{ invoices: number; businesses: Array<{ business: { id: string } }> }>;
}

const SEEDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../seed.js');
/** A generous guess of disk per seeded invoice (signed XML, indexes, WAL in flight). */
const DISK_PER_INVOICE = 12_000;

async function loadSeeder(): Promise<Seeder | string> {
  if (!existsSync(SEEDER)) return `no seeder at ${path.relative(process.cwd(), SEEDER)} (src/bench/seed.ts): sizes above 0 need one`;
  try {
    const mod = (await import(pathToFileURL(SEEDER).href)) as Partial<Seeder>;
    return typeof mod.seedInvoices === 'function' ? (mod as Seeder) : 'src/bench/seed.ts exports no seedInvoices()';
  } catch (err) {
    return `the seeder does not load: ${(err as Error).message}`;
  }
}

async function freeDiskBytes(databaseUrl: string): Promise<number | null> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [r] = await sql<Array<{ d: string }>>`select current_setting('data_directory') as d`;
    const s = statfsSync(r?.d ?? '/');
    return s.bavail * s.bsize;
  } catch {
    try {
      const s = statfsSync('/');
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function progress(label: string) {
  let last = 0;
  const t0 = performance.now();
  return (done: number, total: number, phase: string) => {
    const now = performance.now();
    if (now - last < 250 && done < total) return;
    last = now;
    const share = total ? done / total : 1;
    const bar = '█'.repeat(Math.round(share * 30)).padEnd(30, '░');
    process.stderr.write(`\r${label} ${phase.padEnd(10)} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${((now - t0) / 1000).toFixed(0)} s   `);
    if (done >= total) process.stderr.write('\n');
  };
}

async function seed(seeder: Seeder, url: string, env: Record<string, string>, size: number): Promise<void> {
  const database = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolSize: 4 });
  try {
    await migrateDatabase(database, url);
    const config = parseConfig(env);
    await seeder.seedInvoices({ db: database.db, box: secretBox(config.masterKeys), config, invoices: size, onProgress: progress(`seed ${size.toLocaleString('en')}`) });
  } finally {
    await database.close();
  }
  // The seeded sellers are unknown to this simulator: mark their open backlog answered so the worker
  // only transmits the sales measured here.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`with answered as (
                delete from unaccepted_invoices u
                 where u.message_id is null and not u.rejected
                returning u.invoice_id, u.issued_at
              )
              insert into invoice_transmissions (invoice_id, status, attempts, sent_at, accepted_at)
              select invoice_id, 'accepted', 1, issued_at + interval '2 seconds', issued_at + interval '10 seconds' from answered
              on conflict (invoice_id) do update set status = 'accepted', accepted_at = excluded.accepted_at, sent_at = excluded.sent_at`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function runGrowth(o: BenchOptions): Promise<{ result: GrowthResult; file: string }> {
  const startedAt = new Date();
  const id = `growth-${stamp(startedAt)}`;
  mkdirSync(o.outDir, { recursive: true });
  const skipped: string[] = [];
  const points: GrowthPoint[] = [];
  let machine: Machine | undefined;
  const seeder = o.growthSizes.some((s) => s > 0) ? await loadSeeder() : 'not needed';
  for (const size of o.growthSizes) {
    if (size > 0 && typeof seeder === 'string') {
      skipped.push(`${size.toLocaleString('en')} stored invoices: ${seeder}`);
      process.stderr.write(`skipping ${size}: ${seeder}\n`);
      continue;
    }
    const free = await freeDiskBytes(o.databaseUrl);
    if (free !== null && free < size * DISK_PER_INVOICE + 2e9) {
      const msg = `${size.toLocaleString('en')} stored invoices: ${(free / 1e9).toFixed(1)} GB free, about ${((size * DISK_PER_INVOICE + 2e9) / 1e9).toFixed(1)} GB needed`;
      skipped.push(msg);
      process.stderr.write(`skipping: ${msg}\n`);
      continue;
    }
    let seedSeconds = 0;
    const cluster = await startCluster({
      databaseUrl: o.databaseUrl,
      redisUrl: o.redisUrl,
      batchMaxAgeMs: o.batchMaxAgeMs,
      simReplyDelayMs: o.simReplyDelayMs,
      pollBaseMs: o.pollBaseMs,
      logDir: path.join(o.outDir, 'logs', `${id}-${size}`),
      keep: o.keep,
      beforeStart: async (url, env) => {
        if (size === 0 || typeof seeder === 'string') return;
        const t0 = performance.now();
        await seed(seeder, url, env, size);
        seedSeconds = (performance.now() - t0) / 1000;
      },
    });
    try {
      machine ??= await describeMachine(cluster.sql, cluster.redisVersion);
      const runSeed = randomInt(1, 2 ** 31);
      const on = await onboard(cluster.gatewayUrl, o.businesses, o.terminals, runSeed);
      const token = cluster.adminToken;
      const reads: GrowthPoint['reads'] = [];
      const paths = [
        ['GET /v1/invoices', '/v1/invoices?limit=50'],
        ['… ?taxCode', `/v1/invoices?taxCode=${on.taxCodes[0]}&limit=50`],
        ['… ?transmission=pending', '/v1/invoices?transmission=pending&limit=50'],
        ['GET /v1/stats/volume (30 days)', '/v1/stats/volume?granularity=day'],
        ['… hour, today', '/v1/stats/volume?granularity=hour'],
      ];
      for (const [name, p] of paths) reads.push({ name: name!, path: p!, latency: await timeGets(cluster.gatewayUrl, p!, token, o.growthQueries) });
      const url = new URL(cluster.gatewayUrl);
      const client = salesClient({ host: url.hostname, port: Number(url.port), terminals: on.terminalKeys, makeBody: saleMaker(runSeed) }, 256);
      await client.closedLoop(Math.min(8, on.terminalKeys.length), 3); // warm-up
      process.stderr.write(`ingesting at ${size.toLocaleString('en')} stored: ${o.maxConcurrency} terminals, ${o.growthSeconds} s… `);
      const d = await client.closedLoop(o.maxConcurrency, o.growthSeconds);
      client.close();
      process.stderr.write(`${d.okPerSec.toFixed(1)} sales/s\n`);
      const [db] = await cluster.sql<Array<{ bytes: string; n: number }>>`select pg_database_size(current_database())::text as bytes, (select count(*)::int from invoices) as n`;
      points.push({
        stored: size,
        seedSeconds: Math.round(seedSeconds * 10) / 10,
        ingest: { seconds: o.growthSeconds, concurrency: o.maxConcurrency, ok: d.ok, okPerSec: Math.round(d.okPerSec * 10) / 10, errors: d.errors, latency: d.latency },
        reads,
        databaseBytes: Number(db?.bytes ?? 0),
        bytesPerInvoice: db?.n ? Math.round(Number(db.bytes) / db.n) : 0,
      });
    } finally {
      await cluster.stop();
    }
  }
  const result: GrowthResult = {
    kind: 'growth',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    note: o.note,
    machine: { ...(machine ?? machineNow('unknown', 'unknown')), loadAvgEnd: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
    settings: { sizes: o.growthSizes, businesses: o.businesses, terminalsPerBusiness: o.terminals, ingestSeconds: o.growthSeconds, concurrency: o.maxConcurrency, queries: o.growthQueries },
    points,
    skipped,
  };
  const file = path.join(o.outDir, `${id}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return { result, file };
}

