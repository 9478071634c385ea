// Issue #12 fault suite. Sales flow from POS terminals into a gateway, a worker and the
// tax-authority simulator, all real processes over their own PostgreSQL clusters and Redis, while
// five faults are injected one after the other:
//   (a) the worker is SIGKILLed and restarted      (b) Redis is FLUSHALLed
//   (c) the gateway's PostgreSQL is restarted       (d) the simulator is down for a while
//   (e) the simulator accepts messages but drops its answers
// Afterwards: every sale that got a 2xx has exactly one invoice, every invoice is accepted exactly
// once at the authority, numbering has no gaps, and the sales during the database outage got 503
// problem responses with Retry-After (never a 500, never a half-written invoice) and then
// succeeded with the same key.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { onboard } from '../../src/bench/load/setup.js';
import { freePort, ROOT, type Spawned } from '../helpers/process.js';
import { startPrivateRedis } from '../helpers/redis.js';
import { startLoad, type Attempt } from './load.js';
import { kill, startPrivatePostgres, startProcess, supervise, waitReady, type Crash } from './servers.js';

if (!existsSync(path.join(ROOT, 'dist/server.js'))) throw new Error('run `npm run build` first');

const BUSINESSES = 3;
const TERMINALS_PER_BUSINESS = 2;
const say = (msg: string) => t.comment(`[faults] ${msg}`);

// postgres.js 3.4.9 can throw from a timer when a connection closes with a write pending
// (porsager/postgres#1154, #1208): an uncatchable TypeError that takes the process down. Until the
// driver is patched, the supervisor restarts such a process (as compose does) and the crash is
// reported; any other crash fails the suite.
// postgres.js used to throw from a timer when the database went away (porsager/postgres#1154),
// killing the process; patches/postgres+3.4.9.patch fixes it, and this suite now allows no crash.
const DRIVER_NULL_SOCKET = /TypeError: Cannot read properties of null \(reading 'write'\)\s+at Immediate\.nextWrite/;

