// Corrections end to end on the real app, PostgreSQL and the built-in simulator: a replacement and
// an adjustment are signed invoices that xmlsec1 accepts, carry TTHDLQuan, travel after their
// original and are accepted; the statistics count each sale once; an explanation goes out as a
// 303 and its 301 comes back; the state table of the contract and its authorization hold.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { businessDate } from '../../src/domain/dates.js';
import { listAcceptedInvoices } from '../../src/authority-sim/store.js';
import { createActiveBusiness, createBusinessKey, createStaff, createTerminal, waitFor } from '../helpers/fixtures.js';
import { xmlsec1Verifier } from '../helpers/xmlsec.js';
import { salesSetup } from '../sales/sales-helpers.js';

const FAST = { BATCH_MAX_AGE_MS: '100', POLL_BASE_MS: '50', RECONCILE_INTERVAL_MS: '300' };

const xmlsec1 = xmlsec1Verifier(t);

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

async function setup(t: Parameters<typeof salesSetup>[0]) {
  const s = await salesSetup(t, { env: FAST });
  const bizKey = await createBusinessKey(s.deps, s.seller.business.id);
  const admin = await createStaff(s.deps, 'admin');
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const correct = (action: 'replace' | 'adjust' | 'explain', id: string, body: object, token = s.terminal.token, key: string | null = randomUUID()) =>
    s.app.inject({ method: 'POST', url: `/v1/invoices/${id}/${action}`, headers: { ...auth(token), ...(key === null ? {} : { 'idempotency-key': key }) }, payload: body });
  const get = async (id: string, token = bizKey) => (await s.app.inject({ method: 'GET', url: `/v1/invoices/${id}`, headers: auth(token) })).json();
  const xml = async (id: string) => (await s.app.inject({ method: 'GET', url: `/v1/invoices/${id}/xml`, headers: auth(bizKey) })).body;
  const accepted = (id: string) => waitFor(async () => (await get(id)).transmission.status === 'accepted', 30_000);
  const todayRevenue = async () => {
    const today = businessDate(s.deps.clock());
    const res = await s.app.inject({ method: 'GET', url: `/v1/stats/volume?from=${today}&to=${today}&taxCode=${s.seller.business.taxCode}`, headers: auth(admin.token) });
    return res.json().series[0] as { invoices: number; revenue: number; total: number; replacements: number; adjustments: number };
  };
  return { ...s, bizKey, admin, auth, correct, get, xml, accepted, todayRevenue };
}

t.test('replace: a new signed invoice referencing the original, accepted, counted once', async (t) => {
  const s = await setup(t);
  const sold = await s.post(s.sale());
  t.equal(sold.statusCode, 201, sold.body);
  const original = sold.json();

  const key = randomUUID();
  const body = s.sale({ items: [{ code: 'PHO01', name: 'Phở bò chín', unit: 'bát', quantity: 2, unitPrice: 65000, vatRate: '8%' }], reason: 'Sai món: phở chín, không phải phở tái' });
  const res = await s.correct('replace', original.invoiceId, body, s.terminal.token, key);
  t.equal(res.statusCode, 201, res.body);
  const repl = res.json();
  t.match(repl, { kind: 'replacement', number: original.number + 1, totals: { total: 130000 }, replaces: { invoiceId: original.invoiceId, number: original.number, symbol: original.symbol } });
  t.not(repl.code, original.code, 'a new MTT code');

  const again = await s.correct('replace', original.invoiceId, body, s.terminal.token, key);
  t.equal(again.statusCode, 200, 'the same key replays');
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same(again.json(), repl);

  const doc = await s.xml(repl.invoiceId);
  const verdict = xmlsec1(doc);
  t.ok(verdict.ok, `xmlsec1 verifies the replacement: ${verdict.output}`);
  t.equal(tag(doc, 'TCHDon'), '1', 'TTHDLQuan: replaces');
  t.equal(tag(doc, 'KHMSHDCLQuan'), '1');
  t.equal(tag(doc, 'KHHDCLQuan'), original.symbol.slice(1));
  t.equal(tag(doc, 'SHDCLQuan'), String(original.number));
  t.equal(tag(doc, 'NLHDCLQuan'), original.businessDate);
  t.equal(tag(doc, 'GChu'), 'Sai món: phở chín, không phải phở tái');

  await s.accepted(original.invoiceId);
  await s.accepted(repl.invoiceId);
  const atSim = await listAcceptedInvoices(s.deps.database.db, s.seller.business.taxCode);
  t.same(atSim.map((i) => i.number).sort(), [1, 2], 'both accepted once at the simulator, original first');

  const orig = await s.get(original.invoiceId);
  t.equal(orig.status, 'replaced');
  t.match(orig.replacedBy, { invoiceId: repl.invoiceId, number: repl.number });
  const detail = await s.get(repl.invoiceId);
  t.match(detail, { kind: 'replacement', status: 'issued', replaces: { invoiceId: original.invoiceId } });

  const day = await s.todayRevenue();
  t.equal(day.invoices, 1, 'the sale counts once');
  t.equal(day.total, 130000, 'at the replacement’s amount');
  t.equal(day.replacements, 1, 'the volume series counts the replacement');

  const second = await s.correct('replace', original.invoiceId, s.sale());
  t.equal(second.statusCode, 409);
  t.equal(second.json().code, 'invoice.already_replaced');
  const adjustReplaced = await s.correct('adjust', original.invoiceId, { reason: 'x', items: [{ name: 'Phở', quantity: -1, unitPrice: 65000, vatRate: '8%' }] });
  t.equal(adjustReplaced.json().code, 'invoice.already_replaced', 'a replaced invoice is not adjusted either');

  const chain = await s.correct('replace', repl.invoiceId, s.sale({ reason: 'Lại sai món' }), s.bizKey);
  t.equal(chain.statusCode, 201, 'a replacement can itself be replaced (business key)');
  t.equal((await s.todayRevenue()).invoices, 1, 'still one sale');

  const search = await s.app.inject({ method: 'GET', url: `/v1/invoices?taxCode=${s.seller.business.taxCode}`, headers: s.auth(s.admin.token) });
  const items = search.json().items as Array<{ id: string; status: string; kind: string; corrects: string | null }>;
  t.match(items.find((i) => i.id === repl.invoiceId), { kind: 'replacement', status: 'replaced', corrects: original.invoiceId });
  t.match(items.find((i) => i.id === original.invoiceId), { kind: 'original', status: 'replaced', corrects: null });
});

