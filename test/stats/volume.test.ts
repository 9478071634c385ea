// /v1/stats/volume equals the sums of the invoices it covers, exactly, per bucket and filter, while
// invoices keep arriving; buckets follow Asia/Ho_Chi_Minh time across a month boundary; officers see
// their provinces only; replaced originals drop out and adjustments count with their sign.
import t from 'tap';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { rebuildRollups } from '../../src/modules/stats/rollups.js';
import { invoices } from '../../src/db/schema/index.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createBusinessKey, createStaff, createTerminal, type ActiveBusiness } from '../helpers/fixtures.js';
import { issueOne, truth, type TruthRow } from './helpers.js';

// Instants on both sides of midnight of 31 Oct / 1 Nov 2026 in Vietnam (17:00 UTC), and of an hour.
const INSTANTS = [
  '2026-10-31T08:15:00+07:00',
  '2026-10-31T23:30:00+07:00',
  '2026-10-31T23:59:59.999+07:00',
  '2026-11-01T00:00:00+07:00',
  '2026-11-01T00:10:00+07:00',
  '2026-11-01T06:59:00+07:00',
  '2026-11-01T07:00:00+07:00',
  '2026-11-15T12:00:00+07:00',
  '2026-11-15T12:59:59+07:00',
  '2026-11-15T13:00:00+07:00',
].map((s) => new Date(s));

type Series = Array<TruthRow>;
type Asserts = { same(found: unknown, wanted: unknown, message: string): boolean };

