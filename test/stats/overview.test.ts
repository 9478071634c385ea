// /v1/stats/overview: businesses, terminals, today's sums, the transmission backlog and late
// invoices, within the caller's provinces. Late acceptances come through the real transmission
// (the authority's answer updates the rollups in the same transaction).
import t from 'tap';
import { and, eq, sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { invoices, invoiceTransmissions, statsDaily, terminals } from '../../src/db/schema/index.js';
import { transmissionOf } from '../../src/modules/invoices/invoices.repo.js';
import { businessDate } from '../../src/domain/dates.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createStaff, createTerminal, issueInvoices, waitFor } from '../helpers/fixtures.js';
import { issueOne } from './helpers.js';

t.test('overview: counts, today, backlog and late invoices, per province', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { BATCH_MAX_AGE_MS: '200', POLL_BASE_MS: '50', RECONCILE_INTERVAL_MS: '600000' } });
  const db = deps.database.db;
  const now = deps.clock();
  const A = await createActiveBusiness(deps, { provinceCode: '01', name: 'Phở Thìn' });
  const B = await createActiveBusiness(deps, { provinceCode: '79', name: 'Cơm tấm Ba Ghiền' });
  const D = await createActiveBusiness(deps, { provinceCode: '01', name: 'Bánh cuốn Bà Hoành', seedSimulator: false });
  await createTerminal(deps, A.business.id, 'Quầy 1');
  const revoked = await createTerminal(deps, A.business.id, 'Quầy 2');
  await db.update(terminals).set({ revokedAt: now }).where(eq(terminals.id, revoked.id));
  await createTerminal(deps, B.business.id, 'Quầy 1');

  // A: two invoices yesterday, transmitted now, so accepted after their deadline; then today's.
  const yesterday = new Date(now.getTime() - 24 * 3_600_000);
  await issueInvoices(deps, A, 2, { at: () => yesterday });
  await issueInvoices(deps, A, 3, { at: () => new Date(now.getTime() - 60_000) });
  await issueInvoices(deps, B, 2, { at: () => new Date(now.getTime() - 30_000) });
  // D: one invoice two days ago that nothing transmits: pending past its deadline.
  await issueOne(deps, D, { at: new Date(now.getTime() - 48 * 3_600_000) });

  // Everything transmitted but D's invoice, so the backlog holds still while we look.
  await waitFor(async () => {
    const open = await db.select({ id: invoices.id }).from(invoices).leftJoin(invoiceTransmissions, transmissionOf).where(sql`coalesce(${invoiceTransmissions.status}, 'pending') in ('pending', 'sent')`);
    return open.length === 1;
  }, 30_000);
  const [lateRow] = await db.select().from(statsDaily).where(and(eq(statsDaily.businessId, A.business.id), eq(statsDaily.day, businessDate(yesterday))));
  t.equal(lateRow?.late, 2, 'the authority’s late acceptance reached the rollup');

  const admin = await createStaff(deps, 'admin');
  const officer79 = await createStaff(deps, 'officer', ['79']);
  const get = async (url: string, token: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    t.equal(res.statusCode, 200, res.body);
    return res.json() as {
      businesses: { registered: number; active: number };
      terminals: number;
      today: { invoices: number; revenue: number; vat: number; total: number };
      backlog: { pending: number; oldestAgeSeconds: number };
      lateInvoices: number;
    };
  };
  const today = async (provinces: string[]) => {
    const [r] = await queryRows<Record<string, string>>(
      db,
      sql`select count(*) as invoices, coalesce(sum(before_vat), 0) as revenue, coalesce(sum(vat), 0) as vat, coalesce(sum(total), 0) as total
          from invoices where business_date = ${businessDate(deps.clock())}::date and province_code in (${sql.join(provinces.map((p) => sql`${p}`), sql`, `)})`,
    );
    return { invoices: Number(r!.invoices), revenue: Number(r!.revenue), vat: Number(r!.vat), total: Number(r!.total) };
  };
  const pending = async (provinces: string[]) => {
    const [r] = await queryRows<{ n: string }>(
      db,
      sql`select count(*) as n from invoices i left join invoice_transmissions t on t.invoice_id = i.id where coalesce(t.status, 'pending') in ('pending', 'sent') and i.province_code in (${sql.join(provinces.map((p) => sql`${p}`), sql`, `)})`,
    );
    return Number(r!.n);
  };

  const all = await get('/v1/stats/overview', admin.token);
  t.same(all.businesses, { registered: 3, active: 3 });
  t.equal(all.terminals, 2, 'revoked terminals do not count');
  t.same(all.today, await today(['01', '79']));
  t.equal(all.backlog.pending, await pending(['01', '79']));
  t.equal(all.backlog.pending, 1);
  t.ok(all.backlog.oldestAgeSeconds >= 48 * 3600 - 60, 'the oldest pending invoice is D’s, two days old');
  t.equal(all.lateInvoices, 3, 'two accepted late, one pending past its deadline');

  const south = await get('/v1/stats/overview', officer79.token);
  t.same(south.businesses, { registered: 1, active: 1 });
  t.equal(south.terminals, 1);
  t.same(south.today, await today(['79']));
  t.equal(south.backlog.pending, await pending(['79']));
  t.equal(south.lateInvoices, 0);

  const hanoi = await get('/v1/stats/overview?provinceCode=01', admin.token);
  t.equal(hanoi.lateInvoices, 3);
  t.same(hanoi.today, await today(['01']));

  const outside = await get('/v1/stats/overview?provinceCode=01', officer79.token);
  t.same(outside, { businesses: { registered: 0, active: 0 }, terminals: 0, today: { invoices: 0, revenue: 0, vat: 0, total: 0 }, backlog: { pending: 0, oldestAgeSeconds: 0 }, lateInvoices: 0 }, 'another province: zeros, not a 404');

  const bad = await app.inject({ method: 'GET', url: '/v1/stats/overview?provinceCode=1', headers: { authorization: `Bearer ${admin.token}` } });
  t.equal(bad.statusCode, 422);
});
