// Faults on demand (authority-messages.md §8.6), concurrency, and state across restarts.
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultInjector, parseFaults, seededRandom } from '../../src/authority-sim/faults.js';
import { startSimulator } from '../../src/authority-sim/simulator.js';
import { readReply } from '../../src/transmission/replies.js';
import { freshPostgres } from '../helpers/db.js';
import { SELLER_CODE, SELLER_TAX_CODE, invoiceModel, message206, signInvoice, startTestSim, wrap } from './helpers.js';

const db = await freshPostgres(t);
const ts = await startTestSim(t, { db, random: seededRandom(7) });
await ts.post('/_sim/sellers', { taxCode: SELLER_TAX_CODE, mttCode: SELLER_CODE });
let next = 1;
const oneInvoice = () => message206([signInvoice(invoiceModel(next++))]);
const types = (xmls: string[]) => xmls.map((x) => readReply(x).type);

t.afterEach(async () => {
  await ts.post('/_sim/faults', {});
});

t.test('errorRate 1: 500 without processing', async (t) => {
  await ts.post('/_sim/faults', { errorRate: 1 });
  const m = oneInvoice();
  const res = await ts.client.send(m.id, m.xml);
  t.match(res, { kind: 'failed', error: 'HTTP 500', ambiguous: true });
  t.match(await ts.client.lookup(m.id), { kind: 'failed', error: 'HTTP 500' }, 'lookups fail too');
  await ts.post('/_sim/faults', {});
  t.same(await ts.client.lookup(m.id), { kind: 'unknown' }, 'the message was not processed');
});

t.test('rate429: 429 with Retry-After, not ambiguous', async (t) => {
  await ts.post('/_sim/faults', { rate429: 1, retryAfterSeconds: 7 });
  const m = oneInvoice();
  const res = await ts.client.send(m.id, m.xml);
  t.match(res, { kind: 'failed', error: 'HTTP 429', ambiguous: false, retryAfterMs: 7000 });
});

t.test('dropRate 1: processed and stored, the answer never arrives', async (t) => {
  await ts.post('/_sim/faults', { dropRate: 1 });
  const m = oneInvoice();
  const res = await ts.client.send(m.id, m.xml);
  t.match(res, { kind: 'failed', ambiguous: true }, 'the client cannot tell whether it was taken in');
  const found = await ts.client.lookup(m.id);
  t.equal(found.kind, 'found', 'yet a lookup finds it');
  if (found.kind === 'found') {
    t.same(types(found.replies), [999, 204]);
    t.equal(readReply(found.replies[1] as string).type === 204 && (readReply(found.replies[1] as string) as { result: number }).result, 2);
  }
  const again = await ts.client.send(m.id, m.xml);
  t.equal(again.kind, 'failed', 'still dropping');
  await ts.post('/_sim/faults', {});
  const resent = await ts.client.send(m.id, m.xml);
  t.equal(resent.kind === 'answered' && resent.xml, found.kind === 'found' && found.replies[0], 'a resend gets the stored 999');
  const stats = await ts.get<{ faults: { drop: number }; invoicesAccepted: number }>('/_sim/stats');
  t.equal(stats.body.faults.drop, 2);
});

t.test('downUntil: connections fail until then', async (t) => {
  await ts.post('/_sim/faults', { downUntil: new Date(Date.now() + 60_000).toISOString() });
  const m = oneInvoice();
  t.match(await ts.client.send(m.id, m.xml), { kind: 'failed' });
  t.match(await ts.client.lookup(m.id), { kind: 'failed' });
  await ts.post('/_sim/faults', { downUntil: new Date(Date.now() - 1000).toISOString() });
  t.equal((await ts.send(m)).received, true, 'up again once the time has passed');
  const stats = await ts.get<{ faults: { down: number } }>('/_sim/stats');
  t.equal(stats.body.faults.down, 2);
});

t.test('duplicateAcks: each business answer twice in the lookup', async (t) => {
  const m = oneInvoice();
  await ts.send(m);
  await ts.post('/_sim/faults', { duplicateAcks: true });
  const found = await ts.client.lookup(m.id);
  t.same(found.kind === 'found' && types(found.replies), [999, 204, 204]);
});

t.test('latency and reply delay', async (t) => {
  await ts.post('/_sim/faults', { latencyMs: 150 });
  const started = Date.now();
  t.equal((await ts.send(oneInvoice())).received, true);
  t.ok(Date.now() - started >= 150, 'answered after the latency');

  await ts.post('/_sim/faults', { replyDelayMs: 1000 });
  const m = oneInvoice();
  const sent = Date.now();
  t.equal((await ts.send(m)).received, true);
  const early = (await ts.client.lookup(m.id)) as { replies: string[] };
  if (Date.now() - sent < 1000) t.same(types(early.replies), [999], 'the 204 is not ready yet');
  await sleep(Math.max(0, sent + 1100 - Date.now()));
  t.same(types(((await ts.client.lookup(m.id)) as { replies: string[] }).replies), [999, 204], 'and then it is');
});

