// The simulator on PGlite, as the gateway's embedded mode runs it (same process, same database).
import t from 'tap';
import { startSimulator } from '../../src/authority-sim/simulator.js';
import type { Reply } from '../../src/transmission/replies.js';
import { freshPglite } from '../helpers/db.js';
import { SELLER_CODE, SELLER_TAX_CODE, invoiceModel, message100, message206, registrationModel, signInvoice, wrap } from './helpers.js';

const { database } = await freshPglite(t);
const sim = await startSimulator({ db: database.db, replyDelayMs: 0, testRoutes: true });
t.teardown(() => sim.close());
const ts = wrap({ database, url: '', name: 'pglite' }, sim);

t.test('206 and 100 round trips on PGlite', async (t) => {
  t.equal((await ts.post('/_sim/sellers', { taxCode: SELLER_TAX_CODE, mttCode: SELLER_CODE })).status, 201);
  const m = message206([1, 2].map((n) => signInvoice(invoiceModel(n))));
  const results = await Promise.all([ts.send(m), ts.send(m)]);
  t.ok(results.every((r) => r.received), 'concurrent resends of one message');
  const r204 = (await ts.replies(m.id)).find((r) => r.type === 204) as Extract<Reply, { type: 204 }>;
  t.equal(r204.result, 2);
  t.equal((await ts.get<{ invoices: unknown[] }>('/_sim/invoices')).body.invoices.length, 2);

  const reg = message100(registrationModel({ taxCode: '0100109106' }));
  await ts.send(reg);
  const r103 = (await ts.replies(reg.id)).find((r) => r.type === 103) as Extract<Reply, { type: 103 }>;
  t.equal(r103.accepted, true);
  t.match(r103.mttCode, /^[A-Z0-9]{5}$/);
});
