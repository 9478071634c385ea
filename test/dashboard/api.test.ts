// The dashboard's own read-only routes (/v1/dashboard/*) and the page at /dashboard, through
// app.inject: scoped to an officer's provinces like /v1/stats, a number gap and a broken signature
// are reported, and the page is the built one.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import t from 'tap';
import { invoices } from '../../src/db/schema/index.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createStaff, issueInvoices } from '../helpers/fixtures.js';

interface Health {
  taxCode: string;
  sequences: Array<{ symbol: string; first: number; last: number; invoices: number; missing: number; gaps: Array<{ from: number; to: number }>; allocatedBeyond: number; healthy: boolean }>;
  signatures: Array<{ invoiceId: string; valid: boolean; reason?: string }>;
}

t.test('dashboard routes', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  await deps.risk?.stop();
  const hanoi = await createActiveBusiness(deps, { provinceCode: '01', name: 'Phở Hà Nội' });
  const danang = await createActiveBusiness(deps, { provinceCode: '48', name: 'Mì Quảng Đà Nẵng' });
  const issued = await issueInvoices(deps, hanoi, 4);
  await issueInvoices(deps, danang, 2);
  const admin = await createStaff(deps, 'admin');
  const officer = await createStaff(deps, 'officer', ['01']);
  const get = (token: string, url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  await t.test('me: the role and the provinces a token sees', async (t) => {
    const mine = (await get(officer.token, '/v1/dashboard/me')).json();
    t.same(mine, { role: 'officer', provinces: [{ code: '01', name: 'Hà Nội' }] });
    const all = (await get(admin.token, '/v1/dashboard/me')).json() as { provinces: unknown[] };
    t.equal(all.provinces.length, 34, 'an admin sees the 34 provinces');
    t.equal((await app.inject({ method: 'GET', url: '/v1/dashboard/me' })).statusCode, 401);
    const biz = await app.inject({ method: 'GET', url: '/v1/dashboard/me', headers: { authorization: 'Bearer biz_notastaffmember' } });
    t.equal(biz.statusCode, 401, 'an unknown token is refused');
  });

  await t.test('provinces: one row per province, an officer its own only', async (t) => {
    const res = await get(admin.token, '/v1/dashboard/provinces');
    t.equal(res.statusCode, 200, res.body);
    const body = res.json() as { from: string; to: string; items: Array<{ provinceCode: string; name: string; businesses: number; invoices: number; revenue: number; flagged: number }> };
    t.same(body.items.map((r) => [r.provinceCode, r.name, r.businesses, r.invoices]), [['01', 'Hà Nội', 1, 4], ['48', 'Đà Nẵng', 1, 2]]);
    const revenue = issued.reduce((a, i) => a + i.beforeVat, 0);
    t.equal(body.items[0]!.revenue, revenue, 'revenue before VAT, as the invoices say');
    const mine = (await get(officer.token, '/v1/dashboard/provinces')).json() as typeof body;
    t.same(mine.items.map((r) => r.provinceCode), ['01']);
    const bad = await get(admin.token, '/v1/dashboard/provinces?from=2026-02-30&to=2026-01-01');
    t.equal(bad.statusCode, 422, 'a date that does not exist is refused');
    const reversed = await get(admin.token, '/v1/dashboard/provinces?from=2026-03-02&to=2026-03-01');
    t.equal(reversed.statusCode, 422, 'from after to is refused');
  });

  await t.test('health: whole series and valid signatures, then a gap and a tampered invoice', async (t) => {
    const url = `/v1/dashboard/businesses/${hanoi.business.taxCode}/health`;
    const ok = (await get(officer.token, url)).json() as Health;
    t.equal(ok.sequences.length, 1);
    t.match(ok.sequences[0], { first: 1, last: 4, invoices: 4, missing: 0, gaps: [], allocatedBeyond: 0, healthy: true });
    t.match(ok.sequences[0]!.symbol, /^1C\d{2}MAA$/, 'the symbol with its form digit');
    t.equal(ok.signatures.length, 4);
    t.ok(ok.signatures.every((s) => s.valid), 'every signature verifies');

    // Number 2 goes missing (renumbered past the end) and number 3's signed amount is altered.
    const [two, three] = [issued[1]!, issued[2]!];
    await deps.database.db.update(invoices).set({ number: 9 }).where(eq(invoices.id, two.id));
    await deps.database.db.execute(sql`update invoices set xml = replace(xml, '<TgTTTBSo>', '<TgTTTBSo>1') where id = ${three.id}`);
    const bad = (await get(admin.token, url)).json() as Health;
    t.match(bad.sequences[0], { first: 1, last: 9, invoices: 4, missing: 5, gaps: [{ from: 2, to: 2 }, { from: 5, to: 8 }], healthy: false });
    t.equal(bad.sequences[0]!.allocatedBeyond, 0, 'the counter is not beyond the last number');
    const tampered = bad.signatures.find((s) => s.invoiceId === three.id);
    t.equal(tampered?.valid, false, 'the altered invoice no longer verifies');
    t.ok(tampered?.reason, 'and says why');
    t.equal(bad.signatures.filter((s) => s.valid).length, 3, 'the others still do');
  });

  await t.test('health of a business outside the provinces is a 404', async (t) => {
    const res = await get(officer.token, `/v1/dashboard/businesses/${danang.business.taxCode}/health`);
    t.equal(res.statusCode, 404);
    t.equal((await get(admin.token, `/v1/dashboard/businesses/${danang.business.taxCode}/health`)).statusCode, 200);
  });

  await t.test('the page at /dashboard is the built app, with its assets', async (t) => {
    const built = existsSync(path.resolve(import.meta.dirname, '../../dist/dashboard/public/index.html'));
    t.ok(built, 'the assets are built (npm run build)');
    if (!built) return;
    const page = await app.inject({ method: 'GET', url: '/dashboard' });
    t.equal(page.statusCode, 200);
    t.match(page.headers['content-type'], /^text\/html/);
    t.match(page.headers['content-security-policy'], /default-src 'self'/);
    t.notMatch(page.body, /<script>|<style>|\son\w+=|https?:\/\//, 'no inline script, style or handler and no external URL');
    const assets = [...page.body.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    t.equal(assets.length, 2, 'one script and one stylesheet');
    for (const a of assets) {
      const res = await app.inject({ method: 'GET', url: a });
      t.equal(res.statusCode, 200, a);
      t.match(res.headers['cache-control'], /immutable/, 'content-hashed assets may be kept');
    }
    t.equal((await app.inject({ method: 'GET', url: '/dashboard/' })).statusCode, 200, 'with a trailing slash too');
  });
});
