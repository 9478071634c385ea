// The embedded path: no Redis, the in-process dispatcher drains the outbox to the built-in simulator.
import t from 'tap';
import { eq, sql } from 'drizzle-orm';
import { invoices, messages } from '../../src/db/schema/index.js';
import { buildTestDeps } from '../helpers/app.js';
import { createActiveBusiness, issueInvoices, waitFor } from '../helpers/fixtures.js';

t.test('issued invoices become accepted within seconds, each once', async (t) => {
  const { deps } = await buildTestDeps(t, { env: { BATCH_MAX_AGE_MS: '300', BATCH_MAX_INVOICES: '20', RECONCILE_INTERVAL_MS: '500' } });
  const seller = await createActiveBusiness(deps);
  const t0 = Date.now();
  const issued = await issueInvoices(deps, seller, 45);
  t.comment(`issued 45 in ${Date.now() - t0} ms`);
  const db = deps.database.db;
  const started = Date.now();
  await waitFor(async () => {
    const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(invoices).where(eq(invoices.txStatus, 'accepted'));
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
  const rows = await db.select().from(invoices);
  t.ok(rows.every((r) => r.acceptedAt && r.sentAt && r.late === false && r.messageId));
});