t.test('sales survive a killed worker, FLUSHALL, a PostgreSQL restart, an authority outage and dropped answers', async (t) => {
  const started = Date.now();
  // Two clusters: the gateway's (restarted below) and the authority's (the simulator keeps its
  // state in PostgreSQL; it is another party's system and does not go down with ours).
  const [pgGateway, pgAuthority, redis] = await Promise.all([startPrivatePostgres(t), startPrivatePostgres(t), startPrivateRedis(t)]);
  await pgGateway.createDatabase('gateway');
  await pgAuthority.createDatabase('authority');
  say(`servers: gateway PostgreSQL :${pgGateway.port}, authority PostgreSQL :${pgAuthority.port}, Redis :${redis.port}`);

  const simPort = await freePort();
  const simUrl = `http://127.0.0.1:${simPort}`;
  const simEnv = { DATABASE_URL: pgAuthority.url('authority'), SIM_PORT: String(simPort), SIM_REPLY_DELAY_MS: '100', LOG_LEVEL: 'warn' };
  let sim = startProcess('dist/authority-sim/main.js', simEnv);
  t.teardown(() => kill(sim));
  await waitReady(`${simUrl}/_sim/certificate`, sim);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATABASE_URL: pgGateway.url('gateway'),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'faults',
    AUTHORITY_URL: simUrl,
    AUTHORITY_CERT: await (await fetch(`${simUrl}/_sim/certificate`)).text(),
    MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    LOOKUP_KEY: `v1:${randomBytes(32).toString('base64')}`,
    PORT: String(port),
    RUN_WORKERS: 'false',
    LOG_LEVEL: 'warn',
    BATCH_MAX_INVOICES: '100',
    BATCH_MAX_AGE_MS: '500',
    RECONCILE_INTERVAL_MS: '1000',
    MESSAGE_LEASE_MS: '3000',
    POLL_BASE_MS: '100',
    AUTHORITY_TIMEOUT_MS: '3000',
  };
  const gateway = supervise('gateway', 'dist/server.js', env);
  t.teardown(() => gateway.stop());
  await waitReady(`${base}/health/ready`, gateway.current());
  const worker = supervise('worker', 'dist/worker.js', env);
  t.teardown(() => worker.stop());

  const onboarded = await onboard(base, BUSINESSES, TERMINALS_PER_BUSINESS, 12);
  say(`onboarded ${onboarded.taxCodes.length} businesses (registration 100 → 103 through the worker), ${onboarded.terminalKeys.length} terminals`);

  const sql = postgres(pgGateway.url('gateway'), { max: 2, onnotice: () => {}, connect_timeout: 5 });
  t.teardown(() => sql.end({ timeout: 5 }));
  const processes = (): Spawned[] => [gateway.current(), worker.current(), sim];
  const pendingCount = async () => (await sql<[{ n: number }]>`select count(*)::int as n from invoices i left join invoice_transmissions t on t.invoice_id = i.id where t.status is distinct from 'accepted'`)[0].n;

  const load = startLoad(base, onboarded.terminalKeys, { pauseMs: 150, seed: 12 });
  t.teardown(() => load.stop(0));
  /** A crash is the worst outcome: stop at once, with what it printed. */
  const alive = (when: string) => {
    for (const c of [...gateway.crashes, ...worker.crashes]) {
      if (!c.duringStart) throw new Error(`the ${c.name} crashed ${when} (exit ${c.code ?? c.signal}):\n${c.tail}`);
    }
  };
  const phase = async (name: string, ms: number) => {
    load.setWindow(name);
    await sleep(ms);
    alive(`during "${name}"`);
  };
  await phase('warm-up', 3000);

  // (a) the worker dies mid-delivery (SIGKILL: no orderly shutdown, its leases are left behind)
  load.setWindow('worker-killed');
  await worker.kill('SIGKILL');
  say('(a) worker SIGKILLed');
  await sleep(3000);
  const stalledA = await pendingCount();
  t.ok(stalledA > 0, `(a) without a worker nothing is delivered: ${stalledA} invoices waiting`);
  worker.start();
  say('(a) worker restarted');
  await phase('after-worker', 3000);

  // (b) Redis loses every queue and job
  await redis.client.flushall();
  say('(b) FLUSHALL on Redis');
  await phase('after-flushall', 4000);

  // (c) the gateway's PostgreSQL goes away and comes back
  load.setWindow('database-down');
  const downAt = Date.now();
  pgGateway.stop();
  say('(c) PostgreSQL stopped (fast shutdown)');
  await sleep(1500);
  alive('when PostgreSQL stopped');
  const ready = await fetch(`${base}/health/ready`).catch(() => null);
  if (ready) t.equal(ready.status, 503, 'readiness reports the database down');
  else t.ok(gateway.crashes.length > 0, 'readiness unreachable only while the supervisor restarts a crashed gateway');
  await sleep(2500);
  alive('while PostgreSQL was down');
  load.setWindow('database-restarting');
  pgGateway.start();
  const upAt = Date.now();
  const outageMs = upAt - downAt;
  say(`(c) PostgreSQL started again after ${(outageMs / 1000).toFixed(1)} s`);
  await phase('after-database', 4000);

  // (d) the authority is unreachable for a while (process killed, started again on its port)
  await kill(sim, 'SIGKILL');
  say('(d) simulator SIGKILLed');
  await phase('authority-down', 5000);
  const stalledD = await pendingCount();
  t.ok(stalledD > 0, `(d) with the authority down nothing is accepted: ${stalledD} invoices waiting`);
  sim = startProcess('dist/authority-sim/main.js', simEnv);
  await waitReady(`${simUrl}/_sim/certificate`, sim);
  say('(d) simulator restarted');
  await phase('after-authority', 2000);

  // (e) the authority takes messages in but half its answers never arrive
  const setFaults = (f: object) => fetch(`${simUrl}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
  t.equal((await setFaults({ dropRate: 0.7 })).status, 200);
  say('(e) simulator drops 70 % of its answers');
  await phase('answers-dropped', 6000);
  const dropped = ((await (await fetch(`${simUrl}/_sim/stats`)).json()) as { faults: Record<string, number> }).faults.drop ?? 0;
  t.equal((await setFaults({})).status, 200);
  t.ok(dropped > 0, 'answers were dropped after the authority took the messages in');
  say(`(e) ${dropped} answers dropped; faults cleared`);
  await phase('cool-down', 2000);

  await load.stop(60_000);
  const loadSeconds = (Date.now() - started) / 1000;

  const crashes: Crash[] = [...gateway.crashes, ...worker.crashes];
  const knownCrashes = crashes.filter((c) => !c.duringStart && DRIVER_NULL_SOCKET.test(c.tail));
  const startFailures = crashes.filter((c) => c.duringStart);
  for (const c of crashes) {
    const what = c.duringStart ? 'could not start (database down)' : DRIVER_NULL_SOCKET.test(c.tail) ? 'died of the postgres.js null-socket defect (the patch is not applied?)' : 'DIED';
    say(`CRASH: the ${c.name} ${what}, exit ${c.code ?? c.signal}; restarted by the supervisor`);
  }
  t.same(
    crashes.filter((c) => !c.duringStart).map((c) => `${c.name}: ${c.tail.slice(-500)}`),
    [],
    'no process crashed (a start refused while the database was down is not a crash)',
  );
  for (const p of processes()) t.equal(p.child.exitCode, null, `all processes up at the end (pid ${p.child.pid})`);

  // --- what the terminals saw -----------------------------------------------------------------
  const { attempts, sales } = load;
  const byStatus = countBy(attempts, (a) => String(a.status));
  say(`${sales.length} sales, ${attempts.length} requests, by status ${JSON.stringify(byStatus)}`);
  say(`requests by window: ${JSON.stringify(countBy(attempts, (a) => a.window))}`);
  const windows = [...new Set(attempts.map((a) => a.window))];
  say(
    `2xx latency by window, p50/p99/max ms: ${windows
      .map((w) => {
        const ms = attempts.filter((a) => a.window === w && a.status >= 200 && a.status < 300).map((a) => a.ms).sort((x, y) => x - y);
        const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
        return `${w} ${at(0.5)}/${at(0.99)}/${ms[ms.length - 1] ?? 0} (n=${ms.length})`;
      })
      .join('; ')}`,
  );
  const ok = sales.filter((s) => s.invoiceId);
  t.equal(ok.length, sales.length, 'every sale got its 2xx in the end');
  t.notOk(attempts.some((a) => a.status >= 500 && a.status !== 503), 'never a 5xx other than 503');
  t.same(
    attempts.filter((a) => a.status >= 400 && a.status !== 503).map((a) => `${a.status} ${a.code}`),
    [],
    'no sale was refused',
  );

  const unavailable = attempts.filter((a) => a.status === 503);
  t.ok(unavailable.length > 0, `the database outage was seen by the terminals (${unavailable.length} × 503)`);
  t.ok(
    unavailable.every((a) => a.retryAfter && Number(a.retryAfter) > 0 && a.contentType?.startsWith('application/problem+json') && a.code === 'unavailable'),
    'every 503 is a problem+json `unavailable` with Retry-After',
  );
  t.ok(
    unavailable.every((a) => a.window.startsWith('database')),
    `503s only while the database was away (${JSON.stringify(countBy(unavailable, (a) => a.window))})`,
  );
  const hitByOutage = sales.filter((s) => attempts.some((a) => a.key === s.key && (a.status === 503 || a.status === 0)));
  t.ok(hitByOutage.length > 0 && hitByOutage.every((s) => s.invoiceId), `${hitByOutage.length} sales refused during the outage succeeded on retry with the same key`);
  const replayed = attempts.filter((a) => a.status === 200);
  for (const a of attempts.filter((x) => x.ms > 3000)) say(`slow: ${a.window} status ${a.status} ${a.ms} ms, started ${a.startedAt - upAt} ms after PostgreSQL was up, terminal ${a.terminal}`);
  say(`${hitByOutage.length} sales retried after a 503 or a lost connection; ${replayed.length} answered as replays (200)`);

  for (const s of ok) {
    const ids = new Set(attempts.filter((a) => a.key === s.key && a.invoiceId).map((a) => a.invoiceId));
    if (ids.size !== 1) t.fail(`key ${s.key} answered with ${ids.size} invoices`);
  }

  // --- what the gateway stored --------------------------------------------------------------
  const invoiceIds = new Set(ok.map((s) => s.invoiceId!));
  t.equal(invoiceIds.size, ok.length, 'one invoice per sale (no two keys share one)');
  const rows = await sql<Array<{ id: string; tax_code: string; symbol: string; number: number; mtt_code: string }>>`
    select id, tax_code, symbol, number, mtt_code from invoices`;
  t.equal(rows.length, invoiceIds.size, `the gateway holds exactly the ${invoiceIds.size} invoices the terminals were given`);
  t.ok(rows.every((r) => invoiceIds.has(r.id)), 'no invoice nobody was told about (no half-written sale)');
  const [orphans] = await sql<[{ n: number }]>`
    select count(*)::int as n from invoices i
    where not exists (select 1 from idempotency_keys k where k.invoice_id = i.id and k.status_code = 201)`;
  t.equal(orphans.n, 0, 'every invoice committed with its Idempotency-Key and stored answer');
  const [unanswered] = await sql<[{ n: number }]>`select count(*)::int as n from idempotency_keys where status_code = 0 or invoice_id is null`;
  t.equal(unanswered.n, 0, 'no key claimed without its answer');

  const gaps = await sql<Array<{ tax_code: string; symbol: string; n: number; lo: number; hi: number }>>`
    select tax_code, symbol, count(*)::int as n, min(number)::int as lo, max(number)::int as hi
    from invoices group by tax_code, symbol`;
  for (const g of gaps) t.ok(g.lo === 1 && g.hi === g.n, `${g.tax_code} ${g.symbol}: numbers 1..${g.hi}, ${g.n} invoices, no gaps`);

  // --- what the authority accepted ----------------------------------------------------------
  const drainStart = Date.now();
  let pending = -1;
  while (Date.now() - drainStart < 120_000) {
    const [r] = await sql<[{ n: number }]>`select count(*)::int as n from invoices i left join invoice_transmissions t on t.invoice_id = i.id where t.status is distinct from 'accepted'`;
    pending = r.n;
    if (pending === 0) break;
    await sleep(500);
  }
  t.equal(pending, 0, `every invoice accepted by the authority (drained ${((Date.now() - drainStart) / 1000).toFixed(1)} s after the load)`);
  const atAuthority = ((await (await fetch(`${simUrl}/_sim/invoices`)).json()) as { invoices: Array<{ taxCode: string; mttCode: string; symbol: string; number: number }> }).invoices;
  const seen = countBy(atAuthority, (i) => `${i.taxCode}/${i.symbol}/${i.number}`);
  t.equal(atAuthority.length, rows.length, `the authority holds ${atAuthority.length} invoices, as many as the gateway`);
  t.same(Object.entries(seen).filter(([, n]) => n > 1), [], 'each accepted exactly once');
  const ourCodes = new Set(rows.map((r) => r.mtt_code));
  t.ok(atAuthority.every((i) => ourCodes.has(i.mttCode)), 'and they are ours, code for code');
  const stats = (await (await fetch(`${simUrl}/_sim/stats`)).json()) as { duplicates: number; resends: number };
  t.equal(stats.duplicates, 0, 'the simulator saw no duplicate submission since its restart');

  say(
    `SUMMARY faults=worker-kill,flushall,postgres-restart(${(outageMs / 1000).toFixed(1)}s),authority-down(5s),answers-dropped(${dropped}) ` +
      `sales=${sales.length} requests=${attempts.length} http503=${unavailable.length} lost-connections=${byStatus['0'] ?? 0} ` +
      `retried-sales=${hitByOutage.length} replays=${replayed.length} driver-crashes=${knownCrashes.length} start-failures=${startFailures.length} invoices=${rows.length} accepted-at-authority=${atAuthority.length} duplicates=0 gaps=0 ` +
      `series=${gaps.length} load-seconds=${loadSeconds.toFixed(0)}`,
  );
});

function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

export type { Attempt };
