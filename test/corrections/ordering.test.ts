// A correction travels after its original: the batcher holds a replacement back while its original
// sits in a message the authority has not taken in, and the simulator rejects a correction whose
// original it never accepted. The batcher is driven by hand here (nothing is due on its own: the
// batch age and the reconciler are set far away).
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { invoices } from '../../src/db/schema/index.js';
import { selectInvoicesWithTransmission } from '../../src/modules/invoices/invoices.repo.js';
import { buildBatches } from '../../src/transmission/batcher.js';
import { advanceMessage } from '../../src/transmission/messenger.js';
import type { TransmissionContext } from '../../src/transmission/context.js';
import { salesSetup } from '../sales/sales-helpers.js';

t.test('a replacement waits for its original’s message, and the simulator checks the order', async (t) => {
  const s = await salesSetup(t, { env: { BATCH_MAX_AGE_MS: '600000', RECONCILE_INTERVAL_MS: '600000', POLL_BASE_MS: '50' } });
  const { deps, seller } = s;
  const ctx: TransmissionContext = {
    db: deps.database.db,
    config: { ...deps.config, batch: { ...deps.config.batch, maxAgeMs: 0 } },
    clock: deps.clock,
    authority: deps.authority,
    signers: deps.keystore.signerFor,
    log: deps.log,
    workerId: 'ordering-test',
    replyHandlers: deps.replyHandlers,
    pollBaseMs: 50,
  };
  const replace = (id: string) =>
    s.app.inject({ method: 'POST', url: `/v1/invoices/${id}/replace`, headers: { authorization: `Bearer ${s.terminal.token}`, 'idempotency-key': randomUUID() }, payload: s.sale() });
  const row = async (id: string) => (await selectInvoicesWithTransmission(deps.database.db).where(eq(invoices.id, id)))[0]!;

  const original = (await s.post(s.sale())).json();
  const key = { businessId: seller.business.id, form: 1, symbol: (await row(original.invoiceId)).symbol };
  const first = await buildBatches(ctx, key);
  t.equal(first.messageIds.length, 1, 'the original is in a message, not yet sent');

  const replacement = (await replace(original.invoiceId)).json();
  const held = await buildBatches(ctx, key);
  t.same(held.messageIds, [], 'the replacement is held back while its original is on its way');
  t.ok(held.nextCheckAt, 'and the batcher looks again soon');
  t.equal((await row(replacement.invoiceId)).messageId, null);

  // The original's message goes out and is taken in (999): now the replacement may follow.
  let outcome = await advanceMessage(ctx, first.messageIds[0]!);
  for (let i = 0; i < 20 && !outcome.answered && outcome.next; i++) {
    await new Promise((r) => setTimeout(r, 50));
    outcome = await advanceMessage(ctx, first.messageIds[0]!, outcome.next.step);
  }
  t.equal((await row(original.invoiceId)).txStatus, 'accepted');
  const next = await buildBatches(ctx, key);
  t.equal(next.messageIds.length, 1, 'the replacement leaves once its original was taken in');
  outcome = await advanceMessage(ctx, next.messageIds[0]!);
  for (let i = 0; i < 20 && !outcome.answered && outcome.next; i++) {
    await new Promise((r) => setTimeout(r, 50));
    outcome = await advanceMessage(ctx, next.messageIds[0]!, outcome.next.step);
  }
  t.equal((await row(replacement.invoiceId)).txStatus, 'accepted', 'accepted by the simulator after its original');

  // The simulator's side of the rule: a correction of an invoice it never accepted is rejected.
  const unsent = (await s.post(s.sale())).json();
  await deps.database.db.execute(sql`insert into invoice_transmissions (invoice_id, status) values (${unsent.invoiceId}, 'accepted')
    on conflict (invoice_id) do update set status = excluded.status`);
  await deps.database.db.execute(sql`delete from unaccepted_invoices where invoice_id = ${unsent.invoiceId}`);
  const orphan = (await replace(unsent.invoiceId)).json();
  const fine = (await s.post(s.sale())).json(); // in the same message: the 204 then names the bad one (LTBao 7)
  const built = await buildBatches(ctx, key);
  t.equal(built.messageIds.length, 1);
  outcome = await advanceMessage(ctx, built.messageIds[0]!);
  for (let i = 0; i < 20 && !outcome.answered && outcome.next; i++) {
    await new Promise((r) => setTimeout(r, 50));
    outcome = await advanceMessage(ctx, built.messageIds[0]!, outcome.next.step);
  }
  const rejected = await row(orphan.invoiceId);
  t.equal(rejected.txStatus, 'rejected', 'the simulator refuses a correction that comes before its original');
  t.match(rejected.txLastError, /^30007 /);
  t.equal((await row(fine.invoiceId)).txStatus, 'accepted', 'the other invoice of the message is accepted');
  const [sim] = await queryRows<{ n: number }>(deps.database.db, sql`select count(*)::int as n from authority_sim.accepted_invoices where tax_code = ${seller.business.taxCode}`);
  t.equal(sim!.n, 3, 'the simulator holds the original, its replacement and the good sale, not the orphan');
});
