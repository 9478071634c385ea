// The simulator's 206 path over real HTTP and a real PostgreSQL database (authority-messages.md
// §4, §5, §6, §8.1, §8.3), through the gateway's own client and reply reader.
import t, { type Test } from 'tap';
import { X509Certificate } from 'node:crypto';
import { buildMessageId } from '../../src/domain/codes.js';
import { buildEnvelope } from '../../src/invoice/message.js';
import { buildInvoiceXml } from '../../src/invoice/xml.js';
import { readReply, type Reply } from '../../src/transmission/replies.js';
import { verifyEnveloped } from '../../src/signing/xmldsig.js';
import {
  SELLER_CODE,
  SELLER_TAX_CODE,
  SENDER,
  header,
  invoiceModel,
  message206,
  mttCode,
  sellerSigner,
  signInvoice,
  signXml,
  startTestSim,
  wrap,
} from './helpers.js';
import { startSimulator } from '../../src/authority-sim/simulator.js';
import { testCa } from '../helpers/certs.js';

type R204 = Extract<Reply, { type: 204 }>;
const OTHER_SELLER = '0100109106';

const ts = await startTestSim(t);
t.equal((await ts.post('/_sim/sellers', { taxCode: SELLER_TAX_CODE, mttCode: SELLER_CODE, name: 'Phở Việt' })).status, 201, 'seller seeded');

/** The business answer of a message, asserted to be a 204 after its 999. */
async function answer204(id: string, tt: Test = t): Promise<R204> {
  const replies = await ts.replies(id);
  tt.equal(replies[0]?.type, 999, 'the 999 comes first');
  const r = replies.find((x) => x.type === 204);
  if (!r) throw new Error(`no 204 for ${id}: ${JSON.stringify(replies)}`);
  return r as R204;
}

