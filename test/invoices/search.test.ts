// GET /v1/invoices: each filter and some combinations against the data set of setup.ts, the
// scope of every kind of caller, and the 4xx of bad queries.
import t from 'tap';
import { searchSetup, type Spec } from './setup.js';

t.test('invoice search', async (t) => {
  const s = await searchSetup(t);
  const { specs, tokens, all, expected, get } = s;
  const A = s.businesses.A.business;
  const C = s.businesses.C.business;
  const sorted = (ids: string[]) => [...ids].sort();

  await t.test('hand-counted sizes of the data set', async (t) => {
    // i % 3: A = 0,3,…,39 (14), B = 1,…,37 (13), C = 2,…,38 (13).
    t.equal(specs.filter((x) => x.biz === 'A').length, 14);
    t.equal(specs.filter((x) => x.province === '79').length, 13);
    // i % 5 == 0 → pending: 0,5,…,35 (8).
    t.equal(specs.filter((x) => x.tx === 'pending').length, 8);
  });

  await t.test('no filter: everything, newest first, each once', async (t) => {
    const r = await all('', tokens.admin);
    t.equal(r.ids.length, 40);
    t.equal(r.pages, 6, '40 invoices in pages of 7');
    t.strictSame(r.ids, expected(() => true), 'newest first, ties by id');
    const first = r.items[0]!;
    t.match(first, {
      taxCode: /^\d{10}$/,
      sellerName: /./,
      symbol: /^1C26MAA$/,
      number: Number,
      code: /^M1-26-[A-Z0-9]{5}-\d{11}$/,
      issuedAt: /^2026-11-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/,
      businessDate: /^2026-11-\d{2}$/,
      totals: { beforeVat: Number, vat: Number, total: Number },
      transmission: { status: String, late: Boolean },
    });
    t.notOk('xml' in first, 'the list carries no XML');
  });

  const cases: Array<[string, string, (x: Spec) => boolean, number?]> = [
    ['taxCode', `taxCode=${A.taxCode}`, (x) => x.biz === 'A', 14],
    ['provinceCode', 'provinceCode=79', (x) => x.province === '79', 13],
    // Local dates: 00:10 on the 22nd (+07:00) is the 21st in UTC and must count on the 22nd.
    ['one date, inclusive', 'from=2026-11-22&to=2026-11-22', (x) => x.date === '2026-11-22', 6],
    ['date range', 'from=2026-11-21&to=2026-11-23', (x) => x.date >= '2026-11-21' && x.date <= '2026-11-23'],
    ['from only', 'from=2026-11-25', (x) => x.date >= '2026-11-25'],
    [
      'instants (to inclusive)',
      `from=${encodeURIComponent('2026-11-22T08:30:00+07:00')}&to=${encodeURIComponent('2026-11-23T13:45:00+07:00')}`,
      (x) => x.at.getTime() >= Date.parse('2026-11-22T08:30:00+07:00') && x.at.getTime() <= Date.parse('2026-11-23T13:45:00+07:00'),
    ],
    ['instant in UTC', `to=${encodeURIComponent('2026-11-20T17:00:00Z')}`, (x) => x.at.getTime() <= Date.parse('2026-11-20T17:00:00Z')],
    ['status', 'status=replaced', (x) => x.status === 'replaced', 4],
    ['status adjusted', 'status=adjusted', (x) => x.status === 'adjusted', 3],
    ['transmission', 'transmission=pending', (x) => x.tx === 'pending', 8],
    ['transmission rejected', 'transmission=rejected', (x) => x.tx === 'rejected'],
    ['terminal', `terminalId=${s.terminalA.id}`, (x) => x.terminal, 7],
    ['minTotal', 'minTotal=195000', (x) => x.total >= 195000],
    ['maxTotal', 'maxTotal=130000', (x) => x.total <= 130000],
    ['total between', 'minTotal=130000&maxTotal=195000', (x) => x.total >= 130000 && x.total <= 195000],
    ['taxCode + transmission + dates', `taxCode=${A.taxCode}&transmission=accepted&from=2026-11-21&to=2026-11-25`,
      (x) => x.biz === 'A' && x.tx === 'accepted' && x.date >= '2026-11-21' && x.date <= '2026-11-25'],
    ['province + status + minTotal', 'provinceCode=01&status=issued&minTotal=150000',
      (x) => x.province === '01' && x.status === 'issued' && x.total >= 150000],
    ['province + transmission', 'provinceCode=79&transmission=sent', (x) => x.province === '79' && x.tx === 'sent'],
    // From the work list: its own copy of the issue time bounds the range.
    ['transmission + dates', 'transmission=pending&from=2026-11-22&to=2026-11-25',
      (x) => x.tx === 'pending' && x.date >= '2026-11-22' && x.date <= '2026-11-25'],
    ['nothing matches', `taxCode=${C.taxCode}&terminalId=${s.terminalA.id}`, () => false, 0],
  ];
  for (const [name, q, pred, count] of cases) {
    await t.test(`filter: ${name}`, async (t) => {
      const want = expected(pred);
      if (count !== undefined) t.equal(want.length, count, 'hand-counted');
      const r = await all(q, tokens.admin);
      t.strictSame(r.ids, want, q);
    });
  }

  await t.test('code finds exactly one', async (t) => {
    const target = specs[17]!;
    const r = await all(`code=${target.code}`, tokens.admin);
    t.strictSame(r.ids, [target.id]);
  });

  await t.test('a business sees only its own', async (t) => {
    t.strictSame((await all('', tokens.bizA)).ids, expected((x) => x.biz === 'A'));
    t.strictSame((await all(`taxCode=${C.taxCode}`, tokens.bizA)).ids, [], "another's tax code: nothing");
    t.strictSame((await all('provinceCode=79', tokens.bizA)).ids, []);
    t.strictSame((await all(`code=${specs.find((x) => x.biz === 'C')!.code}`, tokens.bizA)).ids, []);
    t.strictSame((await all('transmission=pending', tokens.bizC)).ids, expected((x) => x.biz === 'C' && x.tx === 'pending'));
  });

  await t.test('an officer of 01 sees nothing of 79 by any filter', async (t) => {
    const mine = (x: Spec) => x.province === '01';
    t.strictSame((await all('', tokens.officer01)).ids, expected(mine));
    const c = specs.find((x) => x.biz === 'C')!;
    for (const q of [
      'provinceCode=79',
      `taxCode=${C.taxCode}`,
      `code=${c.code}`,
      `provinceCode=79&taxCode=${C.taxCode}`,
      `from=${c.date}&to=${c.date}&provinceCode=79`,
      `minTotal=${c.total}&maxTotal=${c.total}&provinceCode=79`,
    ]) {
      t.strictSame((await all(q, tokens.officer01)).ids, [], q);
    }
    const r = await all(`from=${c.date}&to=${c.date}`, tokens.officer01);
    t.strictSame(r.ids, expected((x) => mine(x) && x.date === c.date), 'a date shows only 01');
    t.ok(r.items.every((x) => x.provinceCode === '01'));
    t.strictSame((await all('', tokens.officer79)).ids, expected((x) => x.province === '79'));
  });

  await t.test('an officer of several provinces: merged per-province pages', async (t) => {
    t.strictSame((await all('', tokens.officerBoth)).ids, expected(() => true));
    t.strictSame((await all('transmission=pending', tokens.officerBoth)).ids, expected((x) => x.tx === 'pending'));
    t.strictSame((await all('from=2026-11-24&maxTotal=130000', tokens.officerBoth)).ids, expected((x) => x.date >= '2026-11-24' && x.total <= 130000));
    t.strictSame((await all('provinceCode=79', tokens.officerBoth)).ids, expected((x) => x.province === '79'));
  });

  await t.test('who may search', async (t) => {
    t.equal((await get('/v1/invoices')).statusCode, 401);
    t.equal((await get('/v1/invoices', 'stf_not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaa')).statusCode, 401);
    const trm = await get('/v1/invoices', tokens.trmA);
    t.equal(trm.statusCode, 403);
    t.equal(trm.json().code, 'auth.forbidden');
  });

  await t.test('bad queries are 422 with every bad field', async (t) => {
    const bad = async (q: string, paths: string[]) => {
      const res = await get(`/v1/invoices?${q}`, tokens.admin);
      t.equal(res.statusCode, 422, q);
      t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      t.strictSame(sorted((res.json().errors as Array<{ path: string }>).map((e) => e.path)), sorted(paths), q);
    };
    await bad('from=2026-02-30', ['/query/from']);
    await bad('from=2026-11-25&to=2026-11-24', ['/query/to']);
    await bad('from=yesterday&limit=0&status=cancelled', ['/query/from', '/query/limit', '/query/status']);
    await bad('minTotal=10&maxTotal=5', ['/query/maxTotal']);
    await bad('cursor=bm90LWEtY3Vyc29y', ['/query/cursor']);
    await bad('taxCode=123', ['/query/taxCode']);
    await bad('limit=201', ['/query/limit']);
    await bad('sort=asc', ['/query/sort']);
    await bad(`terminalId=not-a-uuid&code=M1-26-ABC`, ['/query/terminalId', '/query/code']);
  });

  await t.test('detail and XML are 404 outside the scope, whoever asks', async (t) => {
    const c = specs.find((x) => x.biz === 'C')!;
    const a = specs.find((x) => x.biz === 'A')!;
    for (const path of [`/v1/invoices/${c.id}`, `/v1/invoices/${c.id}/xml`]) {
      t.equal((await get(path, tokens.officer01)).statusCode, 404, `officer 01 → ${path}`);
      t.equal((await get(path, tokens.bizA)).statusCode, 404, `business A → ${path}`);
      t.equal((await get(path, tokens.trmA)).statusCode, 404, `terminal of A → ${path}`);
      t.equal((await get(path, tokens.officer79)).statusCode, 200, `officer 79 → ${path}`);
    }
    const unknown = await get('/v1/invoices/00000000-0000-4000-8000-000000000000', tokens.officer01);
    const foreign = await get(`/v1/invoices/${c.id}`, tokens.officer01);
    t.equal(unknown.statusCode, 404);
    t.strictSame({ ...foreign.json(), requestId: '' }, { ...unknown.json(), requestId: '' }, 'a foreign id reads like an unknown one');
    t.equal((await get(`/v1/invoices/${a.id}`, tokens.officer01)).statusCode, 200);
    t.equal((await get(`/v1/invoices/${a.id}`, tokens.trmA)).statusCode, 200, 'its terminal, for reprints');
    t.equal((await get('/v1/invoices/not-a-uuid', tokens.admin)).statusCode, 422);
  });
});