t.test('fault sets are checked; the sequence of faults is reproducible', async (t) => {
  t.equal((await ts.post('/_sim/faults', { errorRate: 2 })).status, 400);
  t.equal((await ts.post('/_sim/faults', { nope: true })).status, 400);
  t.equal((await ts.post('/_sim/faults', { downUntil: 'tomorrow' })).status, 400);
  t.throws(() => parseFaults([]), /object/);
  t.same((await ts.post('/_sim/faults', { errorRate: 0.5, duplicateAcks: false })).body, { errorRate: 0.5, duplicateAcks: false });
  t.same((await ts.get('/_sim/faults')).body, { errorRate: 0.5, duplicateAcks: false });

  const draw = (seed: number) => {
    const f = new FaultInjector({ errorRate: 0.5, rate429: 0.3, dropRate: 0.2 }, seededRandom(seed), () => new Date());
    return Array.from({ length: 40 }, () => {
      const d = f.decide('send');
      return d.action + (d.drop ? '+drop' : '');
    });
  };
  t.same(draw(42), draw(42), 'same seed, same faults');
  t.not(draw(42).join(), draw(43).join(), 'another seed, other faults');
  t.ok(new Set(draw(42)).size >= 3, 'every kind shows up');
});

t.test('concurrent sends: one message taken in once, one invoice accepted once', async (t) => {
  const m = oneInvoice();
  const results = await Promise.all([1, 2, 3, 4].map(() => ts.client.send(m.id, m.xml)));
  const xmls = results.map((r) => (r.kind === 'answered' ? r.xml : r.error));
  t.equal(new Set(xmls).size, 1, 'every sender gets the same 999');
  t.equal(readReply(xmls[0] as string).type, 999);

  const model = invoiceModel(next++);
  const a = message206([signInvoice(model)]);
  const b = message206([signInvoice({ ...model, id: `${model.id}b` })]);
  await Promise.all([ts.send(a), ts.send(b)]);
  const results204 = await Promise.all([a, b].map(async (m) => (await ts.replies(m.id)).find((r) => r.type === 204) as { result: number }));
  t.same(results204.map((r) => r.result).sort(), [2, 9], 'one accepted, the other rejected as a duplicate');
  const list = await ts.get<{ invoices: Array<{ mttCode: string }> }>('/_sim/invoices');
  t.equal(list.body.invoices.filter((i) => i.mttCode === model.mttCode).length, 1);
});

t.test('state survives a restart on the same database; reset keeps the key', async (t) => {
  const m = oneInvoice();
  await ts.send(m);
  const before = await ts.client.lookup(m.id);
  const stats = await ts.sim.stats();
  const first = await startSimulator({ db: db.database.db, replyDelayMs: 0, testRoutes: true });
  await first.close();

  const again = wrap(db, await startSimulator({ db: db.database.db, replyDelayMs: 0, testRoutes: true }));
  t.teardown(() => again.sim.close());
  t.equal(again.sim.certificatePem, ts.sim.certificatePem, 'the same signing certificate');
  t.same(await again.client.lookup(m.id), before, 'the replies are still there');
  const resent = await again.client.send(m.id, m.xml);
  t.equal(resent.kind === 'answered' && resent.xml, before.kind === 'found' && before.replies[0], 'a resend gets the stored 999');
  t.equal((await again.get<{ mttCode: string }>(`/_sim/sellers/${SELLER_TAX_CODE}`)).body.mttCode, SELLER_CODE);
  const after = await again.sim.stats();
  t.equal(after.invoicesAccepted, stats.invoicesAccepted);
  t.equal(after.duplicates, stats.duplicates);

  t.equal((await again.post('/_sim/reset')).status, 204);
  t.same((await again.get<{ invoices: unknown[] }>('/_sim/invoices')).body.invoices, []);
  t.equal((await again.get(`/_sim/sellers/${SELLER_TAX_CODE}`)).status, 404);
  t.same(await again.client.lookup(m.id), { kind: 'unknown' });
  const restarted = await startSimulator({ db: db.database.db, replyDelayMs: 0 });
  t.teardown(() => restarted.close());
  t.equal(restarted.certificatePem, ts.sim.certificatePem, 'reset keeps the signing key');
  t.equal((await fetch(restarted.url + '/_sim/sellers/0101243150')).status, 404, 'no test routes unless asked');
  t.equal((await fetch(restarted.url + '/_sim/certificate')).status, 200, 'the certificate is always served');
});