t.test('adjust: dishes sent back lower the statistics, words start with Âm', async (t) => {
  const s = await setup(t);
  const original = (await s.post(s.sale({ buyer: { personalId: '001099012345', name: 'Trần Thị Bình' } }))).json();
  const before = await s.todayRevenue();
  t.equal(before.total, 234000);

  const res = await s.correct('adjust', original.invoiceId, {
    reason: 'Khách trả lại 1 bát phở',
    items: [{ code: 'PHO01', name: 'Phở bò tái', unit: 'bát', quantity: -1, unitPrice: 65000, vatRate: '8%' }],
  });
  t.equal(res.statusCode, 201, res.body);
  const adj = res.json();
  t.match(adj, { kind: 'adjustment', adjusts: { invoiceId: original.invoiceId }, totals: { total: -65000, byRate: [{ rate: '8%', beforeVat: -60185, vat: -4815 }] } });
  t.equal(adj.totalInWords, 'Âm sáu mươi lăm nghìn đồng');

  const doc = await s.xml(adj.invoiceId);
  t.ok(xmlsec1(doc).ok, 'xmlsec1 verifies the adjustment');
  t.equal(tag(doc, 'TCHDon'), '2');
  t.equal(tag(doc, 'TgTTTBSo'), '-65000');
  t.equal(tag(doc, 'CCCDan'), '001099012345', 'the buyer comes from the original');
  t.equal(tag(doc, 'TgTTTBChu'), 'Âm sáu mươi lăm nghìn đồng');

  const after = await s.todayRevenue();
  t.equal(after.total, 234000 - 65000, 'revenue lowered by the adjustment');
  t.equal(after.invoices, 2, 'the adjustment is an invoice of its own');
  t.equal(after.adjustments, 1);
  const [rollup] = await queryRows<{ adjustments: number; replacements: number }>(
    s.deps.database.db,
    sql`select adjustments, replacements from stats_daily where business_id = ${s.seller.business.id}`,
  );
  t.same(rollup, { adjustments: 1, replacements: 0 }, 'counted per business');

  t.equal((await s.get(original.invoiceId)).status, 'adjusted');
  const twice = await s.correct('adjust', original.invoiceId, { reason: 'Trả thêm 1 chai bia', items: [{ name: 'Bia Hà Nội', quantity: -1, unitPrice: 25000, vatRate: '10%' }] });
  t.equal(twice.statusCode, 201, 'an adjusted invoice can be adjusted again');
  t.same((await s.get(original.invoiceId)).adjustments.map((a: { invoiceId: string }) => a.invoiceId), [adj.invoiceId, twice.json().invoiceId]);

  await s.accepted(adj.invoiceId);
  await s.accepted(twice.json().invoiceId);

  const sale = await s.post(s.sale({ items: [{ name: 'Phở', quantity: -1, unitPrice: 65000, vatRate: '8%' }] }));
  t.equal(sale.statusCode, 422, 'negative quantities only on adjustments');
  const zero = await s.correct('adjust', original.invoiceId, { reason: 'x', items: [{ name: 'Phở', quantity: 0, unitPrice: 65000, vatRate: '8%' }] });
  t.equal(zero.statusCode, 422);
  t.match(zero.json().errors, [{ path: '/items/0/quantity' }]);
  const noReason = await s.correct('adjust', original.invoiceId, { items: [{ name: 'Phở', quantity: -1, unitPrice: 65000, vatRate: '8%' }] });
  t.equal(noReason.statusCode, 422);
  t.match(noReason.json().errors, [{ path: '/reason' }]);
});

