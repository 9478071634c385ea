// How an invoice is stored: its signed XML deflated against the seller's dictionary in
// invoice_documents (byte for byte the document signed), and a row in the small work list until
// the authority accepts it.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { buildBatches } from '../../src/transmission/batcher.js';
import { advanceMessage } from '../../src/transmission/messenger.js';
import type { TransmissionContext } from '../../src/transmission/context.js';
import { xmlsec1Verifier } from '../helpers/xmlsec.js';
import { salesSetup } from './sales-helpers.js';

const xmlsec1 = xmlsec1Verifier(t);

t.test('deflated XML and the work list, through acceptance', async (t) => {
  const s = await salesSetup(t, { env: { BATCH_MAX_AGE_MS: '600000', RECONCILE_INTERVAL_MS: '600000', POLL_BASE_MS: '50' } });
  const { deps, seller } = s;
  const db = deps.database.db;

  // Concurrent sales share turns; every one is answered with its own invoice.
  const answers = await Promise.all(Array.from({ length: 30 }, () => s.post(s.sale())));
  t.ok(
    answers.every((a) => a.statusCode === 201),
    'all issued',
  );
  const ids = answers.map((a) => a.json().invoiceId as string);

  const rows = await queryRows<{ id: string; xml: string | null; z: number | null; dict: number | null }>(
    db,
    sql`select i.id, i.xml, octet_length(d.xml_z) as z, d.xml_dict as dict from invoices i left join invoice_documents d on d.invoice_id = i.id`,
  );
  t.equal(rows.length, 30);
  t.ok(
    rows.every((r) => r.xml === null && r.z !== null && r.dict !== null),
    'every document stored deflated, none as text',
  );
  const [dicts] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from xml_dictionaries where business_id = ${seller.business.id}`);
  t.equal(dicts!.n, 1, 'one dictionary for the seller and its certificate');

  const auth = { authorization: `Bearer ${s.terminal.token}` };
  const served = await s.app.inject({ method: 'GET', url: `/v1/invoices/${ids[7]}/xml`, headers: auth });
  t.equal(served.statusCode, 200);
  const stored = rows.find((r) => r.id === ids[7])!;
  t.ok(stored.z! * 3 < served.rawPayload.length, `deflated ${stored.z} B for a ${served.rawPayload.length} B document`);
  const verified = xmlsec1(served.body);
  t.ok(verified.ok, `xmlsec1 verifies the document read back: ${verified.output}`);
  t.match(served.body, new RegExp(`<SHDon>${answers[7]!.json().number}</SHDon>`));

  const waiting = await queryRows<{ n: number; batched: number }>(db, sql`select count(*)::int as n, count(message_id)::int as batched from unaccepted_invoices`);
  t.same(waiting[0], { n: 30, batched: 0 }, 'all 30 wait in the work list, in no message yet');
  const versions = async () => queryRows<{ id: string; v: string }>(db, sql`select id, xmin::text as v from invoices order by id`);
  const written = await versions();
  const [fresh] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from invoice_transmissions`);
  t.equal(fresh!.n, 0, 'a fresh invoice has no transmission row: pending is the absence of one');

  // Through the simulator by hand: one 206, taken in, accepted.
  const ctx: TransmissionContext = {
    db,
    config: { ...deps.config, batch: { ...deps.config.batch, maxAgeMs: 0 } },
    clock: deps.clock,
    authority: deps.authority,
    signers: deps.keystore.signerFor,
    log: deps.log,
    workerId: 'storage-test',
    replyHandlers: deps.replyHandlers,
    pollBaseMs: 50,
  };
  const [symbol] = await queryRows<{ symbol: string }>(db, sql`select symbol from invoices limit 1`);
  const built = await buildBatches(ctx, { businessId: seller.business.id, form: 1, symbol: symbol!.symbol });
  t.equal(built.messageIds.length, 1, 'one message carries them');
  let outcome = await advanceMessage(ctx, built.messageIds[0]!);
  for (let i = 0; i < 40 && !outcome.answered && outcome.next; i++) {
    await new Promise((r) => setTimeout(r, 50));
    outcome = await advanceMessage(ctx, built.messageIds[0]!, outcome.next.step);
  }
  const states = await queryRows<{ s: string; m: string | null; n: number }>(db, sql`select coalesce(t.status, 'pending') as s, t.message_id as m, count(*)::int as n from invoices i left join invoice_transmissions t on t.invoice_id = i.id group by 1, 2`);
  t.same(states, [{ s: 'accepted', m: built.messageIds[0], n: 30 }], 'all accepted, each naming its message');
  t.same(await versions(), written, 'sent and accepted without a new version of any invoice row');
  t.same((await queryRows<{ n: number }>(db, sql`select count(*)::int as n from unaccepted_invoices`))[0], { n: 0 }, 'the work list is empty again');
});
