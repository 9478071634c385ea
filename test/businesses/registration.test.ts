import t from 'tap';
import { eq, sql } from 'drizzle-orm';
import { businesses, certificates, messages } from '../../src/db/schema/index.js';
import { makePersonalId } from '../../src/domain/personal-id.js';
import { buildTestApp } from '../helpers/app.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { randomMttCode, randomTaxCode, waitFor } from '../helpers/fixtures.js';

const env = { RECONCILE_INTERVAL_MS: '300', POLL_BASE_MS: '50' };
const repId = makePersonalId({ province: '001', sex: 'male', birthYear: 1985, serial: 12345 });

function body(taxCode: string, over: Record<string, unknown> = {}) {
  const p12 = makeSellerPkcs12({ taxCode, name: 'Quán Bún Chả Hương Liên', notBefore: new Date(Date.now() - 86_400_000 * 10) });
  return {
    taxCode,
    name: 'Quán Bún Chả Hương Liên',
    address: '24 Lê Văn Hưu, Hai Bà Trưng, Hà Nội',
    provinceCode: '01',
    email: 'lienhe@buncha.vn',
    phone: '0243 943 4106',
    invoiceForm: 1,
    certificate: { pkcs12: p12.base64, password: p12.password },
    legalRepresentative: { name: 'Nguyễn Thị Liên', personalId: repId, birthDate: '1985-03-02', sex: 'male', phone: '0912345678' },
    ...over,
  };
}

t.test('a new business goes pending → active with its MTT code', async (t) => {
  const { app, deps } = await buildTestApp(t, { env });
  const taxCode = randomTaxCode();
  const res = await app.inject({ method: 'POST', url: '/v1/businesses', payload: body(taxCode) });
  t.equal(res.statusCode, 201, res.body);
  const created = res.json();
  t.equal(created.status, 'pending');
  t.match(created.apiKey, /^biz_[A-Za-z0-9_-]{40,}$/);

  const auth = { authorization: `Bearer ${created.apiKey}` };
  const active = await waitFor(async () => {
    const r = await app.inject({ url: `/v1/businesses/${taxCode}`, headers: auth });
    return r.json().status === 'active' && r.json();
  }, 20_000);
  t.match(active.mttCode, /^[A-Z0-9]{5}$/);
  t.match(active.symbol, /^1C\d{2}MAA$/);
  t.equal(active.certificate.expiresSoon, false);
  t.equal(active.legalRepresentative.personalIdMasked, `${repId.slice(0, 3)}*******${repId.slice(-2)}`);
  const sim = await deps.simulator!.simulator.seller(taxCode);
  t.equal(sim?.mttCode, active.mttCode, 'the authority and the gateway agree on the code');

  // Nothing secret is stored in clear.
  const [cert] = await deps.database.db.select().from(certificates);
  t.notMatch(cert!.keyEncrypted, /BEGIN|PRIVATE/);
  const dump = JSON.stringify(await deps.database.db.execute(sql`select * from businesses`));
  t.notOk(dump.includes(repId), 'the representative’s personal ID is not stored in clear');
  t.notOk(JSON.stringify(await deps.database.db.execute(sql`select * from credentials`)).includes(created.apiKey.slice(4)), 'keys are stored hashed');

  const again = await app.inject({ method: 'POST', url: '/v1/businesses', payload: body(taxCode) });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'business.exists');
});

t.test('each bad registration gets its own clear 4xx', async (t) => {
  const { app, deps } = await buildTestApp(t, { env });
  const taxCode = randomTaxCode();
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['bad tax code', { taxCode: '0101243151' }, 422, 'tax_code.invalid'],
    ['expired certificate', { certificate: (() => { const p = makeSellerPkcs12({ taxCode, notBefore: new Date(Date.now() - 400 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }); return { pkcs12: p.base64, password: p.password }; })() }, 422, 'certificate.expired'],
    ['wrong password', { certificate: { pkcs12: makeSellerPkcs12({ taxCode }).base64, password: 'wrong' } }, 422, 'certificate.bad_password'],
    ['another tax code in the certificate', { certificate: (() => { const p = makeSellerPkcs12({ taxCode: randomTaxCode() }); return { pkcs12: p.base64, password: p.password }; })() }, 422, 'certificate.mst_mismatch'],
    ['representative disagrees with the ID', { legalRepresentative: { name: 'A', personalId: repId, birthDate: '1990-01-01', sex: 'female', phone: '0912345678' } }, 422, 'legal_representative.invalid'],
    ['unknown province', { provinceCode: '99' }, 422, 'validation.failed'],
    ['missing fields', { email: undefined, certificate: undefined }, 422, 'validation.failed'],
  ];
  for (const [name, over, status, code] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/businesses', payload: body(taxCode, over) });
    t.equal(res.statusCode, status, name);
    t.equal(res.json().code, code, name);
    t.match(res.headers['content-type'], /problem\+json/);
  }
  const [n] = await deps.database.db.select({ n: sql<number>`count(*)::int` }).from(businesses);
  t.equal(n!.n, 0, 'nothing was stored');
});