t.test('volume series equal the invoices, per bucket and filter, while invoices keep arriving', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  const A = await createActiveBusiness(deps, { provinceCode: '01', name: 'Phở Bát Đàn' });
  const B = await createActiveBusiness(deps, { provinceCode: '01', name: 'Bún chả Hương Liên' });
  const C = await createActiveBusiness(deps, { provinceCode: '79', name: 'Cơm tấm Cô Ba' });
  const termA1 = await createTerminal(deps, A.business.id, 'Quầy 1');
  const termA2 = await createTerminal(deps, A.business.id, 'Quầy 2');
  const admin = await createStaff(deps, 'admin');
  const officer01 = await createStaff(deps, 'officer', ['01']);
  const bizKey = await createBusinessKey(deps, A.business.id);

  // A seed set, in time order per business (numbers rise with issue times).
  let seed = 0;
  const sellers: Array<[ActiveBusiness, Array<string | null>]> = [
    [A, [termA1.id, termA2.id, null]],
    [B, [null]],
    [C, [null]],
  ];
  for (const at of INSTANTS) {
    for (const [b, terms] of sellers) {
      await issueOne(deps, b, { at, terminalId: terms[seed % terms.length]!, seed: seed++ });
    }
  }

  const get = async (url: string, token = admin.token) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode} ${res.body}`);
    return (res.json() as { series: Series }).series;
  };

  const queries = [
    { url: 'granularity=hour&from=2026-10-31T20:00:00%2B07:00&to=2026-11-01T08:00:00%2B07:00', g: 'hour', from: '2026-10-31T20:00:00+07:00', to: '2026-11-01T09:00:00+07:00', buckets: 13 },
    { url: 'granularity=hour&from=2026-11-15&to=2026-11-15', g: 'hour', from: '2026-11-15T00:00:00+07:00', to: '2026-11-16T00:00:00+07:00', buckets: 24 },
    { url: 'granularity=day&from=2026-10-30&to=2026-11-16', g: 'day', from: '2026-10-30T00:00:00+07:00', to: '2026-11-17T00:00:00+07:00', buckets: 18 },
    { url: 'granularity=month&from=2026-10-01&to=2026-11-30', g: 'month', from: '2026-10-01T00:00:00+07:00', to: '2026-12-01T00:00:00+07:00', buckets: 2 },
  ] as const;
  const filters = [
    { q: '', provinces: undefined, taxCode: undefined },
    { q: '&provinceCode=01', provinces: ['01'], taxCode: undefined },
    { q: '&provinceCode=79', provinces: ['79'], taxCode: undefined },
    { q: `&taxCode=${C.business.taxCode}`, provinces: undefined, taxCode: C.business.taxCode },
    { q: `&provinceCode=01&taxCode=${A.business.taxCode}`, provinces: ['01'], taxCode: A.business.taxCode },
  ];

  const truthOf = (q: (typeof queries)[number], f: (typeof filters)[number]) =>
    truth(deps, { granularity: q.g, from: new Date(q.from), to: new Date(q.to), ...(f.provinces ? { provinces: f.provinces } : {}), ...(f.taxCode ? { taxCode: f.taxCode } : {}) });

  const exact = (t: Asserts, series: Series, want: Map<string, TruthRow>, label: string) => {
    const got = series.filter((p) => p.invoices !== 0 || p.revenue !== 0);
    t.same(
      got.map((p) => ({ ...p })),
      [...want.values()].sort((x, y) => x.bucket.localeCompare(y.bucket)),
      label,
    );
  };

  await t.test('exact at rest, every granularity and filter', async (t) => {
    for (const q of queries) {
      for (const f of filters) {
        const series = await get(`/v1/stats/volume?${q.url}${f.q}`);
        t.equal(series.length, q.buckets, `${q.url}${f.q}: every bucket, zeros included`);
        t.equal(series[0]!.bucket, q.from, 'the first bucket starts at from, +07:00');
        exact(t, series, await truthOf(q, f), `${q.url}${f.q}`);
      }
    }
    const day = await get('/v1/stats/volume?granularity=day&from=2026-10-31&to=2026-11-01');
    t.same(day.map((p) => p.bucket), ['2026-10-31T00:00:00+07:00', '2026-11-01T00:00:00+07:00']);
    t.equal(day[0]!.invoices, 9, '23:59:59.999 on 31 Oct is still October in Vietnam');
    t.equal(day[1]!.invoices, 12, '00:00 on 1 Nov (17:00 UTC on 31 Oct) is November');
    t.equal(day[0]!.businesses, 3);
  });

  await t.test('while invoices keep arriving: rollups and invoices commit together', async (t) => {
    let stop = false;
    const written = { n: 0 };
    const writer = async (b: ActiveBusiness, terms: Array<string | null>, base: number) => {
      // Later than the seed set, so numbers keep rising with issue times.
      let at = new Date('2026-11-15T13:30:00+07:00').getTime() + base;
      while (!stop) {
        at += 7 * 60_000;
        await issueOne(deps, b, { at: new Date(at), terminalId: terms[written.n % terms.length]!, seed: seed++ });
        written.n++;
      }
    };
    const writers = [writer(A, [termA1.id, termA2.id], 0), writer(C, [null], 1000)];
    try {
      for (let round = 0; round < 6; round++) {
        // One statement, one snapshot: the rollups hold exactly the invoices committed.
        const [same] = await queryRows<{ ok: boolean; n: number }>(
          deps.database.db,
          sql`select
            (select coalesce(sum(invoices), 0) from stats_hourly) = (select count(*) from invoices where status <> 'replaced')
            and (select coalesce(sum(total), 0) from stats_hourly) = (select coalesce(sum(total), 0) from invoices where status <> 'replaced')
            and (select coalesce(sum(revenue), 0) from stats_daily) = (select coalesce(sum(before_vat), 0) from invoices where status <> 'replaced')
            and (select coalesce(sum(vat), 0) from stats_daily) = (select coalesce(sum(vat), 0) from invoices where status <> 'replaced')
            and (select coalesce(sum(invoices), 0) from stats_terminal_hourly)
              = (select count(*) from invoices where status <> 'replaced' and terminal_id is not null) as ok,
            (select count(*)::int from invoices) as n`,
        );
        t.ok(same!.ok, `round ${round}: rollups equal invoices in one snapshot (${same!.n} invoices)`);
        // Through the API: between the invoices committed before and after the request.
        const q = queries[1];
        const before = await truthOf(q, filters[0]!);
        const series = await get(`/v1/stats/volume?${q.url}`);
        const after = await truthOf(q, filters[0]!);
        for (const p of series) {
          const lo = before.get(p.bucket)?.invoices ?? 0;
          const hi = after.get(p.bucket)?.invoices ?? 0;
          if (p.invoices < lo || p.invoices > hi) t.fail(`${p.bucket}: ${p.invoices} not within [${lo}, ${hi}]`);
        }
      }
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    t.ok(written.n > 5, `${written.n} invoices arrived during the checks`);
    for (const q of queries) {
      for (const f of filters) exact(t, await get(`/v1/stats/volume?${q.url}${f.q}`), await truthOf(q, f), `after the writers: ${q.url}${f.q}`);
    }
  });

  await t.test('a replacement drops its original; an adjustment counts with its sign', async (t) => {
    const [original] = await deps.database.db.select().from(invoices).where(eq(invoices.businessId, B.business.id)).limit(1);
    const q = queries[2];
    const at = new Date('2026-11-16T09:00:00+07:00');
    await issueOne(deps, B, {
      at,
      kind: 'replacement',
      seed: 2,
      related: { invoiceId: original!.id, xml: { kind: 1, form: original!.form, symbol: original!.symbol, number: original!.number, date: original!.businessDate } },
    });
    await deps.database.db.update(invoices).set({ status: 'replaced' }).where(eq(invoices.id, original!.id));
    await issueOne(deps, B, { at: new Date(at.getTime() + 60_000), kind: 'adjustment', negative: true, seed: 1 });
    for (const f of filters) exact(t, await get(`/v1/stats/volume?${q.url}${f.q}`), await truthOf(q, f), `after corrections: ${q.url}${f.q}`);
    const nov16 = (await get('/v1/stats/volume?from=2026-11-16&to=2026-11-16&provinceCode=01&taxCode=' + B.business.taxCode))[0]!;
    t.equal(nov16.invoices, 2, 'the replacement and the adjustment');
    t.ok(nov16.total < 0 || nov16.total > 0, 'signed sum');
  });

  await t.test('a rebuild from the invoices gives the incremental rollups back, row for row', async (t) => {
    const snapshot = async () =>
      Promise.all(
        ['stats_hourly', 'stats_terminal_hourly', 'stats_daily'].map((table) =>
          queryRows(deps.database.db, sql`select * from ${sql.identifier(table)} order by 1, 2, 3`),
        ),
      );
    const before = await snapshot();
    await rebuildRollups(deps.database.db);
    t.same(await snapshot(), before);
    t.ok(before.every((rows) => rows.length > 0));
  });

  await t.test('officers see their provinces only; lists never 404', async (t) => {
    const q = queries[2];
    exact(t, await get(`/v1/stats/volume?${q.url}`, officer01.token), await truthOf(q, filters[1]!), 'officer of 01: province 01 only');
    const other = await get(`/v1/stats/volume?${q.url}&provinceCode=79`, officer01.token);
    t.equal(other.length, q.buckets);
    t.ok(other.every((p) => p.invoices === 0 && p.total === 0 && p.businesses === 0), 'another province: zeros');
    const byTax = await get(`/v1/stats/volume?${q.url}&taxCode=${C.business.taxCode}`, officer01.token);
    t.ok(byTax.every((p) => p.invoices === 0), "a business of another province: zeros");
  });

  await t.test('refusals', async (t) => {
    const status = async (url: string, token?: string) =>
      (await app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })).statusCode;
    t.equal(await status('/v1/stats/volume'), 401);
    t.equal(await status('/v1/stats/volume', bizKey), 403, 'a business key is not staff');
    t.equal(await status('/v1/stats/volume?from=2026-11-10&to=2026-11-01', admin.token), 422, 'to before from');
    t.equal(await status('/v1/stats/volume?from=2026-02-30', admin.token), 422, 'not a real date');
    t.equal(await status('/v1/stats/volume?granularity=week', admin.token), 422);
    const tooLong = await app.inject({ method: 'GET', url: '/v1/stats/volume?granularity=hour&from=2026-01-01&to=2026-11-01', headers: { authorization: `Bearer ${admin.token}` } });
    t.equal(tooLong.statusCode, 422);
    t.equal(tooLong.json().code, 'stats.range_too_large');
    const dflt = await get('/v1/stats/volume');
    t.equal(dflt.length, 30, 'default: the last 30 days');
  });
});
