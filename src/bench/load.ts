// `npm run bench`: how many sales per second one gateway turns into signed, transmitted invoices on
// this machine, against the raw RSA-2048 signing rate of the same machine (issue 11). Modes:
//   (default)        stages of POS traffic against a real gateway, worker and simulator
//   --mode growth    ingestion and read latency with 0 / 100 k / 1 M invoices stored
//   --report [files] docs/benchmarks.md from the result JSON files
// `npm run bench -- --help` lists the options. Exits non-zero only when the setup fails.
// A profiled run (--profile, slower) belongs apart: `--profile --out bench/results/profiled`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, USAGE, UsageError, type BenchOptions } from './load/args.js';
import { ROOT, SetupError } from './load/cluster.js';
import { runGrowth } from './load/growth.js';
import { loadResultsIn, newestResult, readResult, renderDocs } from './load/report.js';
import { runLoad } from './load/run-load.js';
import type { GrowthResult, LoadResult, StatsResult } from './load/types.js';

function printLoad(r: LoadResult, file: string): void {
  const rows = r.stages.map((s) => {
    const errors = s.sent - s.ok;
    return `${s.name.padStart(6)} ${String(s.offeredPerSec ?? '-').padStart(8)} ${s.okPerSec.toFixed(1).padStart(8)} ${String(errors).padStart(7)} ${s.latency.p50.toFixed(1).padStart(8)} ${s.latency.p95.toFixed(1).padStart(8)} ${s.latency.p99.toFixed(1).padStart(8)} ${s.latency.max.toFixed(1).padStart(8)} ${String(s.acceptance.p50s ?? '-').padStart(9)} ${String(s.acceptance.p99s ?? '-').padStart(9)}`;
  });
  console.log(`\n${r.machine.cpuModel} (${r.machine.cores} cores, ${r.machine.ramGiB} GiB), load average ${r.machine.loadAvgStart} → ${r.machine.loadAvgEnd}`);
  console.log(` stage  offered    2xx/s  errors   p50 ms   p95 ms   p99 ms   max ms  accept50s accept99s`);
  for (const row of rows) console.log(row);
  console.log(`\nraw RSA-2048 signs/s (${r.rawSign.threads} threads): ${r.rawSign.signsPerSec.toFixed(0)}`);
  console.log(`sustained: ${r.sustained ? `${r.sustained.perSec} sales/s (stage ${r.sustained.stage}), ratio ${r.ratioToRawSign}` : 'no clean stage'}`);
  console.log(`peak RSS MiB: gateway ${r.peakRssMiB.gateway}, worker ${r.peakRssMiB.worker}, simulator ${r.peakRssMiB.simulator}`);
  console.log(`database: ${r.storage.bytesPerInvoice} B per invoice over ${r.storage.invoices} invoices`);
  console.log(`\nresult: ${file}${r.chart.png ? `\nchart:  ${r.chart.png}` : r.chart.svg ? `\nchart:  ${r.chart.svg}` : ''}`);
  console.log('docs:   npm run bench -- --report');
}

function printGrowth(r: GrowthResult, file: string): void {
  for (const p of r.points) {
    console.log(`${p.stored.toLocaleString('en').padStart(10)} stored: ingest ${p.ingest.okPerSec} sales/s (p99 ${p.ingest.latency.p99} ms); ${p.reads.map((x) => `${x.name} p50 ${x.latency.p50} ms`).join('; ')}`);
  }
  for (const s of r.skipped) console.log(`skipped: ${s}`);
  console.log(`\nresult: ${file}\ndocs:   npm run bench -- --report`);
}

function report(o: BenchOptions): void {
  // Default: the newest load and growth results, and the newest profiled run (kept in <out>/profiled/).
  const files = o.reportFiles.length
    ? o.reportFiles
    : [newestResult(o.outDir, 'load'), newestResult(o.outDir, 'growth'), newestResult(path.join(o.outDir, 'profiled'), 'load'), newestResult(o.outDir, 'stats')].filter(
        (f): f is string => Boolean(f),
      );
  if (files.length === 0) throw new SetupError(`no results in ${o.outDir}: run npm run bench first`);
  let load: { r: LoadResult; file: string } | undefined;
  let profiled: { r: LoadResult; file: string } | undefined;
  let growth: { r: GrowthResult; file: string } | undefined;
  let stats: { r: StatsResult; file: string } | undefined;
  for (const f of files) {
    const r = readResult(f);
    const shown = path.relative(ROOT, path.resolve(f));
    if (r.kind === 'stats') stats = { r, file: shown };
    else if (r.kind === 'growth') growth = { r, file: shown };
    else if (r.settings.profiled) profiled = { r, file: shown };
    else load = { r, file: shown };
  }
  const out = path.join(ROOT, 'docs', 'benchmarks.md');
  mkdirSync(path.dirname(out), { recursive: true });
  const repeats = load ? loadResultsIn(path.dirname(path.resolve(ROOT, load.file))).map((x) => ({ ...x, file: path.relative(ROOT, x.file) })) : [];
  writeFileSync(out, renderDocs(load, growth, repeats, profiled, stats));
  console.log(`wrote ${path.relative(process.cwd(), out)} from ${files.join(', ')}`);
}

async function main(): Promise<void> {
  let o: BenchOptions;
  try {
    o = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) console.error(err.message);
    console.error(USAGE);
    process.exit(err.message ? 2 : 0);
  }
  if (o.mode === 'report') return report(o);
  if (o.mode === 'growth') {
    const { result, file } = await runGrowth(o);
    return printGrowth(result, file);
  }
  const { result, file } = await runLoad(o);
  printLoad(result, file);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof SetupError ? `bench: setup failed: ${err.message}` : `bench: failed: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
