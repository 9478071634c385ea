// Delivery through BullMQ with separate worker processes, while the authority fails 30 % of calls
// and drops 10 % of its answers, Redis is flushed and a worker is killed: every invoice must end
// accepted exactly once at the authority.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { invoices, invoiceTransmissions } from '../../src/db/schema/index.js';
import { seededRandom } from '../../src/authority-sim/simulator.js';
import { buildTestDeps } from '../helpers/app.js';
import { createActiveBusiness, issueInvoices, waitFor } from '../helpers/fixtures.js';
import { spawnNode, stop } from '../helpers/process.js';
import { startPrivateRedis } from '../helpers/redis.js';

const SELLERS = 4;
const PER_SELLER = 500;
const TOTAL = SELLERS * PER_SELLER;

t.test('2,000 invoices survive authority faults, FLUSHALL and a killed worker', async (t) => {
  const redis = await startPrivateRedis(t);
  const keys = { MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`, LOOKUP_KEY: `v1:${randomBytes(32).toString('base64')}` };
  const transmissionEnv = {
    BATCH_MAX_INVOICES: '100',
    BATCH_MAX_AGE_MS: '500',
    RECONCILE_INTERVAL_MS: '1000',
    MESSAGE_LEASE_MS: '3000',
    POLL_BASE_MS: '100',
    // With 30 % of calls failing, a message now and then fails five or six times in a row: the
    // default back-off (1 s doubling to 5 min) would leave the run waiting a minute or two for it.
    RETRY_BASE_MS: '200',
    RETRY_MAX_MS: '2000',
    AUTHORITY_TIMEOUT_MS: '3000',
  };
  // The gateway: producer only; the simulator it starts plays the authority for the workers too.
  const { deps, db } = await buildTestDeps(t, {
    env: { ...keys, ...transmissionEnv, REDIS_URL: redis.url },
    consume: false,
    simulator: { faults: { errorRate: 0.3, dropRate: 0.1 }, random: seededRandom(42), replyDelayMs: 0 },
  });
  const sim = deps.simulator!;
  const workerEnv = {
    ...keys,
    ...transmissionEnv,
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    AUTHORITY_URL: sim.url,
    QUEUE_PREFIX: deps.config.queuePrefix,
    LOG_LEVEL: 'error',
  };
  let worker = spawnNode('dist/worker.js', workerEnv);
  t.teardown(() => stop(worker, 'SIGKILL'));

  const sellers = await Promise.all(Array.from({ length: SELLERS }, () => createActiveBusiness(deps)));
  const accepted = async () => {
    const [r] = await deps.database.db.select({ n: sql<number>`count(*)::int` }).from(invoiceTransmissions).where(sql`status = 'accepted'`);
    return r!.n;
  };

  const issuing = Promise.all(sellers.map((s) => issueInvoices(deps, s, PER_SELLER)));
  await waitFor(async () => (await accepted()) >= 200, 120_000, 200);
  await redis.client.flushall();
  t.comment('FLUSHALL done');
  await waitFor(async () => (await accepted()) >= 600, 120_000, 200);
  await stop(worker, 'SIGKILL');
  t.comment('worker killed');
  worker = spawnNode('dist/worker.js', workerEnv);
  await issuing;
  await waitFor(async () => (await accepted()) === TOTAL, 240_000, 500);

  const atSim = await sim.simulator.invoices();
  t.equal(atSim.length, TOTAL, 'the authority holds every invoice');
  t.equal(new Set(atSim.map((i) => i.mttCode)).size, TOTAL, 'each exactly once');
  const stats = await sim.stats();
  t.equal(stats.duplicates, 0, 'no invoice was submitted twice');
  t.ok(stats.faults.error > 0 && stats.faults.drop > 0, `faults were injected: ${JSON.stringify(stats.faults)}`);

  const perInvoice = await deps.database.db.execute(sql`
    select count(*)::int as n from (
      select mi.invoice_id from message_items mi join messages m on m.id = mi.message_id
      where m.status = 'answered' group by mi.invoice_id having count(*) > 1) x`);
  const rows = (Array.isArray(perInvoice) ? perInvoice : (perInvoice as { rows: unknown[] }).rows) as Array<{ n: number }>;
  t.equal(rows[0]!.n, 0, 'no invoice was answered in two messages');
  t.equal(await stop(worker), 0, 'the worker shuts down cleanly');
});
