// What the authority's answers do to invoices: 204 rejections are final and carry the reason,
// a partial rejection (LTBao 7) accepts the rest, and the seller's later good messages still go.
import t from 'tap';
import { eq, sql } from 'drizzle-orm';
import { businesses, invoices, invoiceTransmissions, messageItems, messages, transmissionEvents, transmissionFields } from '../../src/db/schema/index.js';
import { selectInvoicesWithTransmission, transmissionOf } from '../../src/modules/invoices/invoices.repo.js';
import { storeCertificate } from '../../src/modules/businesses/businesses.repo.js';
import { buildTestDeps } from '../helpers/app.js';
import { createActiveBusiness, issueInvoices, randomMttCode, waitFor } from '../helpers/fixtures.js';

const env = { BATCH_MAX_AGE_MS: '300', RECONCILE_INTERVAL_MS: '300', POLL_BASE_MS: '50' };

t.test('a rejected package marks its invoices rejected; a good one afterwards is accepted', async (t) => {
  const { deps } = await buildTestDeps(t, { env });
  const db = deps.database.db;
  // The authority knows the seller under another MTT code: every MCCQT we build is wrong.
  const seller = await createActiveBusiness(deps, { seedSimulator: false });
  await deps.simulator!.simulator.seedSeller({ taxCode: seller.business.taxCode, mttCode: randomMttCode() });
  const bad = await issueInvoices(deps, seller, 3);
  await waitFor(async () => {
    const rows = await selectInvoicesWithTransmission(db).where(eq(invoiceTransmissions.status, 'rejected'));
    return rows.length === 3;
  }, 20_000);
  const rejected = await selectInvoicesWithTransmission(db);
  for (const r of rejected) {
    t.equal(r.txStatus, 'rejected');
    t.ok(r.rejectedAt);
    t.match(r.txLastError, /\S/, 'the reason is kept');
    t.ok(r.txResult && typeof (r.txResult as { message?: string }).message === 'string');
  }
  const events = await db.select().from(transmissionEvents).where(eq(transmissionEvents.event, 'invoice.rejected'));
  t.equal(events.length, 3, 'each rejection is in the history');

  // The seller's code is corrected; new invoices go through, the rejected ones stay rejected.
  const sim = await deps.simulator!.simulator.seller(seller.business.taxCode);
  await db.update(businesses).set({ mttCode: sim!.mttCode }).where(eq(businesses.id, seller.business.id));
  const good = await issueInvoices(deps, { ...seller, business: { ...seller.business, mttCode: sim!.mttCode } }, 2);
  await waitFor(async () => {
    const rows = await selectInvoicesWithTransmission(db).where(eq(invoiceTransmissions.status, 'accepted'));
    return rows.length === 2;
  }, 20_000);
  const after = await db.select({ id: invoices.id, s: transmissionFields.txStatus }).from(invoices).leftJoin(invoiceTransmissions, transmissionOf);
  t.same(after.filter((r) => r.s === 'rejected').map((r) => r.id).sort(), bad.map((b) => b.id).sort());
  t.same(after.filter((r) => r.s === 'accepted').map((r) => r.id).sort(), good.map((b) => b.id).sort());
});

t.test('LTBao 7: only the listed invoice is rejected, the rest of the package is accepted', async (t) => {
  const { deps } = await buildTestDeps(t, { env: { ...env, BATCH_MAX_AGE_MS: '1500' } });
  const db = deps.database.db;
  const seller = await createActiveBusiness(deps);
  const [first, second, third] = await issueInvoices(deps, seller, 3);
  // The second invoice's stored bytes change after signing: its own signature no longer holds.
  await db
    .update(invoices)
    .set({ xml: sql`replace(${invoices.xml}, '<TgTTTBSo>', '<TgTTTBSo>1')` })
    .where(eq(invoices.id, second!.id));
  await waitFor(async () => {
    const [m] = await db.select().from(messages);
    return m?.status === 'answered';
  }, 20_000);
  const rows = new Map((await selectInvoicesWithTransmission(db)).map((r) => [r.id, r]));
  t.equal(rows.get(first!.id)!.txStatus, 'accepted');
  t.equal(rows.get(third!.id)!.txStatus, 'accepted');
  t.equal(rows.get(second!.id)!.txStatus, 'rejected');
  t.match(rows.get(second!.id)!.txLastError, /\S/);
  const atSim = await deps.simulator!.simulator.invoices(seller.business.taxCode);
  t.same(atSim.map((i) => i.number).sort(), [first!.number, third!.number].sort());
});

t.test('999 TTTNhan=1: the invoices go back to pending and travel again in a new message', async (t) => {
  const { deps } = await buildTestDeps(t, { env });
  const db = deps.database.db;
  const seller = await createActiveBusiness(deps);
  // The message signer becomes a certificate of another tax code: the authority will not take it in.
  const stranger = await createActiveBusiness(deps, { seedSimulator: false });
  await storeCertificate(db, deps.box, seller.business.id, stranger.signer, new Date());
  deps.keystore.forget(seller.business.id);
  const issued = await issueInvoices(deps, seller, 2);
  await waitFor(async () => (await db.select().from(messages).where(eq(messages.status, 'refused'))).length >= 1, 20_000);
  const pending = await selectInvoicesWithTransmission(db).where(eq(invoices.businessId, seller.business.id));
  t.ok(pending.every((r) => r.txStatus === 'pending'), 'not taken in: still pending');
  t.ok(pending.every((r) => /\S/.test(r.txLastError ?? '')), 'with the reason');

  await storeCertificate(db, deps.box, seller.business.id, seller.signer, new Date());
  deps.keystore.forget(seller.business.id);
  await waitFor(async () => {
    const rows = await selectInvoicesWithTransmission(db).where(eq(invoices.businessId, seller.business.id));
    return rows.every((r) => r.txStatus === 'accepted');
  }, 30_000);
  const carriers = await db.select().from(messageItems).where(eq(messageItems.invoiceId, issued[0]!.id));
  t.ok(carriers.length >= 2, 'the history keeps the refused message and the one that carried it after');
  const atSim = await deps.simulator!.simulator.invoices(seller.business.taxCode);
  t.equal(atSim.length, 2, 'accepted once each');
});
