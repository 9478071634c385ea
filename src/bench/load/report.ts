// docs/benchmarks.md, generated from result files (never typed by hand): the machine and its load,
// every stage, the targets of issue 11, storage and its projection, and the growth mode.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { GrowthResult, LoadResult, Machine, StageResult, StatsResult } from './types.js';

const fmt = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (x: number) => fmt(x, x < 10 ? 2 : x < 100 ? 1 : 0);
const MIB_TO_MB = 1.048576;
const NATIONAL_INVOICES_PER_YEAR = 758_000_000;

/** The newest result file of a kind in `dir`, or undefined. */
export function newestResult(dir: string, kind: 'load' | 'growth' | 'stats'): string | undefined {
  try {
    const files = readdirSync(dir).filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json')).sort();
    const last = files[files.length - 1];
    return last ? path.join(dir, last) : undefined;
  } catch {
    return undefined;
  }
}

export function readResult(file: string): LoadResult | GrowthResult | StatsResult {
  const r = JSON.parse(readFileSync(file, 'utf8')) as LoadResult | GrowthResult | StatsResult;
  if (r.kind !== 'load' && r.kind !== 'growth' && r.kind !== 'stats') throw new Error(`${file} is not a bench result`);
  return r;
}

/** Issue 9's target: every statistics and risk read under 100 ms at a million invoices. */
const STATS_TARGET_MS = 100;

function statsSection(r: StatsResult, file: string): string {
  const worst = Math.max(...r.requests.map((q) => q.p95));
  const rows = r.requests.map((q) => [q.name, ms(q.p50), ms(q.p95), ms(q.max), q.p95 < STATS_TARGET_MS ? 'yes' : '**no**']);
  return [
    '## Statistics and risk reads (`npm run bench:stats`)',
    '',
    `From \`${file}\`, run ${r.at}. ${r.machine.cpuModel}, ${r.machine.cores} cores; 1-minute load average ${fmt(r.machine.loadAvgStart, 2)} at the start, ${fmt(r.machine.loadAvgEnd, 2)} at the end; Node ${r.machine.node}, PostgreSQL ${r.machine.postgres}.`,
    '',
    `The rollups stand for ${fmt(r.invoices)} invoices: ${fmt(r.issued)} issued through the issuing service (the demo country: signed XML, numbering, rollups)` +
      (r.synthetic ? ` and ${fmt(r.synthetic)} added as rollup rows only (fake businesses open 06:00–22:00, straight into the rollup tables: the reads cost the same, and issuing a million signed invoices through the services takes about half an hour)` : '') +
      `; ${fmt(r.hourlyRows)} hourly and ${fmt(r.dailyRows)} daily rollup rows, database ${fmt(r.databaseBytes / 1_048_576)} MiB. Risk evaluation of ${fmt(r.risk.businesses)} businesses: ${fmt(r.risk.durationMs)} ms, ${fmt(r.risk.flagged)} flagged. Each request ${r.runs} times through \`app.inject\` with a staff token (after 5 warm-up calls).`,
    '',
    table(['request', 'p50 ms', 'p95 ms', 'max ms', `p95 < ${STATS_TARGET_MS} ms`], rows, ['---', '---:', '---:', '---:', '---']),
    '',
    `Target of issue 9 (< ${STATS_TARGET_MS} ms at a million invoices): ${worst < STATS_TARGET_MS ? `met by every request (worst p95 ${ms(worst)} ms)` : `**not met** (worst p95 ${ms(worst)} ms)`}.`,
    '',
  ].join('\n');
}

