// The same reads on the embedded database (PGlite), which is what `npm start` uses without
// DATABASE_URL: search with cursor and the per-province merge, detail, XML, lookup, buyers, export.
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createStaff, storedXml } from '../helpers/fixtures.js';
import { issueAt } from '../helpers/invoices.js';

t.test('invoice reads on PGlite', async (t) => {
  const { app, deps } = await buildTestApp(t, { pglite: true, env: { RECONCILE_INTERVAL_MS: '600000' } });
  const hn = await createActiveBusiness(deps, { provinceCode: '01' });
  const hcm = await createActiveBusiness(deps, { provinceCode: '79' });
  const base = deps.clock().getTime() - 86_400_000;
  const rows = [];
  for (let i = 0; i < 9; i++) {
    rows.push(await issueAt(deps, i % 2 ? hcm : hn, { at: new Date(base + i * 60_000), buyer: { personalId: '001099012345', name: 'Nguyễn Văn A' } }));
  }
  const officer = await createStaff(deps, 'officer', ['01', '79']);
  const auth = { authorization: `Bearer ${officer.token}` };

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res: Awaited<ReturnType<typeof app.inject>> = await app.inject({ method: 'GET', url: `/v1/invoices?limit=4${cursor ? `&cursor=${cursor}` : ''}`, headers: auth });
    t.equal(res.statusCode, 200);
    seen.push(...res.json().items.map((x: { id: string }) => x.id));
    cursor = res.json().nextCursor;
  } while (cursor);
  t.strictSame(seen, rows.map((r) => r.id).reverse(), 'every invoice once, newest first, across two provinces');

  const last = rows.at(-1)!;
  t.equal((await app.inject({ method: 'GET', url: `/v1/invoices/${last.id}`, headers: auth })).json().code, last.mttCode);
  const xml = await app.inject({ method: 'GET', url: `/v1/invoices/${last.id}/xml`, headers: auth });
  t.ok(xml.rawPayload.equals(Buffer.from(await storedXml(deps, last), 'utf8')));
  t.equal((await app.inject({ method: 'GET', url: `/v1/lookup?code=${last.mttCode}&total=${last.total}` })).statusCode, 200);
  const found = await app.inject({ method: 'POST', url: '/v1/buyers/search', headers: auth, payload: { personalId: '001099012345', reason: 'Kiểm tra PGlite' } });
  t.match(found.json(), { summary: { count: 9 } });
  const audit = await app.inject({ method: 'GET', url: '/v1/audit', headers: { authorization: `Bearer ${(await createStaff(deps, 'admin')).token}` } });
  t.equal(audit.json().items.length, 2, 'the XML read and the search');
  const csv = await app.inject({ method: 'GET', url: '/v1/invoices/export', headers: auth });
  t.equal(csv.body.trim().split('\r\n').length, 10, 'header and nine rows');
});
