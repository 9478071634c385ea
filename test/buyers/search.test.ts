// POST /v1/buyers/search and GET /v1/audit: a buyer found across businesses through the keyed
// hash, officers limited to their provinces, exactly one audit row per call (refused ones too),
// and never the raw personal ID in the log.
import t, { type Test } from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { lookupHash } from '../../src/lib/secrets.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createBusinessKey, createStaff, createTerminal } from '../helpers/fixtures.js';
import { issueAt, PHO } from '../helpers/invoices.js';

const X = '001099012345';
const Y = '079185000123';

t.test('buyer search and the audit log', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  const db = deps.database.db;
  const a = await createActiveBusiness(deps, { provinceCode: '01', name: 'Nhà hàng Phở Việt' });
  const b = await createActiveBusiness(deps, { provinceCode: '01', name: 'Quán Bia Hơi' });
  const c = await createActiveBusiness(deps, { provinceCode: '79', name: 'Cơm tấm Sài Gòn' });
  const day = 86_400_000;
  const now = deps.clock().getTime();
  const xs = [
    await issueAt(deps, a, { at: new Date(now - 5 * day), buyer: { personalId: X, name: 'Nguyễn Văn A' } }),
    await issueAt(deps, b, { at: new Date(now - 3 * day), items: [{ ...PHO, quantity: 2 }], buyer: { personalId: X } }),
    await issueAt(deps, c, { at: new Date(now - 2 * day), items: [{ ...PHO, quantity: 3 }], buyer: { personalId: X } }),
    await issueAt(deps, a, { at: new Date(now - 1 * day), items: [{ ...PHO, quantity: 4 }], buyer: { personalId: X } }),
  ];
  await issueAt(deps, a, { at: new Date(now - 4 * day), buyer: { personalId: Y } });
  await issueAt(deps, c, { at: new Date(now - 4 * day) });
  const admin = await createStaff(deps, 'admin');
  const officer01 = await createStaff(deps, 'officer', ['01']);
  const officer79 = await createStaff(deps, 'officer', ['79']);
  const bizA = await createBusinessKey(deps, a.business.id);
  const trmA = await createTerminal(deps, a.business.id);

  const search = (token: string | undefined, payload: unknown, raw = false) =>
    app.inject({
      method: 'POST',
      url: '/v1/buyers/search',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      payload: raw ? (payload as string) : JSON.stringify(payload),
    });
  type AuditRow = { actor_kind: string; actor_id: string; action: string; subject_hash: string | null; reason: string | null; result_count: number | null; detail: Record<string, unknown> | null };
  const auditRows = () => queryRows<AuditRow>(db, sql`select * from audit_log where action = 'buyer.search' order by id`);
  const hashX = lookupHash(deps.config.lookupKey, X);

  /** Runs a call and checks it added exactly one audit row, returned for more checks. */
  const oneAuditRow = async (t: Test, call: () => Promise<unknown>): Promise<AuditRow> => {
    const before = (await auditRows()).length;
    await call();
    const rows = await auditRows();
    t.equal(rows.length, before + 1, 'exactly one audit row');
    return rows.at(-1)!;
  };

  await t.test('an admin finds the buyer across businesses and provinces', async (t) => {
    let res!: Awaited<ReturnType<typeof search>>;
    const row = await oneAuditRow(t, async () => (res = await search(admin.token, { personalId: X, reason: 'Kiểm tra hồ sơ 12/2026' })));
    t.equal(res.statusCode, 200);
    const body = res.json();
    t.equal(body.personalId, X, 'the full ID, only here');
    t.strictSame(body.items.map((i: { invoiceId: string }) => i.invoiceId), [...xs].reverse().map((x) => x.id), 'newest first');
    t.strictSame(new Set(body.items.map((i: { taxCode: string }) => i.taxCode)), new Set([a, b, c].map((x) => x.business.taxCode)));
    t.match(body.items[0], { sellerName: 'Nhà hàng Phở Việt', provinceCode: '01', total: 260000, code: xs[3]!.mttCode, symbol: '1C26MAA', number: xs[3]!.number });
    t.match(body.summary, { count: 4, total: 65000 * (1 + 2 + 3 + 4), first: /\+07:00$/, last: /\+07:00$/ });
    t.ok(body.summary.first < body.summary.last);
    t.equal(body.truncated, false);
    t.match(row, { actor_kind: 'stf', actor_id: admin.id, subject_hash: hashX, reason: 'Kiểm tra hồ sơ 12/2026', result_count: 4, detail: { outcome: 'ok' } });
  });

  await t.test('an officer sees only its provinces', async (t) => {
    let res!: Awaited<ReturnType<typeof search>>;
    const row = await oneAuditRow(t, async () => (res = await search(officer01.token, { personalId: ` ${X} `, reason: 'Đối chiếu doanh thu' })));
    t.equal(res.statusCode, 200);
    t.strictSame(res.json().items.map((i: { invoiceId: string }) => i.invoiceId), [xs[3]!.id, xs[1]!.id, xs[0]!.id]);
    t.ok(res.json().items.every((i: { provinceCode: string }) => i.provinceCode === '01'));
    t.match(res.json().summary, { count: 3, total: 65000 * 7 });
    t.match(row, { actor_id: officer01.id, subject_hash: hashX, result_count: 3 });
    const r79 = await search(officer79.token, { personalId: X, reason: 'Đối chiếu doanh thu' });
    t.strictSame(r79.json().items.map((i: { invoiceId: string }) => i.invoiceId), [xs[2]!.id]);
    const none = await search(officer79.token, { personalId: Y, reason: 'Đối chiếu doanh thu' });
    t.match(none.json(), { items: [], summary: { count: 0, total: 0, first: null, last: null } });
  });

  await t.test('refused calls are audited too', async (t) => {
    let res!: Awaited<ReturnType<typeof search>>;
    const bad = '001099012'; // too short
    let row = await oneAuditRow(t, async () => (res = await search(officer01.token, { personalId: bad, reason: 'Kiểm tra' })));
    t.equal(res.statusCode, 422);
    t.match(res.json(), { code: 'personal_id.invalid', errors: [{ path: '/personalId' }] });
    t.match(row, { actor_id: officer01.id, subject_hash: lookupHash(deps.config.lookupKey, bad), result_count: null, detail: { outcome: 'refused', code: 'personal_id.invalid' } });

    row = await oneAuditRow(t, async () => (res = await search(officer01.token, { personalId: '999099012345', reason: 'x' })));
    t.equal(res.statusCode, 422);
    t.strictSame(res.json().errors.map((e: { path: string }) => e.path).sort(), ['/personalId', '/reason'], 'every bad field at once');
    t.equal(res.json().code, 'personal_id.invalid');
    t.equal(row.reason, 'x');

    row = await oneAuditRow(t, async () => (res = await search(officer01.token, { personalId: X })));
    t.equal(res.statusCode, 422);
    t.match(res.json(), { code: 'validation.failed', errors: [{ path: '/reason' }] });
    t.match(row, { subject_hash: hashX, reason: null, result_count: null });

    row = await oneAuditRow(t, async () => (res = await search(officer01.token, { personalId: X, reason: 'lý do\u0007 hợp lệ' })));
    t.equal(res.statusCode, 422, 'control characters refused');

    row = await oneAuditRow(t, async () => (res = await search(officer01.token, '{"personalId": "0010', true)));
    t.equal(res.statusCode, 400, 'malformed JSON');
    t.match(row, { actor_id: officer01.id, subject_hash: null, detail: { outcome: 'refused', code: 'request.malformed_json' } });

    row = await oneAuditRow(t, async () => (res = await search(bizA, { personalId: X, reason: 'tò mò thôi' })));
    t.equal(res.statusCode, 403);
    t.match(row, { actor_kind: 'biz', actor_id: a.business.id, detail: { outcome: 'refused', code: 'auth.forbidden' } });
    row = await oneAuditRow(t, async () => (res = await search(trmA.token, { personalId: X, reason: 'tò mò thôi' })));
    t.equal(res.statusCode, 403);
    t.match(row, { actor_kind: 'trm', actor_id: trmA.id });

    const before = (await auditRows()).length;
    t.equal((await search(undefined, { personalId: X, reason: 'không ai cả' })).statusCode, 401);
    t.equal((await auditRows()).length, before, 'nobody to audit without a token');
  });

  await t.test('the audit log never holds the raw ID', async (t) => {
    const row = await oneAuditRow(t, async () => search(admin.token, { personalId: X, reason: `Yêu cầu tra cứu CCCD ${X} theo công văn 15` }));
    t.equal(row.reason, 'Yêu cầu tra cứu CCCD 001*******45 theo công văn 15', 'an ID typed into the reason is masked');
    const [dump] = await queryRows<{ t: string }>(db, sql`select string_agg(a::text, '') as t from audit_log a`);
    for (const id of [X, Y, '999099012345']) t.notOk(dump!.t.includes(id), `no ${id} in the audit log`);
  });

  await t.test('GET /v1/audit: admins, newest first, cursor pages, no personal ID', async (t) => {
    const total = (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`))[0]!.n;
    const seen: Array<{ id: string; at: string; action: string }> = [];
    let cursor: string | null = null;
    let body = '';
    do {
      const res: Awaited<ReturnType<typeof app.inject>> = await app.inject({ method: 'GET', url: `/v1/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`, headers: { authorization: `Bearer ${admin.token}` } });
      t.equal(res.statusCode, 200);
      body += res.body;
      seen.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    t.equal(seen.length, total, 'every row once');
    t.equal(new Set(seen.map((r) => r.id)).size, total);
    t.ok(seen.every((r, i) => i === 0 || Number(seen[i - 1]!.id) > Number(r.id)), 'newest first');
    t.match(seen[0], { action: 'buyer.search', actor: { kind: 'stf', id: admin.id }, subjectHash: hashX, resultCount: 4 });
    t.notOk(body.includes(X), 'no raw ID over the API');
    const officer = await app.inject({ method: 'GET', url: '/v1/audit', headers: { authorization: `Bearer ${officer01.token}` } });
    t.equal(officer.statusCode, 403);
    const badCursor = await app.inject({ method: 'GET', url: '/v1/audit?cursor=abc', headers: { authorization: `Bearer ${admin.token}` } });
    t.equal(badCursor.statusCode, 422);
  });
});
