// The risk engine on the small demo data set (the one DEMO_DATA=small loads): every planted
// business ranks above every clean one and is named with the signal of its pattern; officers see
// their provinces only; the list is stored with its evaluation time.
import t from 'tap';
import { desc } from 'drizzle-orm';
import { toIsoLocal } from '../../src/domain/dates.js';
import { businesses, riskEvaluations } from '../../src/db/schema/index.js';
import { seedDemo, SMALL_DEMO } from '../../src/modules/demo/seed.js';
import { createRiskService } from '../../src/modules/risk/risk.service.js';
import { buildTestApp } from '../helpers/app.js';
import { createStaff } from '../helpers/fixtures.js';

interface Item {
  taxCode: string;
  name: string;
  score: number;
  signals: Array<{ code: string; severity: string; detail: string; evidence: Record<string, number | string> }>;
}

t.test('planted revenue-loss patterns rank above clean businesses, each with its signal', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  // This test runs the evaluation itself, once the data is in.
  await deps.risk?.stop();
  const started = Date.now();
  const manifest = await seedDemo(deps, { ...SMALL_DEMO, seed: 20261127 });
  t.comment(`seeded ${manifest.invoices} invoices for ${manifest.businesses} businesses in ${Date.now() - started} ms`);
  t.equal(manifest.planted.length, 8, 'one planted business per signal');
  const admin = await createStaff(deps, 'admin');
  const officer = await createStaff(deps, 'officer', ['79']);
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  const before = await app.inject({ method: 'GET', url: '/v1/risk/businesses', headers: auth(admin.token) });
  t.same(before.json(), { evaluatedAt: null, items: [] }, 'nothing before the first evaluation');

  const t0 = Date.now();
  const res = await app.inject({ method: 'POST', url: '/v1/risk/evaluate?limit=500', headers: auth(admin.token) });
  t.equal(res.statusCode, 200, res.body);
  t.comment(`evaluation took ${Date.now() - t0} ms`);
  const list = res.json() as { evaluatedAt: string; items: Item[] };
  t.match(list.evaluatedAt, /\+07:00$/);
  const scores = list.items.map((i) => i.score);
  t.same(scores, [...scores].sort((a, b) => b - a), 'highest first');
  t.ok(list.items.every((i) => i.score > 0));

  const byTax = new Map(list.items.map((i) => [i.taxCode, i]));
  for (const p of manifest.planted) {
    const item = byTax.get(p.taxCode);
    const signal = item?.signals.find((s) => s.code === p.signal);
    t.ok(signal, `${p.name} (${p.signal}) is named with ${p.signal}`);
    if (signal) {
      t.not(signal.severity, 'low', `${p.signal} is at least medium`);
      t.match(signal.detail, /\S+ \S+/, 'explained in a sentence');
      t.ok(Object.keys(signal.evidence).length > 0, 'with evidence');
      t.comment(`${p.signal}: score ${item!.score} — ${signal.detail}`);
    }
  }
  const plantedScores = manifest.planted.map((p) => byTax.get(p.taxCode)?.score ?? 0);
  const cleanScores = manifest.clean.map((c) => byTax.get(c)?.score ?? 0);
  t.ok(Math.min(...plantedScores) > Math.max(...cleanScores), `every planted business (min ${Math.min(...plantedScores)}) above every clean one (max ${Math.max(...cleanScores)})`);
  for (const c of manifest.clean) {
    const item = byTax.get(c);
    if (item) t.comment(`clean but flagged: ${item.name} ${item.score} ${item.signals.map((s) => s.code).join(',')}`);
  }

  // Precision and recall of the list (score > 0) against the planted patterns, per signal.
  const planted = new Set(manifest.planted.map((p) => p.taxCode));
  const flagged = list.items.map((i) => i.taxCode);
  const truePos = flagged.filter((x) => planted.has(x)).length;
  const named = manifest.planted.filter((p) => byTax.get(p.taxCode)?.signals.some((s) => s.code === p.signal)).length;
  const wrongSignals = list.items.flatMap((i) => i.signals.map((s) => ({ i, s }))).filter(({ i, s }) => !manifest.planted.some((p) => p.taxCode === i.taxCode && p.signal === s.code));
  t.comment(`businesses: precision ${(truePos / Math.max(flagged.length, 1)).toFixed(2)} (${truePos}/${flagged.length}), recall ${(truePos / planted.size).toFixed(2)} (${truePos}/${planted.size})`);
  t.comment(`signals: recall ${(named / planted.size).toFixed(2)} (${named}/${planted.size}); signals beyond the planted ones: ${wrongSignals.map(({ i, s }) => `${i.name}:${s.code}`).join(', ') || 'none'}`);
  t.equal(named, planted.size, 'recall of the planted patterns is 1');

  await t.test('stored with its time; the GET returns the latest', async (t) => {
    const [row] = await deps.database.db.select().from(riskEvaluations).orderBy(desc(riskEvaluations.id)).limit(1);
    t.ok(row, 'the evaluation is stored');
    t.equal(toIsoLocal(row!.evaluatedAt), list.evaluatedAt, 'with its time');
    t.equal(row!.flagged, list.items.length);
    const got = await app.inject({ method: 'GET', url: '/v1/risk/businesses?limit=500', headers: auth(admin.token) });
    t.same(got.json(), list);
    const top = await app.inject({ method: 'GET', url: '/v1/risk/businesses?limit=2&minScore=30', headers: auth(admin.token) });
    t.same((top.json() as { items: Item[] }).items, list.items.filter((i) => i.score >= 30).slice(0, 2));
  });

  await t.test('two processes due at once: one evaluates, the other stands aside', async (t) => {
    const later = () => new Date(Date.now() + 2 * 3_600_000);
    const [a, b] = [createRiskService({ db: deps.database.db, clock: later }), createRiskService({ db: deps.database.db, clock: later })];
    const count = async () => (await deps.database.db.select().from(riskEvaluations)).length;
    const before = await count();
    const outcomes = await Promise.all([a.evaluateIfDue(3_600_000), b.evaluateIfDue(3_600_000)]);
    t.equal(outcomes.filter(Boolean).length, 1, 'exactly one ran');
    t.equal(await count(), before + 1);
    t.equal(await a.evaluateIfDue(3_600_000), null, 'not due again within the interval');
  });

  await t.test('officers see their provinces only', async (t) => {
    const mine = (await app.inject({ method: 'GET', url: '/v1/risk/businesses?limit=500', headers: auth(officer.token) })).json() as { items: Item[] };
    const provinceOf = new Map((await deps.database.db.select({ taxCode: businesses.taxCode, provinceCode: businesses.provinceCode }).from(businesses)).map((b) => [b.taxCode, b.provinceCode]));
    t.ok(mine.items.length > 0, 'some of province 79');
    t.same(
      mine.items.map((i) => i.taxCode),
      list.items.filter((i) => provinceOf.get(i.taxCode) === '79').map((i) => i.taxCode),
      "exactly the province's flagged businesses",
    );
    const other = (await app.inject({ method: 'GET', url: '/v1/risk/businesses?provinceCode=01', headers: auth(officer.token) })).json() as { items: Item[] };
    t.same(other.items, [], 'another province: nothing, not a 404');
    const refused = await app.inject({ method: 'POST', url: '/v1/risk/evaluate', headers: auth(officer.token) });
    t.equal(refused.statusCode, 403, 'officers may not run an evaluation');
  });
});
