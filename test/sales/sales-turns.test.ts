// Sales of several sellers share a transaction (a lane's turn): each seller keeps its own gap-free
// numbers, and one seller's refusal (not active any more, an expired certificate) stays its own.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { businesses } from '../../src/db/schema/index.js';
import { storeCertificate } from '../../src/modules/businesses/businesses.repo.js';
import { loadPkcs12 } from '../../src/signing/pkcs12.js';
import { buildTestApp } from '../helpers/app.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { createActiveBusiness, createTerminal } from '../helpers/fixtures.js';
import { saleAt } from './sales-helpers.js';

const DAY = 86_400_000;
const SELLERS = 9; // more than the lanes of a process: some share one

t.test('nine sellers at once: own numbers each, refusals stay with their seller', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000', BATCH_MAX_AGE_MS: '600000' } });
  const db = deps.database.db;
  const sellers = await Promise.all(
    Array.from({ length: SELLERS }, async () => {
      const seller = await createActiveBusiness(deps);
      return { seller, terminal: await createTerminal(deps, seller.business.id) };
    }),
  );
  const post = (token: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/sales',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
      payload: saleAt(new Date(deps.clock().getTime() - 60_000)),
    });
  const numbersOf = async (businessId: string) =>
    (await queryRows<{ n: number }>(db, sql`select number as n from invoices where business_id = ${businessId} order by number`)).map((r) => r.n);

  // 15 sales of each seller in flight together.
  const answers = await Promise.all(sellers.flatMap((s) => Array.from({ length: 15 }, () => post(s.terminal.token).then((res) => ({ s, res })))));
  t.ok(
    answers.every(({ res }) => res.statusCode === 201),
    'all 135 issued',
  );
  for (const [i, s] of sellers.entries()) {
    t.same(await numbersOf(s.seller.business.id), Array.from({ length: 15 }, (_, k) => k + 1), `seller ${i + 1}: numbers 1..15`);
  }

  // One seller stops being active (its cached row still says active), another's certificate expired.
  const [stopped, expired, ...others] = sellers;
  await db.update(businesses).set({ status: 'pending' }).where(eq(businesses.id, stopped!.seller.business.id));
  const old = makeSellerPkcs12({ taxCode: expired!.seller.business.taxCode, notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  await storeCertificate(db, deps.box, expired!.seller.business.id, loadPkcs12(old.pkcs12, old.password, { now: new Date(Date.now() - 200 * DAY) }), deps.clock());
  deps.keystore.forget(expired!.seller.business.id);

  const second = await Promise.all(sellers.flatMap((s) => Array.from({ length: 5 }, () => post(s.terminal.token).then((res) => ({ s, res })))));
  const codes = (s: (typeof sellers)[number]) => second.filter((a) => a.s === s).map((a) => (a.res.statusCode === 201 ? 201 : a.res.json().code));
  t.same(codes(stopped!), Array(5).fill('business.not_active'), 'the seller no longer active is refused');
  t.same(codes(expired!), Array(5).fill('certificate.expired'), 'the seller with an expired certificate is refused');
  for (const s of others) t.same(codes(s), Array(5).fill(201), 'the others issue as before');
  t.same(await numbersOf(stopped!.seller.business.id), Array.from({ length: 15 }, (_, k) => k + 1), 'no number taken for the refused');
  t.same(await numbersOf(expired!.seller.business.id), Array.from({ length: 15 }, (_, k) => k + 1), 'nor for the expired certificate');
  const [counters] = await queryRows<{ n: number }>(
    db,
    sql`select max(last_value)::int as n from sequences where business_id in (${stopped!.seller.business.id}, ${expired!.seller.business.id})`,
  );
  t.equal(counters!.n, 15, 'their counters did not move');
  for (const s of others) t.same(await numbersOf(s.seller.business.id), Array.from({ length: 20 }, (_, k) => k + 1), 'gap-free across both rounds');
});
