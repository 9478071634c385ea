// `npm run sim`: the standalone tax-authority simulator.
//   DATABASE_URL  PostgreSQL (required; state lives in its authority_sim schema)
//   SIM_PORT      default 8090          HOST  default 127.0.0.1
//   SIM_FAULTS    JSON fault set, e.g. {"errorRate":0.1,"rate429":0.05,"dropRate":0.05}
//   SIM_TEST_ROUTES  "false" hides the /_sim/ seeding and inspection routes (default: shown)
//   SIM_REPLY_DELAY_MS  delay of business answers (default 300)
//   LOG_LEVEL     default info
import os from 'node:os';
import { openDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import type { SimLogger } from './context.js';
import { parseFaults, startSimulator, type SimFaults } from './simulator.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

function fail(message: string): never {
  process.stderr.write(`authority-sim: ${message}\n`);
  process.exit(1);
}

function lineLogger(level: Level): SimLogger {
  const min = LEVELS.indexOf(level);
  const at = (l: Level) => (obj: object, msg?: string) => {
    if (LEVELS.indexOf(l) >= min) process.stdout.write(JSON.stringify({ level: l, time: new Date().toISOString(), msg, ...obj }) + '\n');
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function intEnv(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) fail(`${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) fail('DATABASE_URL is required (postgres://…): the simulator keeps its state in PostgreSQL');
  const port = intEnv('SIM_PORT', 8090, 65535);
  const replyDelayMs = intEnv('SIM_REPLY_DELAY_MS', 300, 3_600_000);
  const host = process.env.HOST || '127.0.0.1';
  const level = (process.env.LOG_LEVEL ?? 'info') as Level;
  if (!LEVELS.includes(level)) fail(`LOG_LEVEL must be one of ${LEVELS.join(', ')}`);
  let faults: SimFaults = {};
  try {
    faults = process.env.SIM_FAULTS ? parseFaults(JSON.parse(process.env.SIM_FAULTS)) : {};
  } catch (err) {
    fail(`SIM_FAULTS: ${(err as Error).message}`);
  }
  const log = lineLogger(level);

  const database = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolSize: 5 });
  await migrateDatabase(database, databaseUrl);
  const running = await startSimulator({
    db: database.db,
    host,
    port,
    faults,
    replyDelayMs,
    log,
    testRoutes: process.env.SIM_TEST_ROUTES !== 'false',
  });
  log.info({ url: running.url, faults }, 'tax-authority simulator listening');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    await running.close().catch((err: unknown) => log.error({ err: String(err) }, 'closing the HTTP server failed'));
    await database.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => fail((err as Error).stack ?? String(err)));
