// The authorization matrix: for every route, each kind of caller gets exactly the intended status.
// 401 no/unknown/revoked token, 403 wrong kind or role, 404 another tenant's resource.
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { createActiveBusiness, createBusinessKey, createStaff, createTerminal } from '../helpers/fixtures.js';
import { saleAt } from '../sales/sales-helpers.js';

type Caller = 'none' | 'malformed' | 'revoked' | 'bizA' | 'bizB' | 'trmA' | 'trmB' | 'officerIn' | 'officerOut' | 'admin';
const CALLERS: Caller[] = ['none', 'malformed', 'revoked', 'bizA', 'bizB', 'trmA', 'trmB', 'officerIn', 'officerOut', 'admin'];

t.test('authorization matrix', async (t) => {
  const { app, deps } = await buildTestApp(t);
  const a = await createActiveBusiness(deps, { provinceCode: '01' });
  const b = await createActiveBusiness(deps, { provinceCode: '79' });
  const revokedKey = await createBusinessKey(deps, a.business.id);
  await app.inject({ method: 'POST', url: `/v1/businesses/${a.business.taxCode}/keys/rotate`, headers: { authorization: `Bearer ${revokedKey}` } });
  const tokens: Record<Caller, string | undefined> = {
    none: undefined,
    malformed: 'not-a-token',
    revoked: revokedKey,
    bizA: await createBusinessKey(deps, a.business.id),
    bizB: await createBusinessKey(deps, b.business.id),
    trmA: (await createTerminal(deps, a.business.id)).token,
    trmB: (await createTerminal(deps, b.business.id)).token,
    officerIn: (await createStaff(deps, 'officer', ['01'])).token,
    officerOut: (await createStaff(deps, 'officer', ['79'])).token,
    admin: (await createStaff(deps, 'admin')).token,
  };
  const A = a.business.taxCode;
  const termA = await createTerminal(deps, a.business.id);
  const renewal = makeSellerPkcs12({ taxCode: A });

  // Expected status per caller; callers left out expect `rest`.
  let key = 0;
  const sale = () => saleAt(new Date());
  const routes: Array<{ method: string; url: string; payload?: () => unknown; headers?: () => Record<string, string>; expect: Partial<Record<Caller, number>>; rest: number }> = [
    { method: 'POST', url: '/v1/sales', payload: sale, headers: () => ({ 'idempotency-key': `k${++key}` }), expect: { trmA: 201, trmB: 201 }, rest: 403 },
    {
      method: 'POST',
      url: '/v1/sales/batch',
      payload: () => ({ sales: [{ idempotencyKey: `b${++key}`, ...sale() }] }),
      expect: { trmA: 200, trmB: 200 },
      rest: 403,
    },
    { method: 'GET', url: `/v1/businesses/${A}`, expect: { bizA: 200, bizB: 404, officerIn: 200, officerOut: 404, admin: 200 }, rest: 403 },
    {
      method: 'PUT',
      url: `/v1/businesses/${A}/certificate`,
      payload: () => ({ pkcs12: renewal.base64, password: renewal.password }),
      expect: { bizA: 200, bizB: 404 },
      rest: 403,
    },
    { method: 'GET', url: `/v1/businesses/${A}/terminals`, expect: { bizA: 200, bizB: 404 }, rest: 403 },
    { method: 'POST', url: `/v1/businesses/${A}/terminals`, payload: () => ({ name: 'Quầy 2' }), expect: { bizA: 201, bizB: 404 }, rest: 403 },
    { method: 'DELETE', url: `/v1/businesses/${A}/terminals/${termA.id}`, expect: { bizA: 204, bizB: 404 }, rest: 403 },
    { method: 'GET', url: '/v1/staff', expect: { admin: 200 }, rest: 403 },
    { method: 'POST', url: '/v1/staff', payload: () => ({ name: 'Lê Văn C', role: 'officer', provinces: ['01'] }), expect: { admin: 201 }, rest: 403 },
  ];
  for (const r of routes) {
    for (const caller of CALLERS) {
      const token = tokens[caller];
      const res = await app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...r.headers?.() },
        ...(r.payload ? { payload: r.payload() as object } : {}),
      });
      const want = ['none', 'malformed', 'revoked'].includes(caller) ? 401 : (r.expect[caller] ?? r.rest);
      t.equal(res.statusCode, want, `${r.method} ${r.url} as ${caller}`);
      if (want >= 400) t.equal(res.json().code, want === 401 ? 'auth.unauthenticated' : want === 403 ? 'auth.forbidden' : 'not_found', `${caller} code`);
    }
  }

  // Deleting staff: officers may not, admins may; a revoked officer is out at once.
  const victim = await createStaff(deps, 'officer', ['01']);
  const asOfficer = await app.inject({ method: 'DELETE', url: `/v1/staff/${victim.id}`, headers: { authorization: `Bearer ${tokens.officerIn}` } });
  t.equal(asOfficer.statusCode, 403);
  const asAdmin = await app.inject({ method: 'DELETE', url: `/v1/staff/${victim.id}`, headers: { authorization: `Bearer ${tokens.admin}` } });
  t.equal(asAdmin.statusCode, 204);
  const after = await app.inject({ url: `/v1/businesses/${A}`, headers: { authorization: `Bearer ${victim.token}` } });
  t.equal(after.statusCode, 401);
});

t.test('ADMIN_TOKEN bootstraps the first admin', async (t) => {
  const token = `stf_${'a'.repeat(40)}`;
  const { app } = await buildTestApp(t, { env: { ADMIN_TOKEN: token } });
  const res = await app.inject({ url: '/v1/staff', headers: { authorization: `Bearer ${token}` } });
  t.equal(res.statusCode, 200);
  t.equal(res.json()[0].role, 'admin');
  const bad = await app.inject({ method: 'POST', url: '/v1/staff', headers: { authorization: `Bearer ${token}` }, payload: { name: 'X', role: 'officer' } });
  t.equal(bad.statusCode, 422, 'an officer needs provinces');
});
