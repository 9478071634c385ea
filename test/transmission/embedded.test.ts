// The embedded path: no Redis, the in-process dispatcher drains the outbox to the built-in simulator.
import t from 'tap';
import { eq, sql } from 'drizzle-orm';
import { invoices, invoiceTransmissions, messages } from '../../src/db/schema/index.js';
import { selectInvoicesWithTransmission } from '../../src/modules/invoices/invoices.repo.js';
import { buildTestApp, buildTestDeps } from '../helpers/app.js';
import { createActiveBusiness, issueInvoices, waitFor } from '../helpers/fixtures.js';

for (const pglite of [false, true]) {
t.test(`issued invoices become accepted within seconds, each once (${pglite ? 'PGlite' : 'PostgreSQL'})`, async (t) => {
  const { deps } = await buildTestDeps(t, { pglite, env: { BATCH_MAX_AGE_MS: '300', BATCH_MAX_INVOICES: '20', RECONCILE_INTERVAL_MS: '500' } });
  const seller = await createActiveBusiness(deps);
  const t0 = Date.now();
  const issued = await issueInvoices(deps, seller, 45);
  t.comment(`issued 45 in ${Date.now() - t0} ms`);
  const db = deps.database.db;
  const started = Date.now();
  await waitFor(async () => {
    const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(invoiceTransmissions).where(eq(invoiceTransmissions.status, 'accepted'));
    return r!.n === issued.length;
  }, 20_000);
  t.comment(`accepted after ${Date.now() - started} ms`);
  const msgs = await db.select().from(messages);
  t.ok(msgs.every((m) => m.itemCount <= 20), 'messages carry at most BATCH_MAX_INVOICES');
  t.equal(msgs.reduce((n, m) => n + m.itemCount, 0), 45, 'each invoice in exactly one message');
  t.ok(msgs.every((m) => m.status === 'answered'));
  const atSim = await deps.simulator!.simulator.invoices(seller.business.taxCode);
  t.equal(atSim.length, 45, 'the simulator accepted each invoice');
  t.same(new Set(atSim.map((i) => i.number)).size, 45);
  const stats = await deps.simulator!.simulator.stats();
  t.equal(stats.duplicates, 0);
  const rows = await selectInvoicesWithTransmission(db);
  t.ok(rows.every((r) => r.acceptedAt && r.sentAt && r.late === false && r.messageId));
});
}

t.test('late invoices, backlog in health and metrics', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { BATCH_MAX_AGE_MS: '200', RECONCILE_INTERVAL_MS: '300', POLL_BASE_MS: '50' } });
  const seller = await createActiveBusiness(deps);
  // Issued yesterday (Vietnam time) and only accepted now: past the end-of-day deadline.
  const yesterday = new Date(Date.now() - 26 * 3600_000);
  const [old] = await issueInvoices(deps, seller, 1, { at: () => yesterday });
  const [fresh] = await issueInvoices(deps, seller, 1);

  const before = await app.inject('/health/ready');
  t.equal(before.statusCode, 200);
  t.ok(before.json().backlog.pending >= 1, 'the backlog shows in readiness');

  await waitFor(async () => {
    const rows = await selectInvoicesWithTransmission(deps.database.db).where(eq(invoiceTransmissions.status, 'accepted'));
    return rows.length === 2;
  }, 20_000);
  const rows = new Map((await selectInvoicesWithTransmission(deps.database.db)).map((r) => [r.id, r]));
  t.equal(rows.get(old!.id)!.late, true, 'accepted after its business day: late');
  t.equal(rows.get(fresh!.id)!.late, false);

  const metrics = await app.inject('/metrics');
  t.equal(metrics.statusCode, 200);
  t.match(metrics.headers['content-type'], /text\/plain/);
  t.match(metrics.body, /^hoadon_invoices_pending 0$/m);
  t.match(metrics.body, /^hoadon_invoices_accepted_late_total 1$/m);
  const after = await app.inject('/health/ready');
  t.same(after.json().backlog, { pending: 0, oldestAgeSeconds: 0, overdue: 0 });
});
