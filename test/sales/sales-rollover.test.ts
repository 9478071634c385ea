// The year turns in Asia/Ho_Chi_Minh: the first sale of the new year starts a new symbol at number
// 1 (and a new MTT counter), whatever the UTC date says. The clock is injected.
import t from 'tap';
import { asc } from 'drizzle-orm';
import { invoices } from '../../src/db/schema/index.js';
import { salesSetup } from './sales-helpers.js';
import { storedXml } from '../helpers/fixtures.js';

t.test('last sale of 2026 on C26M.., first of 2027 number 1 on C27M..', async (t) => {
  let now = new Date('2026-12-31T23:58:00+07:00');
  const s = await salesSetup(t, { clock: () => now });
  const series = s.seller.business.symbolSeries;
  const mtt = s.seller.business.mttCode;
  const at = (iso: string) => new Date(iso);

  t.equal((await s.post(s.sale())).json().number, 1);
  now = at('2026-12-31T23:59:59+07:00');
  const last = await s.post(s.sale());
  t.equal(last.statusCode, 201, last.body);
  t.match(last.json(), { symbol: `1C26M${series}`, number: 2, businessDate: '2026-12-31', issuedAt: '2026-12-31T23:59:59+07:00' });
  t.equal(last.json().code, `M1-26-${mtt}-00000000002`);

  now = at('2027-01-01T00:00:00+07:00'); // still 2026-12-31 17:00 in UTC
  const beer = [{ name: 'Bia Hà Nội', quantity: 3, unitPrice: 25000, vatRate: '10%' }];
  const first = await s.post(s.sale({ items: beer }));
  t.equal(first.statusCode, 201, first.body);
  t.match(first.json(), { symbol: `1C27M${series}`, number: 1, businessDate: '2027-01-01', issuedAt: '2027-01-01T00:00:00+07:00' });
  t.equal(first.json().code, `M1-27-${mtt}-00000000001`, 'the MTT counter restarts with the year');

  // Sold on the last evening of 2026, posted in 2027: issued in 2027, flagged late.
  now = at('2027-01-01T00:00:30+07:00');
  const late = await s.post(s.sale({ soldAt: '2026-12-31T23:50:00+07:00' }));
  t.equal(late.statusCode, 201, late.body);
  t.match(late.json(), { symbol: `1C27M${series}`, number: 2, businessDate: '2027-01-01', saleDate: '2026-12-31', issuedLate: true });

  // The reduced 8 % rate ended with 2026 (domain/vat.ts): a 2027 sale at 8 % is refused.
  const reduced = await s.post(s.sale({ soldAt: '2027-01-01T00:00:30+07:00' }));
  t.equal(reduced.statusCode, 422);
  t.match(reduced.json(), { code: 'sale.invalid', errors: [{ path: '/items/0/vatRate', code: 'rate_not_in_force' }] });

  const rows = await s.deps.database.db.select().from(invoices).orderBy(asc(invoices.issuedAt));
  t.same(rows.map((r) => `${r.symbol}/${r.number}`), [`C26M${series}/1`, `C26M${series}/2`, `C27M${series}/1`, `C27M${series}/2`]);
  const [xml1, xml2] = [await storedXml(s.deps, rows[1]!), await storedXml(s.deps, rows[2]!)];
  t.ok(xml2.includes('<KHHDon>C27M') && xml2.includes('<NLap>2027-01-01</NLap>'));
  t.ok(xml1.includes('<KHHDon>C26M') && xml1.includes('<NLap>2026-12-31</NLap>'));
});