t.test('a good 206: 999 received, then 204 LTBao 2, invoices recorded', async (t) => {
  const invoices = [1, 2, 3].map((n) => signInvoice(invoiceModel(n)));
  const m = message206(invoices);
  const ack = await ts.send(m);
  t.equal(ack.received, true);
  t.equal(ack.replyTo, m.id, 'the 999 names the request');
  const r = await answer204(m.id, t);
  t.equal(r.result, 2);
  t.equal(r.replyTo, m.id);
  t.same(r.rejected, []);
  const list = await ts.get<{ invoices: Array<{ mttCode: string; number: number; messageId: string }> }>(`/_sim/invoices?taxCode=${SELLER_TAX_CODE}`);
  t.same(
    list.body.invoices.map((i) => i.mttCode),
    [1, 2, 3].map((n) => mttCode(SELLER_CODE, n)),
  );
  t.ok(list.body.invoices.every((i) => i.messageId === m.id));

  // The 204 is signed by the simulator, verifiable against its published certificate.
  const replies = await ts.client.lookup(m.id);
  if (replies.kind !== 'found') throw new Error('lookup failed');
  const xml204 = replies.replies.find((x) => readReply(x).type === 204) as string;
  const dataId = /<DLTBao Id="([^"]+)"/.exec(xml204)?.[1] as string;
  const certPem = (await fetch(ts.sim.url + '/_sim/certificate').then((r) => r.text())).trim();
  t.equal(certPem, ts.sim.certificatePem.trim(), 'certificate served as PEM');
  const trusted = [Buffer.from(new X509Certificate(certPem).raw)];
  const v = verifyEnveloped(xml204, { referenceId: dataId, signatureLocator: { containerTag: 'CQT' }, trustedCertsDer: trusted });
  t.ok(v.ok, `204 signature verifies: ${v.ok ? '' : v.reason}`);
  if (v.ok) t.match(v.certificate.subject, /CN=Tổng cục Thuế \(simulator\)/);
  t.match(xml204, /<Signature xmlns="http:\/\/www.w3.org\/2000\/09\/xmldsig#" Id="Tct-[0-9A-F]+">/);
  const forged = xml204.replace('<LTBao>2</LTBao>', '<LTBao>7</LTBao>');
  t.notOk(verifyEnveloped(forged, { referenceId: dataId, trustedCertsDer: trusted }).ok, 'a changed 204 does not verify');

  await t.test('resending the same bytes: the same replies, nothing new', async (t) => {
    const before = await ts.get<{ invoicesAccepted: number; resends: number; duplicates: number }>('/_sim/stats');
    const again = await ts.client.send(m.id, m.xml);
    t.equal(again.kind, 'answered');
    if (again.kind === 'answered') t.equal(again.xml, (replies.replies[0] as string), 'the very 999 issued the first time');
    const after = await ts.get<{ invoicesAccepted: number; resends: number; duplicates: number }>('/_sim/stats');
    t.equal(after.body.invoicesAccepted, before.body.invoicesAccepted, 'no invoice accepted twice');
    t.equal(after.body.duplicates, before.body.duplicates, 'no duplicate counted');
    t.equal(after.body.resends, before.body.resends + 1);
    const lookedUp = await ts.client.lookup(m.id);
    t.same(lookedUp, replies, 'the lookup list is unchanged');
  });

  await t.test('the same MTDiep with other content: 999 TTTNhan=1', async (t) => {
    const other = message206([signInvoice(invoiceModel(4))], { messageId: m.id });
    const ack = await ts.send(other);
    t.equal(ack.received, false);
    t.equal(ack.replyTo, m.id);
    t.match(ack.reasons[0]?.message, /Mã thông điệp đã tồn tại/);
    const list = await ts.get<{ invoices: unknown[] }>(`/_sim/invoices?taxCode=${SELLER_TAX_CODE}`);
    t.equal(list.body.invoices.length, 3, 'invoice 4 was not taken in');
    t.same(await ts.client.lookup(m.id), replies, 'the original replies stand');
  });

  await t.test('a later message with an accepted MCCQT: that invoice rejected as a duplicate', async (t) => {
    const dup = invoiceModel(2); // same number and MCCQT as before, other Id
    const fresh = invoiceModel(5);
    const m2 = message206([signInvoice(fresh), signInvoice(dup)]);
    t.equal((await ts.send(m2)).received, true);
    const r = await answer204(m2.id, t);
    t.equal(r.result, 7);
    t.same(r.rejected.map((x) => x.key), ['1;C26MAA;2']);
    t.match(r.rejected[0]?.reason.message, /trùng/);
    t.match(r.rejected[0]?.reason.message, mttCode(SELLER_CODE, 2));
    const stats = await ts.get<{ duplicates: number }>('/_sim/stats');
    t.equal(stats.body.duplicates, 1, 'counted once');
    const codes = (await ts.get<{ invoices: Array<{ mttCode: string }> }>('/_sim/invoices')).body.invoices.map((i) => i.mttCode);
    t.equal(codes.filter((c) => c === mttCode(SELLER_CODE, 2)).length, 1, 'still accepted exactly once');
    t.ok(codes.includes(mttCode(SELLER_CODE, 5)), 'the other invoice of the package accepted');
  });

  await t.test('the same invoice twice in one message, or a used number under a new code: duplicates', async (t) => {
    const twice = invoiceModel(6);
    const reusedNumber = invoiceModel(1, { mttCode: mttCode(SELLER_CODE, 901) });
    const m3 = message206([signInvoice(twice), signInvoice({ ...twice, id: `${twice.id}b` }), signInvoice(reusedNumber)]);
    t.equal((await ts.send(m3)).received, true);
    const r = await answer204(m3.id, t);
    t.equal(r.result, 7);
    t.same(r.rejected.map((x) => x.key), ['1;C26MAA;6', '1;C26MAA;1'], 'the second copy and the reused number');
    t.ok(r.rejected.every((x) => x.reason.code === '30005'));
    const stats = await ts.get<{ duplicates: number }>('/_sim/stats');
    t.equal(stats.body.duplicates, 3);
    const codes = (await ts.get<{ invoices: Array<{ mttCode: string }> }>('/_sim/invoices')).body.invoices.map((i) => i.mttCode);
    t.equal(codes.filter((c) => c === twice.mttCode).length, 1, 'the first copy accepted');
    t.notOk(codes.includes(mttCode(SELLER_CODE, 901)));
  });
});

