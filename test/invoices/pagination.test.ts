// Keyset pagination: pages of 7 return every invoice exactly once while new invoices arrive
// between (and during) page reads; the cursor carries issue times to the microsecond.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createStaff } from '../helpers/fixtures.js';
import { issueAt } from '../helpers/invoices.js';

t.test('pages of 7 under concurrent inserts', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  const a = await createActiveBusiness(deps, { provinceCode: '01' });
  const b = await createActiveBusiness(deps, { provinceCode: '79' });
  const admin = (await createStaff(deps, 'admin')).token;
  const base = deps.clock().getTime() - 3 * 86_400_000;
  const existing: string[] = [];
  for (let i = 0; i < 30; i++) {
    // Pairs share an issue time (one per business): the id breaks the tie.
    const at = new Date(base + Math.floor(i / 2) * 3_600_000);
    existing.push((await issueAt(deps, i % 2 ? b : a, { at })).id);
  }
  // Microseconds a JS Date cannot hold: a cursor rounded to the millisecond would skip or repeat.
  await deps.database.db.execute(sql`update invoices set issued_at = issued_at + make_interval(secs => 0.000001 * (id::text < '8')::int)`);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let arrivals = 0;
  do {
    const q: string = `/v1/invoices?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
    // A new invoice lands while the page is read, and another between pages.
    const [res] = await Promise.all([
      app.inject({ method: 'GET', url: q, headers: { authorization: `Bearer ${admin}` } }),
      issueAt(deps, a, { at: deps.clock() }),
    ]);
    await issueAt(deps, b, { at: deps.clock() });
    arrivals += 2;
    t.equal(res.statusCode, 200);
    const body = res.json() as { items: Array<{ id: string }>; nextCursor: string | null };
    t.ok(body.items.length <= 7);
    seen.push(...body.items.map((x) => x.id));
    cursor = body.nextCursor;
    pages++;
  } while (cursor && pages < 50);

  t.equal(new Set(seen).size, seen.length, 'no invoice twice');
  for (const id of existing) t.ok(seen.includes(id), `existing invoice ${id} returned`);
  t.ok(seen.length >= existing.length && seen.length <= existing.length + arrivals, 'nothing but invoices');
  t.ok(pages >= 5, `walked ${pages} pages`);
});
