// Throw-away servers for the fault suite, so that breaking them disturbs nothing else on the
// machine: a PostgreSQL cluster made with initdb/pg_ctl in a temp dir (restartable on the same
// port), and the gateway, worker and simulator as built processes (dist/).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { freePort, ROOT, type Spawned } from '../helpers/process.js';

type Teardown = { teardown(fn: () => unknown): void };

const PG_BIN = process.env.PG_BIN ?? findPgBin();

function findPgBin(): string {
  for (const v of ['17', '16', '15', '14', '13']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  return path.dirname(execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim());
}

/** initdb refuses to run as root: run the PostgreSQL binaries as the `postgres` user then. */
function pgCommand(bin: string, args: string[]): { cmd: string; args: string[] } {
  const exe = path.join(PG_BIN, bin);
  if (process.getuid?.() !== 0) return { cmd: exe, args };
  return { cmd: 'runuser', args: ['-u', 'postgres', '--', exe, ...args] };
}

function pg(bin: string, args: string[]): void {
  const c = pgCommand(bin, args);
  const run = spawnSync(c.cmd, c.args, { encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${run.error?.message ?? ''}${run.stdout}${run.stderr}`);
}

export interface PrivatePostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<db> */
  url(db?: string): string;
  createDatabase(name: string): Promise<void>;
  /** Fast shutdown: open connections are terminated (57P01), new ones refused. */
  stop(): void;
  start(): void;
}

/** A PostgreSQL cluster of its own: trust auth on 127.0.0.1, no fsync (a test cluster). */
export async function startPrivatePostgres(t: Teardown): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hm-faults-pg-'));
  chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  let running = false;
  const start = () => {
    pg('pg_ctl', ['-D', data, '-l', log, '-o', opts, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = () => {
    pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
  };
  start();
  t.teardown(() => {
    if (running) {
      try {
        pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const url = (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const admin = postgres(url(), { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end({ timeout: 5 });
    },
    stop,
    start,
  };
}

/** A built process whose output is kept (last 20 kB) and can be searched afterwards. */
export function startProcess(script: string, env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [path.join(ROOT, script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls until `url` answers 200 (or the process dies). */
export async function waitReady(url: string, proc: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`process exited (${proc.child.exitCode}) before ${url} answered:\n${proc.output()}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${proc.output()}`);
}

export async function kill(p: Spawned, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  p.child.kill(signal);
  return p.exited;
}

export interface Crash {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It died while starting (a dependency down), not while serving. */
  duringStart: boolean;
  tail: string;
}

/**
 * A process under a supervisor, as the deployment runs them (compose `restart: unless-stopped`):
 * an exit nobody asked for is recorded as a crash and the process is started again. `kill` is a
 * fault injected on purpose: recorded as such, and the process stays down until `start`.
 */
export interface Supervised {
  current(): Spawned;
  crashes: Crash[];
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): void;
  /** Stops for good (teardown). */
  stop(): Promise<void>;
}

export function supervise(name: string, script: string, env: Record<string, string>): Supervised {
  const crashes: Crash[] = [];
  let proc: Spawned;
  let intended = false;
  let stopped = false;
  const launch = () => {
    const p = startProcess(script, env);
    proc = p;
    void p.exited.then((code) => {
      if (stopped || intended || p !== proc) return;
      const out = p.output();
      crashes.push({ name, code, signal: p.child.signalCode, duringStart: /failed to start/.test(out), tail: out.slice(-3000) });
      setTimeout(() => !stopped && !intended && p === proc && launch(), 300).unref();
    });
  };
  launch();
  return {
    current: () => proc,
    crashes,
    async kill(signal = 'SIGKILL') {
      intended = true;
      await kill(proc, signal);
    },
    start() {
      intended = false;
      launch();
    },
    async stop() {
      stopped = true;
      await kill(proc);
    },
  };
}