t.test('a refused registration stores the reasons; the business may register again', async (t) => {
  const { app, deps } = await buildTestApp(t, { env });
  const taxCode = randomTaxCode();
  // Another provider already registered this tax code with the authority (refusal 9992).
  await deps.simulator!.simulator.seedSeller({ taxCode, mttCode: randomMttCode() });
  const res = await app.inject({ method: 'POST', url: '/v1/businesses', payload: body(taxCode) });
  t.equal(res.statusCode, 201);
  const auth = { authorization: `Bearer ${res.json().apiKey}` };
  const rejected = await waitFor(async () => {
    const r = await app.inject({ url: `/v1/businesses/${taxCode}`, headers: auth });
    return r.json().status === 'rejected' && r.json();
  }, 20_000);
  t.ok(rejected.rejectionReasons.some((r: { code: string }) => r.code === '9992'), JSON.stringify(rejected.rejectionReasons));
  const retry = await app.inject({ method: 'POST', url: '/v1/businesses', payload: body(taxCode) });
  t.equal(retry.statusCode, 201, 'a rejected business may register again');
});

t.test('certificate renewal, key rotation, terminals', async (t) => {
  const { app, deps } = await buildTestApp(t, { env });
  const taxCode = randomTaxCode();
  const created = (await app.inject({ method: 'POST', url: '/v1/businesses', payload: body(taxCode) })).json();
  let auth = { authorization: `Bearer ${created.apiKey}` };
  await waitFor(async () => (await app.inject({ url: `/v1/businesses/${taxCode}`, headers: auth })).json().status === 'active', 20_000);

  const next = makeSellerPkcs12({ taxCode, notAfter: new Date(Date.now() + 20 * 86_400_000) });
  const renewed = await app.inject({ method: 'PUT', url: `/v1/businesses/${taxCode}/certificate`, headers: auth, payload: { pkcs12: next.base64, password: next.password } });
  t.equal(renewed.statusCode, 200, renewed.body);
  t.equal(renewed.json().expiresSoon, true, 'expiry within 30 days shows');
  const view = (await app.inject({ url: `/v1/businesses/${taxCode}`, headers: auth })).json();
  t.equal(view.certificate.serial, renewed.json().serial);
  t.equal(view.status, 'active', 'no downtime: still active');
  await waitFor(async () => {
    const rows = await deps.database.db.select().from(messages).where(eq(messages.type, 100));
    return rows.length === 2 && rows.every((m) => m.status === 'answered');
  }, 20_000);
  const wrong = makeSellerPkcs12({ taxCode: randomTaxCode() });
  const refused = await app.inject({ method: 'PUT', url: `/v1/businesses/${taxCode}/certificate`, headers: auth, payload: { pkcs12: wrong.base64, password: wrong.password } });
  t.equal(refused.json().code, 'certificate.mst_mismatch');

  const rotated = await app.inject({ method: 'POST', url: `/v1/businesses/${taxCode}/keys/rotate`, headers: auth });
  t.equal(rotated.statusCode, 200);
  t.equal((await app.inject({ url: `/v1/businesses/${taxCode}`, headers: auth })).statusCode, 401, 'the old key stops working');
  auth = { authorization: `Bearer ${rotated.json().apiKey}` };
  t.equal((await app.inject({ url: `/v1/businesses/${taxCode}`, headers: auth })).statusCode, 200);

  const term = await app.inject({ method: 'POST', url: `/v1/businesses/${taxCode}/terminals`, headers: auth, payload: { name: 'Quầy thu ngân 1', location: 'Tầng 1' } });
  t.equal(term.statusCode, 201);
  t.match(term.json().apiKey, /^trm_/);
  const list = await app.inject({ url: `/v1/businesses/${taxCode}/terminals`, headers: auth });
  t.same(list.json().map((x: { name: string }) => x.name), ['Quầy thu ngân 1']);
  t.notOk('apiKey' in list.json()[0], 'keys are shown once');
  const trm = { authorization: `Bearer ${term.json().apiKey}` };
  t.equal((await app.inject({ url: `/v1/businesses/${taxCode}`, headers: trm })).statusCode, 403, 'a terminal may not read the business');
  const del = await app.inject({ method: 'DELETE', url: `/v1/businesses/${taxCode}/terminals/${term.json().id}`, headers: auth });
  t.equal(del.statusCode, 204);
  t.equal((await app.inject({ url: `/v1/businesses/${taxCode}`, headers: trm })).statusCode, 401, 'revoked at once');
});
