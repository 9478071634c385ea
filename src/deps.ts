// The one composition root: everything a process needs, built from the config and closed in
// reverse order. Tests build the same object with their own database, clock and authority.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { Worker } from 'bullmq';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { secretBox, type SecretBox } from './lib/secrets.js';
import { createKeystore, type Keystore } from './modules/businesses/keystore.js';
import { ensureAdminToken } from './modules/staff/credentials.repo.js';
import { httpAuthorityClient, type AuthorityClient } from './transmission/authority-client.js';
import type { TransmissionContext } from './transmission/context.js';
import { handleInvoiceAnswers } from './transmission/invoice-answers.js';
import { handleRegistrationAnswers } from './modules/businesses/registration.js';
import type { ReplyHandler } from './transmission/messenger.js';
import { bullmqScheduler, bullmqWorker, inProcessScheduler, type Scheduler } from './transmission/scheduler.js';
import { createTransmission, type Transmission } from './transmission/service.js';
import type { RunningSimulator, SimFaults } from './authority-sim/simulator.js';
import { createRiskService, startRiskSchedule, type RiskSchedule } from './modules/risk/risk.service.js';
import type { DemoLoad } from './modules/demo/first-start.js';
import { createNotices, handleNoticeAnswers, type Notices } from './modules/corrections/notices.js';
import { startRetention, type Retention } from './modules/sales/retention.js';

/** How often consumer processes delete idempotency keys past their retention. */
const RETENTION_INTERVAL_MS = 3_600_000;

export type Clock = () => Date;

export type Role = 'gateway' | 'worker';

export interface Deps {
  config: Config;
  log: Logger;
  database: Database;
  redis?: Redis;
  clock: Clock;
  box: SecretBox;
  keystore: Keystore;
  authority: AuthorityClient;
  /** The built-in tax-authority simulator, when AUTHORITY_URL is unset. */
  simulator?: RunningSimulator;
  scheduler: Scheduler;
  transmission: Transmission;
  replyHandlers: Map<number, ReplyHandler>;
  /** Notices of erroneous invoices (303) waiting for their invoices' acceptance. */
  notices: Notices;
  /** BullMQ consumer, where this process consumes. */
  worker?: Worker;
  /** The scheduled risk evaluation, where this process consumes. */
  risk?: RiskSchedule;
  /** Deletes idempotency keys past their retention, where this process consumes. */
  retention?: Retention;
  /** The first-start demo data load (DEMO_DATA=small), running in the background. */
  demo?: DemoLoad;
}

export interface DepsOverrides {
  clock?: Clock;
  database?: Database;
  log?: Logger;
  /** Simulator options in embedded mode (tests inject faults and a seeded random source). */
  simulator?: { faults?: SimFaults; random?: () => number; replyDelayMs?: number };
  /** Consume transmission work in this process regardless of the config (tests, `npm run worker`). */
  consume?: boolean;
}

export function connectRedis(url: string): Redis {
  // BullMQ workers need maxRetriesPerRequest null; producers bound their own waits.
  return new Redis(url, { maxRetriesPerRequest: null });
}

export async function createDeps(config: Config, o: DepsOverrides = {}, role: Role = 'gateway'): Promise<Deps> {
  const log = o.log ?? pino({ level: config.logLevel, redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } });
  const clock = o.clock ?? (() => new Date());
  const database = o.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  if (!o.database) await migrateDatabase(database, config.databaseUrl);
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const box = secretBox(config.masterKeys);
  const keystore = createKeystore(database.db, box);

  let simulator: RunningSimulator | undefined;
  let authorityUrl = config.authorityUrl;
  if (!authorityUrl) {
    const { startSimulator } = await import('./authority-sim/simulator.js');
    simulator = await startSimulator({
      db: database.db,
      testRoutes: true,
      log: log.child({ component: 'authority-sim' }),
      ...o.simulator,
    });
    authorityUrl = simulator.url;
  }
  const authority = httpAuthorityClient({ baseUrl: authorityUrl, timeoutMs: config.transmission.timeoutMs });

  const replyHandlers = new Map<number, ReplyHandler>([
    [206, handleInvoiceAnswers],
    [100, handleRegistrationAnswers],
    [303, handleNoticeAnswers],
  ]);
  // Late-bound: the notices send through the transmission that calls them back.
  let notices!: Notices;
  const ctx: TransmissionContext = {
    db: database.db,
    config,
    clock,
    authority,
    signers: keystore.signerFor,
    log: log.child({ component: 'transmission' }),
    workerId: `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    replyHandlers,
    leaseMs: config.transmission.leaseMs,
    pollBaseMs: config.transmission.pollBaseMs,
    retryBaseMs: config.transmission.retryBaseMs,
    retryMaxMs: config.transmission.retryMaxMs,
    followUps: {
      // A seller's accepted invoices may release its waiting 303 notices.
      answered: async (m) => void (m.type === 206 && (await notices.releaseFor(m.businessId))),
      reconcile: () => notices.releaseAll(),
    },
  };
  let scheduler!: Scheduler;
  const transmission = createTransmission(ctx, () => scheduler);
  notices = createNotices({ db: database.db, config, clock, signers: keystore.signerFor, transmission, log: ctx.log });
  const onError = (err: unknown) => ctx.log.warn({ err }, 'transmission job failed');
  const consume = o.consume ?? (role === 'worker' || config.runWorkers);
  let worker: Worker | undefined;
  if (redis) {
    scheduler = bullmqScheduler(redis, { windowMs: config.batch.maxAgeMs, prefix: config.queuePrefix, onError });
    if (consume) worker = bullmqWorker(redis, transmission.processors, { prefix: config.queuePrefix, onError });
  } else {
    scheduler = inProcessScheduler(() => transmission.processors, { windowMs: config.batch.maxAgeMs, onError });
  }
  if (consume || !redis) transmission.startReconciler(config.reconcileIntervalMs);
  if (config.adminToken) await ensureAdminToken(database.db, config.adminToken, clock());

  const deps: Deps = { config, log, database, redis, clock, box, keystore, authority, simulator, scheduler, transmission, replyHandlers, notices, worker };
  // Statistics, risk and demo data: the risk schedule runs where transmission is consumed.
  if (consume || !redis) {
    deps.retention = startRetention({ db: database.db, clock, days: config.idempotencyRetentionDays, intervalMs: RETENTION_INTERVAL_MS, log: log.child({ component: 'retention' }) });
    deps.risk = startRiskSchedule(createRiskService({ db: database.db, clock }), { intervalMs: config.riskIntervalMs, log: log.child({ component: 'risk' }) });
  }
  if (config.demoData && role === 'gateway') deps.demo = (await import('./modules/demo/first-start.js')).startDemoLoad(deps, config.demoData);
  return deps;
}

/** Shutdown order: consumers → queues → simulator → Redis → database (HTTP is closed by the caller first). */
export async function closeDeps(deps: Deps): Promise<void> {
  await deps.demo?.stop();
  await deps.risk?.stop();
  await deps.retention?.stop();
  await deps.transmission.stop();
  await deps.worker?.close();
  await deps.scheduler.close();
  await deps.simulator?.close();
  if (deps.redis) await deps.redis.quit().catch(() => deps.redis?.disconnect());
  await deps.database.close();
}
