// Everything POST /v1/sales refuses: bad fields (all reported at once, problem+json), idempotency
// conflicts, an inactive business, a revoked terminal, an unusable certificate. Nothing refused
// leaves a trace: no invoice, no key, no number consumed.
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { businesses, terminals } from '../../src/db/schema/index.js';
import { storeCertificate } from '../../src/modules/businesses/businesses.repo.js';
import { loadPkcs12 } from '../../src/signing/pkcs12.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { salesSetup, type SalesSetup } from './sales-helpers.js';

const DAY = 86_400_000;
type Problem = { status: number; code: string; errors?: Array<{ path: string; message: string; code?: string }>; requestId: string };

function problemOf(t: Test, res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string): Problem {
  t.equal(res.statusCode, status, `status ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem+json');
  const p = res.json() as Problem;
  t.equal(p.code, code, `code ${code}`);
  t.ok(p.requestId, 'carries the request id');
  return p;
}
const paths = (p: Problem): string[] => (p.errors ?? []).map((e) => e.path).sort();

async function nothingStored(t: Test, s: SalesSetup, invoicesBefore: number): Promise<void> {
  t.equal(await s.count('invoices'), invoicesBefore, 'no invoice stored');
  t.equal(await s.count('idempotency_keys'), invoicesBefore, 'no key stored');
}

t.test('idempotency: replay, conflict, missing or bad key', async (t) => {
  const s = await salesSetup(t);
  const body = s.sale();
  const first = await s.post(body, 'key-1');
  t.equal(first.statusCode, 201, first.body);
  t.notOk(first.headers['idempotent-replayed']);

  // The same sale, keys in another order and the default discount spelled out.
  const reordered = { payment: body.payment, items: (body.items as object[]).map((i) => ({ discount: 0, ...i })), pricesIncludeVat: true, soldAt: body.soldAt };
  const again = await s.post(reordered, 'key-1');
  t.equal(again.statusCode, 200);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same(again.json(), first.json(), 'the same body');
  t.equal(again.body, first.body, 'byte for byte');

  const other = await s.post({ ...body, payment: { method: 'card' } }, 'key-1');
  problemOf(t, other, 409, 'idempotency.conflict');

  const missing = problemOf(t, await s.post(body, null), 422, 'validation.failed');
  t.same(paths(missing), ['/headers/idempotency-key']);
  const both = problemOf(t, await s.post({ ...body, items: [] }, null), 422, 'validation.failed');
  t.same(paths(both), ['/headers/idempotency-key', '/items'], 'a bad body and a missing key in one answer');
  const long = problemOf(t, await s.post(body, 'k'.repeat(129)), 422, 'validation.failed');
  t.same(paths(long), ['/headers/idempotency-key']);
  t.equal((await s.post(body, 'k'.repeat(128))).statusCode, 201, '128 characters are fine');

  // Keys are per terminal: another terminal's key-1 is its own.
  const { createTerminal } = await import('../helpers/fixtures.js');
  const other2 = await createTerminal(s.deps, s.seller.business.id, 'Quầy 2');
  const theirs = await s.post(s.sale({ payment: { method: 'card' } }), 'key-1', other2.token);
  t.equal(theirs.statusCode, 201);
  t.equal(theirs.json().number, 3);

  const noToken = await s.app.inject({ method: 'POST', url: '/v1/sales', headers: { 'idempotency-key': 'x' }, payload: body });
  problemOf(t, noToken, 401, 'auth.unauthenticated');
});

t.test('bad fields: every one reported, nothing stored, no number consumed', async (t) => {
  const s = await salesSetup(t);
  t.equal((await s.post(s.sale())).json().number, 1);
  const now = s.deps.clock().getTime();

  // Schema (ajv): every bad field of the body in one answer.
  const schemaBad = problemOf(t, await s.post({
    soldAt: { at: 'now' },
    pricesIncludeVat: true,
    items: [
      { name: 'Phở', quantity: -1, unitPrice: 65000, vatRate: '8%' },
      { name: 'Phở', quantity: 'NaN', unitPrice: 65000, vatRate: '8%' },
      { name: 'Phở', quantity: 1e20, unitPrice: 1.5, vatRate: '8%' },
      { name: '', quantity: 1, unitPrice: -5, discount: 1e300, vatRate: '8%', colour: 'red' },
      { name: 'x'.repeat(501), quantity: 1, unitPrice: 1, vatRate: '8%' },
    ],
    payment: { method: 'cheque' },
    tip: 1,
  }), 422, 'validation.failed');
  t.same(paths(schemaBad), [
    '/items/0/quantity', '/items/1/quantity', '/items/2/quantity', '/items/2/unitPrice', '/items/3/colour', '/items/3/discount',
    '/items/3/name', '/items/3/unitPrice', '/items/4/name', '/payment/method', '/soldAt', '/tip',
  ]);

  const empty = problemOf(t, await s.post(s.sale({ items: [] })), 422, 'validation.failed');
  t.same(paths(empty), ['/items']);
  const many = Array.from({ length: 501 }, () => ({ name: 'Trà đá', quantity: 1, unitPrice: 5000, vatRate: '8%' }));
  const tooMany = problemOf(t, await s.post(s.sale({ items: many })), 422, 'validation.failed');
  t.same(paths(tooMany), ['/items']);
  t.equal((await s.post(s.sale({ items: many.slice(0, 500) }))).statusCode, 201, '500 items are fine');

  // Domain rules: all of them at once too.
  const domainBad = problemOf(t, await s.post({
    ...s.sale(),
    soldAt: new Date(now + 10 * 60_000).toISOString(),
    items: [
      { name: 'Giò lụa', quantity: 0.1234567, unitPrice: 200000, vatRate: '8%' },
      { name: 'Chè', quantity: 1, unitPrice: 20000, vatRate: '7%' },
      { name: 'Nem\u0007rán', quantity: 1, unitPrice: 20000, vatRate: '8%' },
      { name: 'Cơm', quantity: 1, unitPrice: 20000 },
      { name: 'Bánh', quantity: 1, unitPrice: 20000, discount: 30000, vatRate: '10%' },
    ],
  }), 422, 'sale.invalid');
  t.same(paths(domainBad), ['/items/0/quantity', '/items/1/vatRate', '/items/2/name', '/items/3/vatRate', '/items/4/discount', '/soldAt']);
  t.match(domainBad.errors, [
    { path: '/soldAt', code: 'in_future' },
    { path: '/items/0/quantity', code: 'too_many_decimals' },
    { path: '/items/1/vatRate', code: 'unknown_rate' },
    { path: '/items/2/name', code: 'control_characters' },
    { path: '/items/3/vatRate', code: 'required' },
    { path: '/items/4/discount', code: 'discount_exceeds_gross' },
  ]);

  const huge = problemOf(t, await s.post(s.sale({ items: [{ name: 'Vàng', quantity: 1_000_000, unitPrice: 100_000_000, vatRate: '10%' }] })), 422, 'sale.invalid');
  t.same(paths(huge), ['/items', '/items/0'], 'over the invoice ceiling');

  const old = problemOf(t, await s.post(s.sale({ soldAt: new Date(now - 73 * 3_600_000).toISOString() })), 422, 'sale.invalid');
  t.match(old.errors, [{ path: '/soldAt', code: 'too_old' }]);
  const local = problemOf(t, await s.post(s.sale({ soldAt: '2026-11-27T19:42:10' })), 422, 'sale.invalid');
  t.match(local.errors, [{ path: '/soldAt', code: 'format' }], 'a time without offset is refused');
  t.equal((await s.post(s.sale({ soldAt: new Date(now + 4 * 60_000).toISOString() }))).statusCode, 201, '4 minutes ahead is fine');
  t.equal((await s.post(s.sale({ soldAt: new Date(now - 71 * 3_600_000).toISOString() }))).statusCode, 201, '71 hours old is fine');

  // Buyers.
  const badId = problemOf(t, await s.post(s.sale({ buyer: { personalId: '999099012345' } })), 422, 'personal_id.invalid');
  t.same(paths(badId), ['/buyer/personalId']);
  t.notMatch(JSON.stringify(badId), /999099012345/, 'the ID is not echoed');
  problemOf(t, await s.post(s.sale({ buyer: { personalId: '00109901234' } })), 422, 'personal_id.invalid');
  const badTax = problemOf(t, await s.post(s.sale({ buyer: { taxCode: '0101243151', name: 'Công ty A' } })), 422, 'tax_code.invalid');
  t.same(paths(badTax), ['/buyer/taxCode']);
  const badQr = problemOf(t, await s.post(s.sale({ buyer: { idCardQr: 'not a card' } })), 422, 'id_card_qr.invalid');
  t.same(paths(badQr), ['/buyer/idCardQr']);
  // The ID says a man born in 1999; the QR says a woman born in 1998.
  const liar = '001099012345||Nguyễn Thị B|12031998|Nữ|Hà Nội|01022022';
  const mismatch = problemOf(t, await s.post(s.sale({ buyer: { idCardQr: liar } })), 422, 'id_card_qr.mismatch');
  t.same(paths(mismatch), ['/buyer/idCardQr/birthDate', '/buyer/idCardQr/sex']);
  const card = '001099012345||Nguyễn Văn A|12031999|Nam|Hà Nội|01022022';
  const otherPerson = problemOf(t, await s.post(s.sale({ buyer: { personalId: '001085012345', idCardQr: card } })), 422, 'id_card_qr.mismatch');
  t.same(paths(otherPerson), ['/buyer/idCardQr']);
  const ctl = problemOf(t, await s.post(s.sale({ buyer: { name: 'Nguyễn\u0000Văn A', address: 'Hà\u001bNội' } })), 422, 'sale.invalid');
  t.same(paths(ctl), ['/buyer/address', '/buyer/name']);
  const mixed = problemOf(t, await s.post(s.sale({ buyer: { personalId: '1', taxCode: '2' }, items: [] })), 422, 'validation.failed');
  t.same(paths(mixed), ['/items'], 'the schema answers first');
  const several = problemOf(t, await s.post(s.sale({ buyer: { personalId: '1', taxCode: '2' } })), 422, 'sale.invalid');
  t.same(paths(several), ['/buyer/personalId', '/buyer/taxCode'], 'several kinds of problem: sale.invalid with all of them');

  await nothingStored(t, s, 4);
  const next = await s.post(s.sale());
  t.equal(next.statusCode, 201);
  t.equal(next.json().number, 5, 'no number was consumed by the refusals');
  t.match(next.json().code, /-00000000005$/);
});

t.test('business not active, revoked terminal, unusable certificate', async (t) => {
  const s = await salesSetup(t);
  const db = s.deps.database.db;
  t.equal((await s.post(s.sale())).json().number, 1);

  await db.update(businesses).set({ status: 'pending' }).where(eq(businesses.id, s.seller.business.id));
  problemOf(t, await s.post(s.sale()), 409, 'business.not_active');
  await db.update(businesses).set({ status: 'active' }).where(eq(businesses.id, s.seller.business.id));

  const taxCode = s.seller.business.taxCode;
  const expired = makeSellerPkcs12({ taxCode, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  const expiredSigner = loadPkcs12(expired.pkcs12, expired.password, { now: new Date(Date.now() - 200 * DAY) });
  await storeCertificate(db, s.deps.box, s.seller.business.id, expiredSigner, s.deps.clock());
  s.deps.keystore.forget(s.seller.business.id);
  const exp = problemOf(t, await s.post(s.sale()), 409, 'certificate.expired');
  t.match(exp, { status: 409 });

  const future = makeSellerPkcs12({ taxCode, notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 400 * DAY) });
  await storeCertificate(db, s.deps.box, s.seller.business.id, loadPkcs12(future.pkcs12, future.password, { now: new Date(Date.now() + 2 * DAY) }), s.deps.clock());
  s.deps.keystore.forget(s.seller.business.id);
  problemOf(t, await s.post(s.sale()), 409, 'certificate.not_yet_valid');
  await nothingStored(t, s, 1);

  await storeCertificate(db, s.deps.box, s.seller.business.id, s.seller.signer, s.deps.clock());
  s.deps.keystore.forget(s.seller.business.id);
  const ok = await s.post(s.sale());
  t.equal(ok.statusCode, 201, ok.body);
  t.equal(ok.json().number, 2, 'the refused sales consumed no number');

  await db.update(terminals).set({ revokedAt: s.deps.clock() }).where(eq(terminals.id, s.terminal.id));
  problemOf(t, await s.post(s.sale(), randomUUID()), 401, 'auth.unauthenticated');
  await nothingStored(t, s, 2);
});