t.test('explain: a 303 once the invoice is accepted, and its 301', async (t) => {
  const s = await setup(t);
  const original = (await s.post(s.sale())).json();
  const res = await s.correct('explain', original.invoiceId, { reason: 'Sai địa chỉ người mua: 12 Phố Huế' }, s.bizKey, null);
  t.equal(res.statusCode, 202, res.body);
  t.match(res.json(), { invoiceId: original.invoiceId, noticeId: String });
  t.ok(['waiting', 'sent'].includes(res.json().status), 'waits for the acceptance of the invoice, or leaves at once');

  const received = await waitFor(async () => {
    const d = await s.get(original.invoiceId);
    return d.notices[0]?.status === 'received' ? d : false;
  }, 30_000);
  t.match(received.notices[0], { kind: 'explain', reason: 'Sai địa chỉ người mua: 12 Phố Huế', messageId: String, result: { received: true } });
  t.equal(received.status, 'issued', 'an explanation does not change the invoice');
  const [msg] = await queryRows<{ type: number; status: string; xml: string }>(s.deps.database.db, sql`select type, status, xml from messages where type = 303`);
  t.equal(msg?.status, 'answered');
  t.equal(tag(msg!.xml, 'TCTBao'), '4');
  t.equal(tag(msg!.xml, 'MCQTCap'), original.code);

  const second = await s.correct('explain', original.invoiceId, { reason: 'Sai tên người mua' }, s.bizKey, null);
  t.equal(second.statusCode, 202);
  t.equal(second.json().status, 'sent', 'an accepted invoice’s notice leaves at once');
});

t.test('the state table and who may correct', async (t) => {
  const s = await setup(t);
  const original = (await s.post(s.sale())).json();
  const other = await createActiveBusiness(s.deps);
  const otherTerminal = await createTerminal(s.deps, other.business.id);
  const adjustBody = { reason: 'x', items: [{ name: 'Phở', quantity: -1, unitPrice: 65000, vatRate: '8%' }] };

  t.equal((await s.correct('replace', original.invoiceId, s.sale(), otherTerminal.token)).statusCode, 404, 'another business’s terminal: 404 on replace');
  t.equal((await s.correct('adjust', original.invoiceId, adjustBody, otherTerminal.token)).statusCode, 404, '404 on adjust');
  t.equal((await s.correct('replace', randomUUID(), s.sale())).statusCode, 404, 'unknown invoice');
  const explainByTerminal = await s.correct('explain', original.invoiceId, { reason: 'x' }, s.terminal.token, null);
  t.equal(explainByTerminal.statusCode, 403, 'a terminal may not explain');
  t.equal(explainByTerminal.json().code, 'auth.forbidden');
  t.equal((await s.correct('replace', original.invoiceId, s.sale(), s.admin.token)).statusCode, 403, 'staff are read-only');
  t.equal((await s.correct('replace', original.invoiceId, s.sale(), s.terminal.token, null)).statusCode, 422, 'Idempotency-Key is required');

  const key = randomUUID();
  t.equal((await s.correct('adjust', original.invoiceId, adjustBody, s.terminal.token, key)).statusCode, 201);
  const reused = await s.correct('replace', original.invoiceId, s.sale(), s.terminal.token, key);
  t.equal(reused.statusCode, 409, 'one key, another correction');
  t.equal(reused.json().code, 'idempotency.conflict');

  // Rejected by the authority: nothing to correct.
  await s.deps.database.db.execute(sql`insert into invoice_transmissions (invoice_id, status) values (${original.invoiceId}, 'rejected')
    on conflict (invoice_id) do update set status = excluded.status`);
  for (const [action, body, token] of [
    ['replace', s.sale(), s.terminal.token],
    ['adjust', adjustBody, s.terminal.token],
    ['explain', { reason: 'x' }, s.bizKey],
  ] as const) {
    const res = await s.correct(action, original.invoiceId, body, token);
    t.equal(res.statusCode, 409, `${action} of a rejected invoice`);
    t.equal(res.json().code, 'invoice.rejected');
  }
  const [counts] = await queryRows<{ n: number }>(s.deps.database.db, sql`select count(*)::int as n from invoices where business_id = ${s.seller.business.id}`);
  t.equal(counts!.n, 2, 'no invoice issued by a refused correction');
});

t.test('20 racing replacements of one invoice: one wins, numbering stays gap-free', async (t) => {
  const s = await setup(t);
  const original = (await s.post(s.sale())).json();
  const results = await Promise.all(Array.from({ length: 20 }, () => s.correct('replace', original.invoiceId, s.sale())));
  const codes = results.map((r) => r.statusCode).sort();
  t.same(codes, [201, ...Array(19).fill(409)], 'one replacement, 19 refusals');
  t.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'invoice.already_replaced'));
  const numbers = await queryRows<{ number: number }>(s.deps.database.db, sql`select number from invoices where business_id = ${s.seller.business.id} order by number`);
  t.same(numbers.map((r) => r.number), [1, 2], 'the refused ones returned their numbers');
});
