// POST /v1/sales/batch: offline catch-up. In order, each sale on its own (its own transaction,
// its own idempotency key, its own 201/200/409/422), replayable as a whole.
import t from 'tap';
import { asc } from 'drizzle-orm';
import { invoices } from '../../src/db/schema/index.js';
import { addDays, businessDate } from '../../src/domain/dates.js';
import { salesSetup } from './sales-helpers.js';
import { storedXml } from '../helpers/fixtures.js';

type Result = { idempotencyKey: string; status: number; invoice?: Record<string, unknown> & { number: number }; error?: { code: string; status: number; errors?: Array<{ path: string }> } };

t.test('30 offline sales of yesterday: in order, consecutive, issued late today; replay → all 200', async (t) => {
  const s = await salesSetup(t);
  const now = s.deps.clock();
  const today = businessDate(now);
  const yesterday = addDays(today, -1);
  const sales = Array.from({ length: 30 }, (_, i) => ({
    idempotencyKey: `offline-${i}`,
    ...s.sale({ soldAt: new Date(now.getTime() - 24 * 3_600_000 + i * 1000).toISOString() }),
  }));
  const started = Date.now();
  const res = await s.postBatch(sales);
  t.comment(`30 sales in one batch: ${Date.now() - started} ms`);
  t.equal(res.statusCode, 200, res.body);
  const results = res.json().results as Result[];
  t.same(results.map((r) => r.idempotencyKey), sales.map((x) => x.idempotencyKey), 'results in order');
  t.ok(results.every((r) => r.status === 201 && !r.error));
  t.same(results.map((r) => r.invoice!.number), Array.from({ length: 30 }, (_, i) => i + 1), 'numbers consecutive, in order');
  t.ok(results.every((r) => r.invoice!.issuedLate === true && r.invoice!.saleDate === yesterday && r.invoice!.businessDate === today));
  const rows = await s.deps.database.db.select().from(invoices).orderBy(asc(invoices.number));
  t.ok(rows.every((r) => r.issuedLate && r.saleDate === yesterday && r.businessDate === today));
  const xmls = await Promise.all(rows.map((r) => storedXml(s.deps, r)));
  t.ok(rows.every((r, i) => xmls[i]!.includes(`<NLap>${today}</NLap>`) && r.soldAt.getTime() === new Date((sales[i] as Record<string, unknown>).soldAt as string).getTime()));

  const again = await s.postBatch(sales);
  t.equal(again.statusCode, 200);
  const replayed = again.json().results as Result[];
  t.ok(replayed.every((r) => r.status === 200), 'all replayed');
  t.same(replayed.map((r) => r.invoice), results.map((r) => r.invoice), 'with the same invoices');
  t.equal(await s.count('invoices'), 30);
});

t.test('a bad sale in the middle does not stop the others', async (t) => {
  const s = await salesSetup(t);
  const good = (k: string) => ({ idempotencyKey: k, ...s.sale() });
  const sales = [
    good('a'),
    { idempotencyKey: 'b', ...s.sale({ items: [{ name: 'Phở', quantity: -2, unitPrice: 65000, vatRate: '8%' }], extra: true }) },
    good('c'),
    { idempotencyKey: 'd', ...s.sale({ buyer: { personalId: '123' } }) },
    { idempotencyKey: 'a', ...s.sale({ payment: { method: 'card' } }) },
    good('c'),
    good('e'),
  ];
  const res = await s.postBatch(sales);
  t.equal(res.statusCode, 200, res.body);
  const results = res.json().results as Result[];
  t.same(results.map((r) => [r.idempotencyKey, r.status]), [['a', 201], ['b', 422], ['c', 201], ['d', 422], ['a', 409], ['c', 200], ['e', 201]]);
  t.same(results.filter((r) => r.status === 201).map((r) => r.invoice!.number), [1, 2, 3], 'refusals consumed no number');
  t.match(results[1]!.error, { status: 422, code: 'validation.failed', errors: [{ path: '/extra' }, { path: '/items/0/quantity' }] });
  t.ok(results[1]!.error!.errors!.every((e) => !e.path.startsWith('/sales')), 'paths relative to the sale');
  t.match(results[3]!.error, { status: 422, code: 'personal_id.invalid', errors: [{ path: '/buyer/personalId' }] });
  t.match(results[4]!.error, { status: 409, code: 'idempotency.conflict' });
  t.same(results[5]!.invoice, results[2]!.invoice, 'a repeated key inside the batch replays');
  t.notOk(results[1]!.invoice);

  const again = await s.postBatch(sales);
  t.same((again.json().results as Result[]).map((r) => r.status), [200, 422, 200, 422, 409, 200, 200]);
  t.equal(await s.count('invoices'), 3);
});

t.test('batch envelope: limits and the 8 MiB body', async (t) => {
  const s = await salesSetup(t);
  const empty = await s.postBatch([]);
  t.equal(empty.statusCode, 422);
  const tooMany = await s.postBatch(Array.from({ length: 501 }, (_, i) => ({ idempotencyKey: `k${i}`, ...s.sale() })));
  t.equal(tooMany.statusCode, 422);
  t.match(tooMany.json(), { code: 'validation.failed', errors: [{ path: '/sales' }] });
  const noKey = await s.postBatch([s.sale(), { idempotencyKey: '', ...s.sale() }]);
  t.equal(noKey.statusCode, 422);
  t.same([...new Set(noKey.json().errors.map((e: { path: string }) => e.path))].sort(), ['/sales/0/idempotencyKey', '/sales/1/idempotencyKey']);
  t.equal(await s.count('invoices'), 0, 'a bad envelope processes nothing');

  // ~2.3 MB: over the 1 MiB of other routes, under the batch's 8 MiB.
  const longName = 'Bánh cuốn nhân thịt '.repeat(25).slice(0, 500);
  const items = Array.from({ length: 80 }, (_, i) => ({ name: longName, quantity: 1, unitPrice: 1000 + i, vatRate: '8%' }));
  const big = Array.from({ length: 50 }, (_, i) => ({ idempotencyKey: `big-${i}`, ...s.sale({ items }) }));
  const size = Buffer.byteLength(JSON.stringify({ sales: big }));
  t.ok(size > 2 * 1024 * 1024, `batch of ${size} bytes`);
  const res = await s.postBatch(big);
  t.equal(res.statusCode, 200);
  t.ok((res.json().results as Result[]).every((r) => r.status === 201));
  const single = await s.post({ ...s.sale(), items: Array.from({ length: 500 }, () => ({ ...items[0], name: longName + 'x'.repeat(2000) })) });
  t.equal(single.statusCode, 413, 'a single sale stays under 1 MiB');
});
