// `npm run bench` (load mode): onboard, measure raw signing, then each stage of POS traffic with
// the CPU and memory of every process, the drain to acceptance, and at the end the storage cost.
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions } from './args.js';
import { writeChart } from './chart.js';
import { startCluster, type Cluster } from './cluster.js';
import { salesClient, type DriveResult, type SalesClient } from './driver.js';
import { saleMaker } from './fixtures.js';
import { backendPids, describeMachine, drainAndMeasure, scrapeMetric, storagePerInvoice, storageSnapshot } from './measure.js';
import { childPids, CpuMeter, machineCpu, memoryMiB } from './procstat.js';
import { summarizeProfile } from './profile.js';
import { rawSignRate } from './rsa.js';
import { onboard } from './setup.js';
import type { LoadResult, StageResult } from './types.js';

export const stamp = (d = new Date()): string => d.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
const round1 = (x: number) => Math.round(x * 10) / 10;

async function runStage(name: string, o: BenchOptions, cluster: Cluster, client: SalesClient): Promise<StageResult> {
  const { gateway, worker, simulator } = cluster.procs;
  const meters = {
    gateway: new CpuMeter([gateway.pid]),
    worker: new CpuMeter([worker.pid]),
    // The simulator and the long-lived shells that run xmllint for it (src/authority-sim/xmllint-shell.ts).
    simulator: new CpuMeter([simulator.pid, ...childPids(simulator.pid)], true),
    postgres: new CpuMeter(await backendPids(cluster.sql, [cluster.databaseNames.gateway])),
    postgresSim: new CpuMeter(await backendPids(cluster.sql, [cluster.databaseNames.simulator])),
  };
  const self0 = process.cpuUsage();
  const machine0 = machineCpu();
  const rss = { gateway: 0, worker: 0, simulator: 0 };
  const sample = () => {
    for (const [k, p] of [['gateway', gateway], ['worker', worker], ['simulator', simulator]] as const) rss[k] = Math.max(rss[k], memoryMiB(p.pid).rss);
  };
  const sampler = setInterval(sample, 500);
  // Backends the pools open under load count too.
  const pgWatch = setInterval(() => {
    void backendPids(cluster.sql, [cluster.databaseNames.gateway]).then((p) => meters.postgres.add(p), () => {});
    void backendPids(cluster.sql, [cluster.databaseNames.simulator]).then((p) => meters.postgresSim.add(p), () => {});
    meters.simulator.add(childPids(simulator.pid));
  }, 2000);
  const from = new Date();
  const t0 = performance.now();
  const offered = name === 'max' ? null : Number(name);
  process.stderr.write(`stage ${name.padStart(5)}: ${offered ? `${offered} sales/s offered (open loop)` : `${o.maxConcurrency} terminals in a closed loop`} for ${o.stageSeconds} s… `);
  let drive: DriveResult;
  try {
    drive = offered ? await client.openLoop(offered, o.stageSeconds, o.maxInFlight) : await client.closedLoop(o.maxConcurrency, o.stageSeconds);
  } finally {
    clearInterval(sampler);
    clearInterval(pgWatch);
  }
  sample();
  const wall = (performance.now() - t0) / 1000;
  const pendingAtEnd = await scrapeMetric(cluster.gatewayUrl, 'hoadon_invoices_pending');
  const self = process.cpuUsage(self0);
  const machine1 = machineCpu();
  const pct = (cpuSeconds: number) => round1((cpuSeconds / wall) * 100);
  const cpu = {
    gateway: pct(meters.gateway.used()),
    worker: pct(meters.worker.used()),
    simulator: pct(meters.simulator.used()),
    postgres: pct(meters.postgres.used()),
    postgresSim: pct(meters.postgresSim.used()),
    loadGenerator: pct((self.user + self.system) / 1e6),
    others: 0,
    machineBusyPct: round1(((machine1.busy - machine0.busy) / Math.max(0.001, machine1.total - machine0.total)) * 100),
  };
  const machineBusyOneCore = ((machine1.busy - machine0.busy) / wall) * 100;
  cpu.others = round1(Math.max(0, machineBusyOneCore - cpu.gateway - cpu.worker - cpu.simulator - cpu.postgres - cpu.postgresSim - cpu.loadGenerator));
  const errorCount = Object.values(drive.errors).reduce((a, b) => a + b, 0);
  process.stderr.write(`${drive.ok} ok (${drive.okPerSec.toFixed(0)}/s), ${errorCount} errors, p99 ${drive.latency.p99} ms; draining… `);
  const acceptance = await drainAndMeasure(cluster.sql, from, o.drainSeconds);
  process.stderr.write(`${acceptance.accepted}/${acceptance.invoices} accepted, p99 ${acceptance.p99s ?? '–'} s\n`);
  return {
    name,
    kind: offered ? 'open' : 'closed',
    offeredPerSec: offered,
    concurrency: offered ? null : o.maxConcurrency,
    seconds: o.stageSeconds,
    sent: drive.sent,
    ok: drive.ok,
    okPerSec: round1(drive.okPerSec),
    errors: drive.errors,
    errorSamples: drive.errorSamples,
    latency: drive.latency,
    sendLag: drive.sendLag,
    maxInFlight: drive.maxInFlight,
    acceptance,
    cpu,
    rssMiB: { gateway: Math.round(rss.gateway), worker: Math.round(rss.worker), simulator: Math.round(rss.simulator) },
    pendingAtEnd,
  };
}