t.test('a tampered invoice: rejected alone (7), or the package (9) when it is the only one', async (t) => {
  const good = signInvoice(invoiceModel(10));
  const tampered = signInvoice(invoiceModel(11)).replace('Phở bò tái', 'Phở bò chín');
  const m = message206([good, tampered]);
  t.equal((await ts.send(m)).received, true, 'the message signature covers the tampered bytes: taken in');
  const r = await answer204(m.id, t);
  t.equal(r.result, 7);
  t.same(r.rejected.map((x) => x.key), ['1;C26MAA;11']);
  t.match(r.rejected[0]?.reason.message, /Chữ ký số/);
  t.equal(r.rejected[0]?.reason.code, '30003');

  const alone = message206([signInvoice(invoiceModel(12)).replace('Bia Hà Nội', 'Bia Sài Gòn')]);
  t.equal((await ts.send(alone)).received, true);
  const r9 = await answer204(alone.id, t);
  t.equal(r9.result, 9);
  t.ok(r9.reasons.length > 0, 'KHLKhac gives a reason');
  t.same(r9.rejected.map((x) => x.key), ['1;C26MAA;12'], 'and names the invoice');
  const codes = (await ts.get<{ invoices: Array<{ number: number }> }>('/_sim/invoices')).body.invoices.map((i) => i.number);
  t.ok(codes.includes(10) && !codes.includes(11) && !codes.includes(12));
});

t.test('MCCQT with another seller code, or inconsistent totals: rejected', async (t) => {
  const wrongCode = signInvoice(invoiceModel(20, { mttCode: mttCode('ZZZZZ', 20) }));
  const base = invoiceModel(21);
  const badTotals = signInvoice({ ...base, totals: { ...base.totals, total: base.totals.total + 1 } });
  const ok = signInvoice(invoiceModel(22));
  const m = message206([wrongCode, badTotals, ok]);
  t.equal((await ts.send(m)).received, true);
  const r = await answer204(m.id, t);
  t.equal(r.result, 7);
  const byKey = new Map(r.rejected.map((x) => [x.key, x.reason]));
  t.same([...byKey.keys()].sort(), ['1;C26MAA;20', '1;C26MAA;21']);
  t.match(byKey.get('1;C26MAA;20')?.message, /ZZZZZ/);
  t.equal(byKey.get('1;C26MAA;20')?.code, '30004');
  t.match(byKey.get('1;C26MAA;21')?.message, /TgTTTBSo/);
});

t.test('an invoice the XSD refuses: rejected with the schema reason', async (t) => {
  // A version the XSD refuses, written before signing so that the signature itself is good.
  const base = invoiceModel(30);
  const bad = signXml(buildInvoiceXml(base).replace('<PBan>2.1.0</PBan>', '<PBan>2.1</PBan>'), base.id);
  const m = message206([bad, signInvoice(invoiceModel(31))]);
  t.equal((await ts.send(m)).received, true);
  const r = await answer204(m.id, t);
  t.equal(r.result, 7);
  t.same(r.rejected.map((x) => x.key), ['1;C26MAA;30']);
  t.match(r.rejected[0]?.reason.message, /XSD/);
  t.equal(r.rejected[0]?.reason.code, '30002');
  t.notMatch(r.rejected[0]?.reason.message, /Chữ ký/, 'its signature is fine');
});

