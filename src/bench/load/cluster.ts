// The system under test, as separate processes on the machine's real services: a fresh pair of
// databases (gateway, simulator) on the PostgreSQL of DATABASE_URL, a unique BullMQ prefix on
// Redis, the tax-authority simulator, one gateway (RUN_WORKERS=false) and one worker. Everything
// it creates it removes at the end (unless --keep).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { freePort } from '../../lib/net.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export class SetupError extends Error {}

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last lines of its output, for error messages. */
  tail: () => string;
  exited: Promise<number | null>;
}

export { freePort };

function startNode(name: string, script: string, env: Record<string, string>, logDir: string, profile = false): Proc {
  // --cpu-prof writes <name>.cpuprofile when the process exits (after SIGTERM's orderly shutdown).
  const prof = profile ? ['--cpu-prof', '--cpu-prof-dir', logDir, '--cpu-prof-name', `${name}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...prof, path.join(ROOT, script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(path.join(logDir, `${name}.log`));
  let tail = '';
  const keep = (d: Buffer) => {
    log.write(d);
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    log.end();
    resolve(code);
  }));
  if (!child.pid) throw new SetupError(`could not start ${script}`);
  return { name, child, pid: child.pid, tail: () => tail, exited };
}

async function waitForHttp(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new SetupError(`${proc.name} exited with ${exitCode}:\n${proc.tail()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new SetupError(`${proc.name} not ready at ${url} within ${timeoutMs / 1000} s:\n${proc.tail()}`);
}

export interface ClusterOptions {
  databaseUrl: string;
  redisUrl: string;
  batchMaxAgeMs: number;
  simReplyDelayMs: number;
  pollBaseMs: number;
  logDir: string;
  keep: boolean;
  /** CPU-profile the gateway and the worker into logDir. */
  profile?: boolean;
  /** Runs on the empty, migrated gateway database before the gateway and worker start (the growth mode's seeding). */
  beforeStart?: (databaseUrl: string, env: Record<string, string>) => Promise<void>;
}

export interface Cluster {
  gatewayUrl: string;
  simUrl: string;
  databaseUrl: string;
  /** The gateway's database and the simulator's. */
  databaseNames: { gateway: string; simulator: string };
  adminToken: string;
  redisVersion: string;
  procs: { gateway: Proc; worker: Proc; simulator: Proc };
  /** A small pool on the gateway's database for measurements. */
  sql: postgres.Sql;
  stop(): Promise<void>;
}

const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  mkdirSync(o.logDir, { recursive: true });
  const tag = randomBytes(4).toString('hex');
  const gatewayDb = `hm_bench_${tag}`;
  const simDb = `hm_bench_${tag}_sim`;
  const prefix = `hmbench_${tag}`;
  const admin = postgres(o.databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  // Only for the check and the cleanup: no reconnecting, errors surface through the calls.
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => {});
  const procs: Proc[] = [];
  let sql: postgres.Sql | undefined;
  let created: string[] = [];

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopAll());
  // Ctrl-C mid-run still drops the databases and Redis keys.
  const onSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stopAll = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Workers first (they hold leases and connections), then the gateway, then the simulator.
    for (const name of ['worker', 'gateway', 'simulator']) {
      const p = procs.find((x) => x.name === name);
      if (!p || p.child.exitCode !== null) continue;
      p.child.kill('SIGTERM');
      const done = await Promise.race([p.exited, sleep(20_000).then(() => 'timeout' as const)]);
      if (done === 'timeout') {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await sql?.end({ timeout: 5 }).catch(() => {});
    if (o.keep) {
      process.stderr.write(`kept databases ${created.join(', ')} and Redis keys ${prefix}*\n`);
    } else {
      for (const db of created) await admin.unsafe(`drop database if exists ${db} with (force)`).catch((err: unknown) => process.stderr.write(`could not drop ${db}: ${String(err)}\n`));
      if (redis.status === 'ready') await deleteKeys(redis, `${prefix}*`).catch((err: unknown) => process.stderr.write(`could not delete Redis keys ${prefix}*: ${String(err)}\n`));
      else if (created.length > 0) process.stderr.write(`lost the Redis connection: keys ${prefix}* are left\n`);
    }
    await admin.end({ timeout: 5 }).catch(() => {});
    redis.disconnect();
  };

  try {
    try {
      await admin`select 1`;
    } catch (err) {
      throw new SetupError(`PostgreSQL at ${o.databaseUrl} is not reachable: ${(err as Error).message}`);
    }
    let redisVersion = 'unknown';
    try {
      await redis.connect();
      redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    } catch (err) {
      throw new SetupError(`Redis at ${o.redisUrl} is not reachable: ${(err as Error).message}`);
    }
    for (const db of [gatewayDb, simDb]) {
      await admin.unsafe(`create database ${db}`);
      created = [...created, db];
    }
    const gatewayUrl = withDatabase(o.databaseUrl, gatewayDb);
    const [simPort, port] = [await freePort(), await freePort()];
    const simulator = startNode('simulator', 'dist/authority-sim/main.js', {
      DATABASE_URL: withDatabase(o.databaseUrl, simDb),
      SIM_PORT: String(simPort),
      SIM_REPLY_DELAY_MS: String(o.simReplyDelayMs),
      LOG_LEVEL: 'warn',
    }, o.logDir);
    procs.push(simulator);
    const simUrl = `http://127.0.0.1:${simPort}`;
    await waitForHttp(`${simUrl}/_sim/certificate`, simulator);
    const authorityCert = await (await fetch(`${simUrl}/_sim/certificate`)).text();

    const adminToken = `stf_${randomBytes(24).toString('base64url')}`;
    const env: Record<string, string> = {
      DATABASE_URL: gatewayUrl,
      REDIS_URL: o.redisUrl,
      QUEUE_PREFIX: prefix,
      AUTHORITY_URL: simUrl,
      AUTHORITY_CERT: authorityCert,
      MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
      LOOKUP_KEY: `v1:${randomBytes(32).toString('base64')}`,
      ADMIN_TOKEN: adminToken,
      BATCH_MAX_AGE_MS: String(o.batchMaxAgeMs),
      POLL_BASE_MS: String(o.pollBaseMs),
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      RUN_WORKERS: 'false',
    };
    if (o.beforeStart) await o.beforeStart(gatewayUrl, env);
    const gateway = startNode('gateway', 'dist/server.js', env, o.logDir, o.profile);
    procs.push(gateway);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/health/live`, gateway);
    // After the gateway: it has applied the migrations, so the worker does not wait on the lock.
    const worker = startNode('worker', 'dist/worker.js', env, o.logDir, o.profile);
    procs.push(worker);
    await waitForHttp(`${base}/health/ready`, gateway);
    await sleep(500);
    if (worker.child.exitCode !== null) throw new SetupError(`worker exited with ${worker.child.exitCode}:\n${worker.tail()}`);
    sql = postgres(gatewayUrl, { max: 3, onnotice: () => {} });
    return { gatewayUrl: base, simUrl, databaseUrl: gatewayUrl, databaseNames: { gateway: gatewayDb, simulator: simDb }, adminToken, redisVersion, procs: { gateway, worker, simulator }, sql, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