/** The best completed rate of a stage that kept errors ≤ 1 % and got every invoice accepted. */
export function sustainedOf(stages: StageResult[]): { perSec: number; stage: string } | null {
  let best: { perSec: number; stage: string } | null = null;
  for (const s of stages) {
    const errors = s.sent - s.ok;
    const clean = s.sent > 0 && errors / s.sent <= 0.01 && s.acceptance.unfinished === 0 && s.acceptance.rejected === 0;
    if (clean && (!best || s.okPerSec > best.perSec)) best = { perSec: s.okPerSec, stage: s.name };
  }
  return best;
}

export async function runLoad(o: BenchOptions): Promise<{ result: LoadResult; file: string }> {
  const startedAt = new Date();
  const id = `load-${stamp(startedAt)}`;
  const logDir = path.join(o.outDir, 'logs', id);
  mkdirSync(o.outDir, { recursive: true });
  process.stderr.write(`starting simulator, gateway and worker (logs in ${logDir})…\n`);
  const cluster = await startCluster({
    databaseUrl: o.databaseUrl,
    redisUrl: o.redisUrl,
    batchMaxAgeMs: o.batchMaxAgeMs,
    simReplyDelayMs: o.simReplyDelayMs,
    pollBaseMs: o.pollBaseMs,
    logDir,
    keep: o.keep,
    profile: o.profile,
  });
  let client: SalesClient | undefined;
  let result: LoadResult;
  try {
    const machine = await describeMachine(cluster.sql, cluster.redisVersion);
    const seed = randomInt(1, 2 ** 31);
    const on = await onboard(cluster.gatewayUrl, o.businesses, o.terminals, seed);
    process.stderr.write(`onboarded ${on.taxCodes.length} businesses and ${on.terminalKeys.length} terminals in ${on.seconds.toFixed(1)} s\n`);
    const baseline = await storageSnapshot(cluster.sql);
    process.stderr.write(`raw RSA-2048 signing on ${os.cpus().length} threads for ${o.rsaSeconds} s… `);
    const rawSign = await rawSignRate(o.rsaSeconds);
    process.stderr.write(`${rawSign.signsPerSec.toFixed(0)} signs/s\n`);
    const url = new URL(cluster.gatewayUrl);
    client = salesClient({ host: url.hostname, port: Number(url.port), terminals: on.terminalKeys, makeBody: saleMaker(seed) }, 256, o.timeoutSeconds * 1000);
    // Warm-up, not recorded: JIT, connection pools, prepared statements, decrypted signing keys.
    process.stderr.write('warm-up (3 s, not recorded)…\n');
    await client.closedLoop(Math.min(8, on.terminalKeys.length), 3);
    await drainAndMeasure(cluster.sql, new Date(0), o.drainSeconds);
    await sleep(1000);

    const stages: StageResult[] = [];
    for (const name of o.stages) stages.push(await runStage(name, o, cluster, client));

    process.stderr.write('measuring storage (vacuum analyze)…\n');
    const storage = await storagePerInvoice(cluster.sql, baseline);
    const hwm = (pid: number) => Math.round(memoryMiB(pid).hwm);
    const sustained = sustainedOf(stages);
    result = {
      kind: 'load',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      note: o.note,
      machine: { ...machine, loadAvgEnd: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
      settings: {
        businesses: o.businesses,
        terminalsPerBusiness: o.terminals,
        stageSeconds: o.stageSeconds,
        stages: o.stages,
        maxConcurrency: o.maxConcurrency,
        batchMaxAgeMs: o.batchMaxAgeMs,
        simReplyDelayMs: o.simReplyDelayMs,
        pollBaseMs: o.pollBaseMs,
        drainSeconds: o.drainSeconds,
        timeoutSeconds: o.timeoutSeconds,
        maxInFlight: o.maxInFlight,
        profiled: o.profile,
      },
      rawSign,
      stages,
      sustained,
      ratioToRawSign: sustained ? Math.round((sustained.perSec / rawSign.signsPerSec) * 1000) / 1000 : null,
      peakRssMiB: { gateway: hwm(cluster.procs.gateway.pid), worker: hwm(cluster.procs.worker.pid), simulator: hwm(cluster.procs.simulator.pid) },
      storage,
      profiles: [],
      chart: { svg: '', png: null },
    };
  } finally {
    client?.close();
    await cluster.stop();
  }
  // The profiles are written as the processes exit.
  if (o.profile) {
    for (const name of ['gateway', 'worker']) {
      const summary = summarizeProfile(name, path.join(logDir, `${name}.cpuprofile`));
      if (summary) result.profiles.push(summary);
      else process.stderr.write(`no CPU profile from the ${name}\n`);
    }
  }
  const base = path.join(o.outDir, id);
  if (o.chart) result.chart = await writeChart(result, base);
  const file = `${base}.json`;
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return { result, file };
}