t.test('envelope problems: 999 TTTNhan=1, nothing taken in', async (t) => {
  const before = (await ts.get<{ invoices: unknown[] }>('/_sim/invoices')).body.invoices.length;

  const wrongCount = message206([signInvoice(invoiceModel(40)), signInvoice(invoiceModel(41))], { count: 3 });
  const a1 = await ts.send(wrongCount);
  t.equal(a1.received, false, 'wrong SLuong');
  t.match(a1.reasons[0]?.message, /SLuong/);

  const signed = message206([signInvoice(invoiceModel(42))]);
  const badSig = { id: signed.id, xml: signed.xml.replace(/<SignatureValue>[A-Za-z0-9+/]{8}/g, (s) => s.slice(0, -8) + 'AAAAAAAA') };
  const a2 = await ts.send(badSig);
  t.equal(a2.received, false, 'bad message signature');
  t.match(a2.reasons[0]?.message, /Chữ ký số của thông điệp/);

  const otherSigner = message206([signInvoice(invoiceModel(43))], { signer: sellerSigner(OTHER_SELLER) });
  t.equal((await ts.send(otherSigner)).received, false, "signed with another seller's certificate");

  const mixed = message206([signInvoice(invoiceModel(44)), signInvoice(invoiceModel(45, { taxCode: OTHER_SELLER }))]);
  const a3 = await ts.send(mixed);
  t.equal(a3.received, false, 'two sellers in one message');
  t.match(a3.reasons[0]?.message, /nhiều người bán/);

  const symbols = message206([signInvoice(invoiceModel(46)), signInvoice(invoiceModel(47, { symbol: 'C26MAB' }))]);
  t.equal((await ts.send(symbols)).received, false, 'two symbols in one message');

  const unknownType = { id: buildMessageId(SENDER), xml: '' };
  unknownType.xml = buildEnvelope(header(207, { messageId: unknownType.id, taxCode: SELLER_TAX_CODE }), '<TBao></TBao>');
  const a4 = await ts.send(unknownType);
  t.equal(a4.received, false, 'unknown MLTDiep');
  t.match(a4.reasons[0]?.message, /207/);
  const again = await ts.send(unknownType);
  t.same(again, a4, 'a refused message resent gets the same refusal');

  const garbageId = buildMessageId(SENDER);
  const garbage = await ts.client.send(garbageId, '<TDiep><TTChung><MTDiep>nope');
  t.equal(garbage.kind, 'answered');
  if (garbage.kind === 'answered') {
    t.match(readReply(garbage.xml), { type: 999, received: false, replyTo: garbageId }, 'not XML at all: named by the x-message-id header');
  }
  t.same(await ts.client.lookup(garbageId), { kind: 'unknown' }, 'and not stored');

  const notWellFormed = message206([signInvoice(invoiceModel(48))]);
  const broken = { id: notWellFormed.id, xml: notWellFormed.xml.replace('</NDHDon>', '</NDHDOn>') };
  t.equal((await ts.send(broken)).received, false, 'not well-formed (xmllint)');

  t.equal((await ts.get<{ invoices: unknown[] }>('/_sim/invoices')).body.invoices.length, before, 'nothing accepted');
  t.same(await ts.replies(wrongCount.id).then((r) => r.map((x) => x.type)), [999], 'a refused message has its 999 only');
});

t.test('a seller the authority does not know: 204 LTBao 9', async (t) => {
  const stranger = '0311357436';
  const m = message206([signInvoice(invoiceModel(1, { taxCode: stranger }))], { taxCode: stranger });
  t.equal((await ts.send(m)).received, true);
  const r = await answer204(m.id, t);
  t.equal(r.result, 9);
  t.match(r.reasons[0]?.message, /chưa đăng ký/);
  t.same((await ts.get<{ invoices: unknown[] }>(`/_sim/invoices?taxCode=${stranger}`)).body.invoices, []);
});

t.test('unknown ids and the lookup protocol', async (t) => {
  t.same(await ts.client.lookup(buildMessageId(SENDER)), { kind: 'unknown' });
  const stats = await ts.get<{ messages: Record<string, number> }>('/_sim/stats');
  t.ok((stats.body.messages['206'] ?? 0) >= 5, 'messages counted by type');
  t.equal((await ts.get(`/_sim/sellers/${SELLER_TAX_CODE}`)).status, 200);
  t.equal((await ts.get('/_sim/sellers/0100109106')).status, 404);
  t.equal((await ts.post('/_sim/sellers', { taxCode: SELLER_TAX_CODE, mttCode: 'QQQQQ' })).status, 409, 'already registered');
  t.equal((await ts.post('/_sim/sellers', { taxCode: '0101243151', mttCode: 'QQQQQ' })).status, 400, 'bad tax code');
});

t.test('options: trusted CAs for seller certificates; XSD checks switched off', async (t) => {
  const strict = wrap(ts.db, await startSimulator({ db: ts.db.database.db, replyDelayMs: 0, trustedCaPem: [testCa().certPem], validateXsd: false }));
  t.teardown(() => strict.sim.close());
  const base = invoiceModel(50);
  const oddVersion = signXml(buildInvoiceXml(base).replace('<PBan>2.1.0</PBan>', '<PBan>2.1</PBan>'), base.id);
  const m = message206([oddVersion]);
  t.equal((await strict.send(m)).received, true, 'the test CA is trusted');
  const r = (await strict.replies(m.id)).find((x) => x.type === 204) as R204;
  t.equal(r.result, 2, 'without xmllint the schema is not checked');

  const other = wrap(ts.db, await startSimulator({ db: ts.db.database.db, replyDelayMs: 0, trustedCaPem: [ts.sim.certificatePem] }));
  t.teardown(() => other.sim.close());
  const refused = await other.send(message206([signInvoice(invoiceModel(51))]));
  t.equal(refused.received, false, 'a seller certificate outside the trusted CAs');
  t.match(refused.reasons[0]?.message, /trusted CA/);
});
