// GET /v1/lookup: the public check. An exact match shows the minimal view (no buyer); every wrong
// field, a total off by one included, is the same 404; the route is rate-limited.
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness } from '../helpers/fixtures.js';
import { issueAt, PHO, setState } from '../helpers/invoices.js';

t.test('public lookup', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  const seller = await createActiveBusiness(deps, { provinceCode: '01', name: 'Nhà hàng Phở Việt' });
  const other = await createActiveBusiness(deps, { provinceCode: '01' });
  const at = new Date(deps.clock().getTime() - 3_600_000);
  const inv = await issueAt(deps, seller, { at, items: [{ ...PHO, quantity: 3 }], buyer: { personalId: '001099012345', name: 'Nguyễn Văn A' } });
  const second = await issueAt(deps, seller, { at: new Date(at.getTime() + 1000) });
  await issueAt(deps, other, { at });
  await setState(deps, inv.id, { tx: 'accepted' });
  const lookup = (q: string) => app.inject({ method: 'GET', url: `/v1/lookup?${q}` });
  const code = inv.mttCode;
  const tax = seller.business.taxCode;

  await t.test('by code and total', async (t) => {
    const res = await lookup(`code=${code}&total=${inv.total}`);
    t.equal(res.statusCode, 200);
    t.strictSame(res.json(), {
      seller: { taxCode: tax, name: 'Nhà hàng Phở Việt' },
      symbol: '1C26MAA',
      number: inv.number,
      code,
      issuedAt: res.json().issuedAt,
      businessDate: inv.businessDate,
      total: 195000,
      status: 'issued',
      transmission: { status: 'accepted', receivedByAuthority: true },
    });
    t.match(res.json().issuedAt, /\+07:00$/);
    for (const leak of ['Nguyễn', '001099012345', '001*******45', 'buyer', 'personalId']) t.notOk(res.body.includes(leak), `no ${leak}`);
  });

  await t.test('by tax code, symbol with form digit, number and total', async (t) => {
    const res = await lookup(`taxCode=${tax}&symbol=1C26MAA&number=${inv.number}&total=${inv.total}`);
    t.equal(res.statusCode, 200);
    t.equal(res.json().code, code);
    const pending = await lookup(`taxCode=${tax}&symbol=1C26MAA&number=${second.number}&total=${second.total}`);
    t.match(pending.json(), { code: second.mttCode, transmission: { status: 'pending', receivedByAuthority: false } });
  });

  await t.test('every wrong field is the same 404', async (t) => {
    const otherCode = code.replace(/\d{11}$/, (n) => String(Number(n) + 100).padStart(11, '0'));
    const misses = [
      `code=${code}&total=${inv.total + 1}`,
      `code=${code}&total=${inv.total - 1}`,
      `code=${code}&total=0`,
      `code=${otherCode}&total=${inv.total}`,
      `code=${second.mttCode}&total=${inv.total}`,
      `code=${code.replace('M1-', 'M2-')}&total=${inv.total}`,
      `taxCode=${tax}&symbol=1C26MAA&number=${inv.number}&total=${inv.total + 1}`,
      `taxCode=${other.business.taxCode}&symbol=1C26MAA&number=${inv.number}&total=${inv.total}`,
      `taxCode=${tax}&symbol=2C26MAA&number=${inv.number}&total=${inv.total}`,
      `taxCode=${tax}&symbol=1C25MAA&number=${inv.number}&total=${inv.total}`,
      `taxCode=${tax}&symbol=1C26MAB&number=${inv.number}&total=${inv.total}`,
      `taxCode=${tax}&symbol=1C26MAA&number=${inv.number + 50}&total=${inv.total}`,
    ];
    const bodies = new Set<string>();
    for (const q of misses) {
      const res = await lookup(q);
      t.equal(res.statusCode, 404, q);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      const { requestId, ...rest } = res.json();
      t.type(requestId, 'string');
      bodies.add(JSON.stringify(rest));
    }
    t.equal(bodies.size, 1, 'one body for every miss');
    t.match(JSON.parse([...bodies][0]!), { status: 404, code: 'not_found' });
  });

  await t.test('malformed or incomplete questions are 422', async (t) => {
    for (const q of [
      `code=${code}`,
      `total=${inv.total}`,
      `taxCode=${tax}&symbol=1C26MAA&total=${inv.total}`,
      `taxCode=${tax}&symbol=C26MAA&number=1&total=${inv.total}`,
      `code=${code}&taxCode=${tax}&symbol=1C26MAA&number=1&total=${inv.total}`,
      `code=nope&total=1`,
      `code=${code}&total=12.5`,
      `code=${code}&total=${inv.total}&buyer=1`,
    ]) {
      t.equal((await lookup(q)).statusCode, 422, q);
    }
  });

  await t.test('rate-limited', async (t) => {
    let limited = 0;
    for (let i = 0; i < 70 && !limited; i++) {
      const res = await lookup(`code=${code}&total=${inv.total}`);
      if (res.statusCode === 429) {
        limited++;
        t.equal(res.json().code, 'rate_limited');
      }
    }
    t.equal(limited, 1, 'refused once over the limit');
  });
});