function table(head: string[], rows: string[][], align?: string[]): string {
  const sep = head.map((_, i) => align?.[i] ?? '---:');
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function machineSection(m: Machine, stages: StageResult[] | null): string {
  const others = stages && stages.length ? stages.reduce((s, x) => s + x.cpu.others, 0) / stages.length : null;
  const lines = [
    `- CPU: ${m.cpuModel}, ${m.cores} cores; RAM ${fmt(m.ramGiB, 1)} GiB; ${m.os}`,
    `- Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; everything (load generator, gateway, worker, simulator, PostgreSQL, Redis) on this one machine`,
    `- 1-minute load average: ${fmt(m.loadAvgStart, 2)} at the start, ${fmt(m.loadAvgEnd, 2)} at the end (${m.cores} cores: above ${m.cores} means processes were waiting for a CPU)`,
  ];
  if (others !== null) lines.push(`- Processes outside the benchmark used on average ${fmt(others)} % of one core during the stages (column "others" below)`);
  return lines.join('\n');
}

function target(name: string, goal: string, measured: string, met: boolean | null): string[] {
  return [name, goal, measured, met === null ? 'not measured' : met ? 'met' : '**not met**'];
}

/** The same stages run several times on a shared machine: how far the figures move with the other load. */
function repeatsSection(r: LoadResult, others: Array<{ r: LoadResult; file: string }>): string {
  const same = others.filter((o) => o.r.settings.stageSeconds === r.settings.stageSeconds && o.r.settings.stages.join() === r.settings.stages.join());
  if (same.length < 2) return '';
  const best = (x: LoadResult) => Math.max(0, ...x.stages.map((st) => st.okPerSec));
  const avgOthers = (x: LoadResult) => x.stages.reduce((a, st) => a + st.cpu.others, 0) / Math.max(1, x.stages.length);
  const rows = same
    .sort((a, b) => a.r.startedAt.localeCompare(b.r.startedAt))
    .map(({ r: x, file }) => [
      `\`${path.basename(file)}\`${x.startedAt === r.startedAt ? ' (this one)' : ''}`,
      fmt(x.machine.loadAvgStart, 2),
      `${fmt(avgOthers(x))} %`,
      fmt(x.rawSign.signsPerSec),
      fmt(best(x), 1),
      x.sustained ? `${fmt(x.sustained.perSec, 1)} (\`${x.sustained.stage}\`)` : '–',
    ]);
  return (
    `### The same run, repeated on the shared machine\n\n` +
    `Every result in \`${path.dirname(same[0]!.file)}/\` with the same stages, to show how much the other load moved the figures:\n\n` +
    table(['result', 'load average at start', 'others, CPU (avg of stages)', 'raw signs/s', 'best 2xx/s of a stage', 'sustained'], rows, ['---', '---:', '---:', '---:', '---:', '---:']) +
    '\n'
  );
}

function loadSection(r: LoadResult, file: string, repeats: Array<{ r: LoadResult; file: string }> = []): string {
  const s = r.settings;
  const out: string[] = [];
  out.push(`## Sustained POS load (\`npm run bench\`)\n`);
  out.push(`From \`${file}\`, run ${r.startedAt} → ${r.finishedAt}.${r.note ? ` Conditions as recorded: *${r.note}*` : ''}\n`);
  out.push(machineSection(r.machine, r.stages) + '\n');
  out.push(
    `Setup: ${s.businesses} businesses registered through the API, ${s.terminalsPerBusiness} terminals each (${s.businesses * s.terminalsPerBusiness} terminal keys, requests round-robin over them); ` +
      `stages of ${s.stageSeconds} s: ${s.stages.join(', ')} sales/s offered (\`max\` = ${s.maxConcurrency} terminals in a closed loop). ` +
      `Gateway \`RUN_WORKERS=false\` + one worker process; \`BATCH_MAX_AGE_MS=${s.batchMaxAgeMs}\`, \`POLL_BASE_MS=${s.pollBaseMs}\`; simulator answers after ${s.simReplyDelayMs} ms. ` +
      `A terminal gives up after ${s.timeoutSeconds ?? 30} s (error \`timeout\`); in open-loop stages more than ${s.maxInFlight ?? '–'} unanswered requests count as errors instead of being sent. ` +
      `After each stage the run waits (≤ ${s.drainSeconds} s) until that stage's invoices are accepted.${s.profiled ? ' Gateway and worker ran with \`--cpu-prof\` (slower).' : ''}\n`,
  );
  const again = repeatsSection(r, repeats);
  if (again) out.push(again);
  out.push('### Per stage: `POST /v1/sales`\n');
  out.push(
    table(
      ['stage', 'offered/s', 'sent', '2xx', '2xx/s', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'send lag p99 ms'],
      r.stages.map((st) => {
        const errs = Object.entries(st.errors).map(([k, v]) => `${k}: ${fmt(v)}`).join(', ') || '0';
        return [st.name, fmt(st.offeredPerSec), fmt(st.sent), fmt(st.ok), fmt(st.okPerSec, 1), errs, ms(st.latency.p50), ms(st.latency.p95), ms(st.latency.p99), ms(st.latency.max), ms(st.sendLag.p99)];
      }),
      ['---', '---:', '---:', '---:', '---:', '---', '---:', '---:', '---:', '---:', '---:'],
    ) + '\n',
  );
  out.push('Open-loop stages: latency counts from the scheduled send time (a queue in front of the gateway counts). `max`: latency is service time of a saturated closed loop. "Send lag" is how late the generator itself fired; when it is large the generator was short of CPU.\n');
  out.push('### Per stage: from sale to acceptance by the authority\n');
  out.push(
    table(
      ['stage', 'invoices', 'of which no 2xx reached the terminal', 'accepted', 'rejected', 'unfinished', 'sale→accepted p50 s', 'p99 s', 'accepted/s', 'pending at end', '206 messages', 'invoices/message', 'issue→message p50 / p99 s', 'message→taken in p50 / p99 s', 'taken in→accepted p50 / p99 s'],
      r.stages.map((st) => {
        const a = st.acceptance;
        const p = a.pipeline;
        const pair = (x: { p50: number | null; p99: number | null } | undefined) => (x ? `${fmt(x.p50, 2)} / ${fmt(x.p99, 2)}` : '–');
        return [st.name, fmt(a.invoices), fmt(Math.max(0, a.invoices - st.ok)), fmt(a.accepted), fmt(a.rejected), fmt(a.unfinished), fmt(a.p50s, 2), fmt(a.p99s, 2), fmt(a.acceptedPerSec, 1), fmt(st.pendingAtEnd), fmt(p?.messages), fmt(p?.invoicesPerMessage, 1), pair(p?.toMessage), pair(p?.toTakenIn), pair(p?.toAccepted)];
      }),
      ['---', ...Array(14).fill('---:')],
    ) + '\n',
  );
  out.push('"No 2xx reached the terminal": invoices the gateway issued for requests whose terminal had already given up (timeout); the gateway keeps working on abandoned requests. "Pending at end" is the gateway\'s `hoadon_invoices_pending` (/metrics) when the stage stopped sending. "accepted/s" counts from the stage start to the last acceptance, drain included. The way of an invoice: issue → its 206 message built and signed by the worker (batching window, queue) → the authority\'s 999 in hand (queue, HTTP, intake checks) → accepted (answer delay, polling back-off).\n');
  out.push('### Per stage: CPU and memory\n');
  out.push(
    table(
      ['stage', 'gateway', 'worker', 'PostgreSQL (gateway DB)', 'simulator', 'PostgreSQL (simulator DB)', 'load generator', 'others', 'machine busy', 'CPU ms per sale (gateway + its PostgreSQL)', 'RSS MiB gateway', 'worker', 'simulator'],
      r.stages.map((st) => {
        const c = st.cpu;
        const perSale = st.okPerSec > 0 ? `${fmt((c.gateway / 100 / st.okPerSec) * 1000, 1)} + ${fmt((c.postgres / 100 / st.okPerSec) * 1000, 1)}` : '–';
        return [st.name, `${fmt(c.gateway)} %`, `${fmt(c.worker)} %`, `${fmt(c.postgres)} %`, `${fmt(c.simulator)} %`, `${fmt(c.postgresSim ?? 0)} %`, `${fmt(c.loadGenerator)} %`, `${fmt(c.others)} %`, `${fmt(c.machineBusyPct)} %`, perSale, fmt(st.rssMiB.gateway), fmt(st.rssMiB.worker), fmt(st.rssMiB.simulator)];
      }),
      ['---', ...Array(12).fill('---:')],
    ) + '\n',
  );
  out.push('CPU in % of one core over the stage (200 % = both cores of a 2-core machine), "machine busy" in % of all cores; PostgreSQL is split between the backends of the gateway\'s database (gateway and worker) and of the simulator\'s; "simulator" includes the xmllint runs of its schema checks (in shells it keeps); "others" is everything else on the machine. CPU per sale divides by the 2xx rate, so it is an upper bound where answers trailed the stage.\n');
  const busiest = [...r.stages].sort((a, b) => b.okPerSec - a.okPerSec)[0];
  if (busiest) {
    const c = busiest.cpu;
    const parts = ([['gateway', c.gateway], ['PostgreSQL (gateway DB)', c.postgres], ['worker', c.worker], ['simulator', c.simulator], ['PostgreSQL (simulator DB)', c.postgresSim ?? 0], ['load generator', c.loadGenerator], ['others', c.others]] as Array<[string, number]>).sort((a, b) => b[1] - a[1]);
    out.push(`Where the CPU went in the busiest stage (\`${busiest.name}\`, ${fmt(busiest.okPerSec, 1)} sales/s, machine ${fmt(c.machineBusyPct)} % busy): ${parts.map(([k, v]) => `${k} ${fmt(v)} %`).join(', ')}.\n`);
  }

  out.push('### Against the targets of issue 11\n');
  const st500 = r.stages.find((x) => x.name === '500');
  const sus = r.sustained;
  const gwMb = r.peakRssMiB.gateway * MIB_TO_MB;
  const wkMb = r.peakRssMiB.worker * MIB_TO_MB;
  out.push(
    table(
      ['target', 'goal', 'measured', ''],
      [
        target('sustained signed invoices/s (2 cores)', '≥ 1,000', sus ? `${fmt(sus.perSec, 1)} (stage \`${sus.stage}\`)` : 'no stage kept errors ≤ 1 % with every invoice accepted', sus ? sus.perSec >= 1000 : false),
        target('p99 of POST /v1/sales at 500 sales/s', '≤ 50 ms', st500 ? `${ms(st500.latency.p99)} ms` : 'no 500/s stage in this run', st500 ? st500.latency.p99 <= 50 : null),
        target('sustained ÷ raw RSA-2048 signs/s (all cores)', '≥ 0.35', r.ratioToRawSign === null ? '–' : `${fmt(r.ratioToRawSign, 3)} (raw ${fmt(r.rawSign.signsPerSec)} /s on ${r.rawSign.threads} threads)`, r.ratioToRawSign === null ? false : r.ratioToRawSign >= 0.35),
        target('peak RSS per process (VmHWM)', '≤ 512 MB', `gateway ${fmt(gwMb)} MB, worker ${fmt(wkMb)} MB`, Math.max(gwMb, wkMb) <= 512),
        target('database per invoice (tables + indexes + XML)', '≤ 4 KB', `${fmt(r.storage.marginalBytesPerInvoice)} B per added invoice (${fmt(r.storage.bytesPerInvoice)} B with fixed costs${keptBytesPerInvoice(r.storage) === null ? '' : `; ${fmt(keptBytesPerInvoice(r.storage)!)} B kept for good`})`, r.storage.marginalBytesPerInvoice > 0 ? r.storage.marginalBytesPerInvoice <= 4000 : null),
      ],
      ['---', '---', '---', '---'],
    ) + '\n',
  );
  out.push('"Sustained" is the best 2xx rate of a stage whose errors stayed ≤ 1 % and whose invoices were all accepted by the authority after the drain, whatever its latency (an overloaded open-loop stage measures capacity; its latency is in the first table). The raw rate is measured in the same run on the same machine, over a few seconds: on a shared machine it moves with the other work as much as the sales rate does.\n');

  const g = r.storage;
  out.push('### Storage per invoice\n');
  out.push(`${fmt(g.invoices)} invoices stored after the run (after \`vacuum analyze\`, dead row versions of the work list and transmission rows included). The signed XML averages ${fmt(g.avgXmlBytes)} B as text and ${fmt(g.avgXmlStoredBytes)} B as stored (deflated against its seller's dictionary in \`invoice_documents\`; rows from before that keep TOAST-compressed text).\n`);
  out.push(
    table(
      ['table', 'total bytes', 'of which indexes', 'of which reusable (free + dead rows)', 'bytes per invoice'],
      g.tables.slice(0, 10).map((t) => [`\`${t.table}\``, fmt(t.bytes), fmt(t.indexBytes), fmt(t.reusableBytes), fmt(g.invoices ? t.bytes / g.invoices : 0)]),
      ['---', '---:', '---:', '---:', '---:'],
    ) + '\n',
  );
  const tb = (g.marginalBytesPerInvoice * NATIONAL_INVOICES_PER_YEAR) / 1e12;
  out.push(
    `Each invoice added by the run cost **${fmt(g.marginalBytesPerInvoice)} B** of database (all tables after the run minus before the first sale, ÷ ${fmt(g.invoices - g.baseline.invoices)} invoices); ` +
      `all tables ÷ all invoices is ${fmt(g.bytesPerInvoice)} B, the \`invoices\` table alone ${fmt(g.invoiceTableBytesPerInvoice)} B (small runs overstate both: fixed costs and partly filled pages weigh more). ` +
      (g.liveBytesPerInvoice ? `Without the space vacuum freed for reuse (dead row versions left by the transmission updates and the work-list deletions, measured with pgstattuple), ${fmt(g.liveBytesPerInvoice)} B per invoice: a long steady run tends towards this figure as later rows fill that space. ` : '') +
      `At the national ${fmt(NATIONAL_INVOICES_PER_YEAR / 1e6)} M invoices a year, ${fmt(g.marginalBytesPerInvoice)} B is about ${fmt(tb, 1)} TB a year.\n`,
  );
  const kept = keptBytesPerInvoice(g);
  if (kept !== null) {
    out.push(
      `Not all of it stays: Idempotency-Keys are deleted after \`IDEMPOTENCY_RETENTION_DAYS\` (7) and the work list (\`unaccepted_invoices\`) empties as the authority accepts. ` +
        `Without those two tables and without the reusable space, an invoice keeps **${fmt(kept)} B** for good (${fmt((kept * NATIONAL_INVOICES_PER_YEAR) / 1e12, 1)} TB a year at the national volume).\n`,
    );
  }
  return out.join('\n');
}

/** Tables whose rows are deleted while the invoice stays. */
const TRANSIENT_TABLES = new Set(['idempotency_keys', 'unaccepted_invoices']);

/** Per invoice, what the lasting tables hold once reusable space is taken out (null without pgstattuple figures). */
export function keptBytesPerInvoice(g: LoadResult['storage']): number | null {
  if (!g.invoices || g.tables.some((t) => t.reusableBytes === null)) return null;
  const bytes = g.tables.filter((t) => !TRANSIENT_TABLES.has(t.table)).reduce((a, t) => a + t.bytes - (t.reusableBytes ?? 0), 0);
  return Math.round(bytes / g.invoices);
}

/** Where gateway and worker spent their CPU, from a run with --profile (slower, so kept apart). */
function profileSection(r: LoadResult, file: string): string {
  if (!r.profiles?.length) return '';
  const out: string[] = ['## CPU profiles (`npm run bench -- --profile`)\n'];
  const best = [...r.stages].sort((a, b) => b.okPerSec - a.okPerSec)[0];
  out.push(
    `From \`${file}\`, run ${r.startedAt}: stages ${r.settings.stages.join(', ')} of ${r.settings.stageSeconds} s with gateway and worker under \`node --cpu-prof\`` +
      (best ? ` (best stage ${fmt(best.okPerSec, 1)} sales/s, load average ${fmt(r.machine.loadAvgStart, 2)} at the start).` : '.') +
      ' Self time by where the code lives, over the whole life of the process (startup and onboarding included), idle excluded; native code and Node internals are charged to the package or project code that called them (a socket write made by the PostgreSQL driver counts as `postgres`).\n',
  );
  for (const p of r.profiles) {
    out.push(`**${p.process}** (${fmt(p.sampledSeconds, 1)} s profiled): ${p.byArea.slice(0, 10).map((a) => `${a.area} ${fmt(a.pct, 1)} %`).join(', ')}.\n`);
    out.push(table(['function', 'where', '% self'], p.topFunctions.slice(0, 10).map((f) => [`\`${f.fn}\``, `\`${f.where}\``, fmt(f.pct, 1)]), ['---', '---', '---:']) + '\n');
  }
  return out.join('\n');
}

function growthSection(r: GrowthResult, file: string): string {
  const out: string[] = [];
  out.push('## Cost as data grows (`npm run bench -- --mode growth`)\n');
  out.push(`From \`${file}\`, run ${r.startedAt} → ${r.finishedAt}.${r.note ? ` Conditions as recorded: *${r.note}*` : ''}\n`);
  out.push(machineSection(r.machine, null) + '\n');
  out.push(`Each point is a fresh database seeded in bulk (src/bench/seed.ts) to the stored count, then ${r.settings.businesses} businesses × ${r.settings.terminalsPerBusiness} terminals registered through the API; reads are ${r.settings.queries} sequential requests each with an admin token, before ingestion; ingestion is ${r.settings.concurrency} terminals in a closed loop for ${r.settings.ingestSeconds} s.\n`);
  if (r.skipped.length) out.push(r.skipped.map((s) => `- skipped: ${s}`).join('\n') + '\n');
  if (r.points.length === 0) return out.join('\n');
  const readNames = r.points[0]!.reads.map((x) => x.name);
  out.push(
    table(
      ['stored invoices', 'seed s', 'ingest 2xx/s', 'ingest p99 ms', ...readNames.map((n) => `${n} p50 / p95 ms`), 'database ÷ invoices, B'],
      r.points.map((p) => [
        fmt(p.stored),
        fmt(p.seedSeconds, 1),
        fmt(p.ingest.okPerSec, 1),
        ms(p.ingest.latency.p99),
        ...readNames.map((n) => {
          const x = p.reads.find((y) => y.name === n);
          return x ? `${ms(x.latency.p50)} / ${ms(x.latency.p95)}` : '–';
        }),
        fmt(p.bytesPerInvoice),
      ]),
      ['---:', '---:', '---:', '---:', ...readNames.map(() => '---:'), '---:'],
    ) + '\n',
  );
  const first = r.points[0]!;
  const last = r.points[r.points.length - 1]!;
  if (last !== first && first.ingest.okPerSec > 0) {
    const change = (last.ingest.okPerSec / first.ingest.okPerSec - 1) * 100;
    const verdict = last.stored >= 1_000_000 ? `target within 10 % at 1 M: ${Math.abs(change) <= 10 ? 'met' : '**not met**'}` : `the target, within 10 % at 1 M, was not measured: this run stopped at ${fmt(last.stored)}`;
    out.push(`Ingestion at ${fmt(last.stored)} stored invoices differs by ${change > 0 ? '+' : ''}${fmt(change, 1)} % from ${fmt(first.stored)} stored (${verdict}). On a shared machine the spread between two runs of the same point can exceed 10 %: compare points of one run on an idle machine.\n`);
  }
  return out.join('\n');
}

const METHOD = `## How it is measured

\`npm run bench\` builds, then starts as separate processes, on the machine's own PostgreSQL (a fresh
pair of databases \`hm_bench_<random>\` and \`…_sim\`, dropped at the end) and Redis (a unique
\`QUEUE_PREFIX\`, deleted at the end): the tax-authority simulator (\`dist/authority-sim/main.js\`),
one gateway (\`dist/server.js\`, \`RUN_WORKERS=false\`) and one worker (\`dist/worker.js\`). It registers
businesses through \`POST /v1/businesses\` with self-signed PKCS#12 certificates (subject
\`UID=MST:<tax code>\`), waits for the simulator's 103 to make them active, and creates terminals.

Sales have 1–12 lines of Vietnamese dishes and drinks, VAT 8 %, 10 %, 5 % and KCT, some weighed
quantities (\`kg\` with decimals), mixed payment methods, and about 20 % carry a buyer's personal ID.
Each is a \`POST /v1/sales\` with its own \`Idempotency-Key\`, over keep-alive HTTP.

- **Open loop** for numbered stages: requests fire on a fixed schedule whatever the answers, and
  latency is measured from the *intended* send time, so a gateway that falls behind cannot hide the
  queue (no coordinated omission). Latencies go into HDR histograms (\`node:perf_hooks\`
  \`createHistogram\`, HdrHistogram underneath, 3 significant figures).
- **Closed loop** for \`max\`: N terminals each wait for their answer, which finds the saturation
  throughput.
- **Sale → accepted**: \`accepted_at − issued_at\` of the invoices issued during the stage, read from
  the database after the drain. It includes the batching window (\`BATCH_MAX_AGE_MS\`), the 206
  message signing, the simulator's answer delay and the polling back-off.
- **Raw signing rate**: node:crypto RSA-2048 \`sign('sha256', …)\` in one worker thread per core for a
  few seconds, in the same run, before the stages.
- **CPU** per process from \`/proc/<pid>/stat\` over each stage, **memory** from \`/proc/<pid>/status\`
  (VmRSS sampled, VmHWM for the peak), **storage** from \`pg_total_relation_size\` of every table.

Run it:

\`\`\`sh
npm run bench                                            # full run: 20 s stages 100,300,500,1000,max
npm run bench -- --stage-seconds 8 --stages 50,150,300,max --note "…"   # short run
npm run bench -- --mode growth                           # 0, 100k, 1M stored invoices
npm run bench -- --profile --out bench/results/profiled --stages 40,max --stage-seconds 8   # CPU profiles
npm run bench -- --report                                # rewrite this file from bench/results/
\`\`\`

Results land in \`bench/results/\` (not committed): \`load-<time>.json\`, the chart
\`load-<time>.png\` (headless Chromium; \`.svg\` when Chromium is missing) and the processes' logs.
The run exits non-zero only when the setup fails (services unreachable, a process does not start),
never on a missed target.
`;

const SCALING = `## Keeping the national volume manageable

The issue's budget is ≤ 4 KB per invoice, about 3 TB a year at 758 M invoices; the storage figure
above says how far this build is from it. What keeps that volume workable, and what brings it down:

- **Partition \`invoices\` (and \`buyer_links\`, \`messages\`) by issue month** (\`PARTITION BY RANGE
  (issued_at)\`): the hot partition and its indexes stay in memory, searches with a date range touch
  only their months, and the autovacuum of old months has nothing left to do once they stop changing.
- **Retention by detaching partitions**: invoices must be kept for the legal retention period of
  accounting records; a closed month is detached and moved to cheaper storage (a tablespace on
  slower disks, or exported signed XML in object storage with a row stub kept for search), and
  dropped when the period ends: no \`DELETE\` of billions of rows, no bloat.
- **The signed XML is deflated against its seller's dictionary** (\`src/invoice/xml-store.ts\`): a
  signed sample invoice of the same seller and certificate holds the name, address, certificate and
  element names that every invoice repeats, so a ~5 KB document takes ~0.7 KB (PostgreSQL's own
  compression only halves it). Lossless: the bytes served are the bytes signed. It lives in
  \`invoice_documents\`, written once and never copied.
- **Idempotency keys** only need to outlive the POS's retry window: consumer processes delete them
  after \`IDEMPOTENCY_RETENTION_DAYS\` (default 7), which takes their share out of the long-run
  per-invoice figure (a run shorter than the retention still counts them).
- **206 message bodies repeat every invoice's signed XML**: they are needed for resending until the
  authority answers, and are emptied once it has (the invoice keeps its own signed XML); what the
  \`messages\` row above still holds is their dead versions until vacuum reuses the space.
- **Transmission state is not on the invoice row**: its status, message, times and lateness are in
  the narrow \`invoice_transmissions\` table (no row while an invoice is pending and never left),
  and the work list of invoices not yet accepted (what the batcher takes, what a message carries,
  the backlog filters, searches for pending, sent or rejected invoices) is the small
  \`unaccepted_invoices\` table, whose rows are deleted on acceptance. The invoice row and
  its indexes are written once: the pending → sent → accepted updates rewrite a ~100-byte row.
- **Lines as compact text**: nothing queries inside an invoice's lines, so the row keeps them as
  JSON text of positional arrays (~0.5 KB for six lines; as jsonb objects they took ~0.85 KB after
  compression). What is left of the row is its indexes (~0.8 KB an invoice) and ~0.6 KB of
  columns that searches and views read.
- **Time-ordered ids** (UUID version 7) for invoices and messages: every table keyed by an invoice
  (documents, transmission state, buyer links, message items, the work list) takes its new keys at
  the right-hand edge of its index, so a page of each is written full and an insert reads no cold
  page, however large the tables grow.
`;

const TUNING = `## Tuning in this benchmark

- \`RUN_WORKERS=false\` on the gateway and a separate worker process: the gateway's event loop only
  issues invoices; building, signing and sending 206 messages runs beside it.
- \`BATCH_MAX_AGE_MS\` (default 30 s with Redis) is lowered for the benchmark (see Setup) so that the
  time from sale to acceptance shows the pipeline rather than the batching window; fuller batches
  (a longer window) cost fewer 206 signatures per invoice.
- Every sale is signed inside its issuing transaction, under a per-seller advisory lock (gap-free
  numbers). A gateway spreads sellers over four lanes, queues their sales itself and issues whatever
  queued during a turn together (up to 128, several sellers) in one transaction
  (\`src/modules/sales/seller-queue.ts\`): one commit, one WAL flush for them all. Before, each sale
  held one of the 10 pooled connections while waiting for its seller's lock, and a few busy sellers
  could take the whole pool.
- A turn is four round trips to PostgreSQL whatever its size: \`begin\`; one call of
  \`issue_begin_many\` (each seller's lock in the order of seller ids, which Idempotency-Keys are
  taken, the business under the lock, the numbers); one statement that writes the invoices, their
  documents and work-list rows, buyer links, key answers and the three statistics upserts (rows
  travel as jsonb parameters, so its text never changes); \`commit\`. The turn was eleven round
  trips before.
- The hot statements are kept prepared on their connection (\`preparedRows\`, \`.prepare()\`):
  drizzle runs raw SQL unnamed, and postgres.js then parses and describes it (one more round trip)
  every time. Connections use \`plan_cache_mode=force_custom_plan\`: a generic plan made while a
  table was small (a sequential scan) would otherwise stay with the connection as the table grows;
  lists of ids are passed as one array so that no plan hash-joins a whole table.
- Per sale the gateway reads nothing before issuing: an active business's row is reused for 2 s
  (read again under the lock once per turn), a token's \`last_used_at\` is written at most once a
  minute, the insert does not read the signed XML back, and the batch job an invoice asks for is
  added to Redis once per batching window and process, not once per invoice.
`;

/** Every load result in a directory (for the repeats table); unreadable files are skipped. */
export function loadResultsIn(dir: string): Array<{ r: LoadResult; file: string }> {
  try {
    return readdirSync(dir)
      .filter((f) => f.startsWith('load-') && f.endsWith('.json'))
      .flatMap((f) => {
        try {
          const r = readResult(path.join(dir, f));
          return r.kind === 'load' ? [{ r, file: path.join(dir, f) }] : [];
        } catch {
          return [];
        }
      });
  } catch {
    return [];
  }
}

export function renderDocs(
  load: { r: LoadResult; file: string } | undefined,
  growth: { r: GrowthResult; file: string } | undefined,
  repeats: Array<{ r: LoadResult; file: string }> = [],
  profiled?: { r: LoadResult; file: string },
  stats?: { r: StatsResult; file: string },
): string {
  const parts = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench -- --report` from bench/results/*.json. Do not edit by hand: rerun the benchmark and the report. -->',
    '',
  ];
  const short = load && (load.r.settings.stageSeconds < 20 || load.r.machine.loadAvgStart > load.r.machine.cores);
  if (short && load) {
    parts.push(
      `> **Read these figures with care.** ${load.r.settings.stageSeconds < 20 ? `This is a short run (${load.r.settings.stageSeconds} s stages, not the default 20 s). ` : ''}` +
        `${load.r.machine.loadAvgStart > load.r.machine.cores ? `The machine was shared and loaded (load average ${fmt(load.r.machine.loadAvgStart, 2)} on ${load.r.machine.cores} cores at the start): other work competed for the CPU, so the figures are lower bounds for this hardware, not its capacity. ` : ''}` +
        'Rerun `npm run bench` on an idle machine for figures to quote.\n',
    );
  }
  parts.push(load ? loadSection(load.r, load.file, repeats) : '## Sustained POS load\n\nNo load result yet: run `npm run bench`.\n');
  parts.push(growth ? growthSection(growth.r, growth.file) : '## Cost as data grows\n\nNot run yet: `npm run bench -- --mode growth` (seeds 100 k and 1 M invoices; needs a few GB of free disk).\n');
  const profiles = profiled ? profileSection(profiled.r, profiled.file) : load ? profileSection(load.r, load.file) : '';
  if (profiles) parts.push(profiles);
  parts.push(stats ? statsSection(stats.r, stats.file) : '## Statistics and risk reads\n\nNot run yet: `npm run bench:stats` (add `--synthetic 1000000` for a million invoices quickly).\n');
  parts.push(TUNING, SCALING, METHOD);
  return parts.join('\n');
}
