// Registration (100 → 102, 103) and notices of erroneous invoices (303 → 301) through the
// simulator over real HTTP (authority-messages.md §2, §3, §7, §8.2, §8.4).
import t from 'tap';
import { X509Certificate } from 'node:crypto';
import type { ErrorNoticeModel } from '../../src/invoice/notice.js';
import { verifyEnveloped } from '../../src/signing/xmldsig.js';
import { readReply, type Reply } from '../../src/transmission/replies.js';
import {
  SELLER_TAX_CODE,
  invoiceModel,
  message100,
  message206,
  message303,
  mttCode,
  registrationModel,
  sellerSigner,
  signInvoice,
  startTestSim,
} from './helpers.js';

type R103 = Extract<Reply, { type: 103 }>;
type R102 = Extract<Reply, { type: 102 }>;

const ts = await startTestSim(t);
const trusted = [Buffer.from(new X509Certificate(ts.sim.certificatePem).raw)];

async function answers(id: string): Promise<{ r102: R102; r103?: R103; xml: string[] }> {
  const found = await ts.client.lookup(id);
  if (found.kind !== 'found') throw new Error(`lookup ${id}: ${found.kind}`);
  const replies = found.replies.map(readReply);
  const r102 = replies.find((r) => r.type === 102) as R102 | undefined;
  if (!r102) throw new Error('no 102');
  const r103 = replies.find((r) => r.type === 103) as R103 | undefined;
  return { r102, ...(r103 ? { r103 } : {}), xml: found.replies };
}

let code = '';

t.test('a registration: 102 received, 103 accepted with a new 5-char code; then a 206 with it is accepted', async (t) => {
  const m = message100(registrationModel());
  const ack = await ts.send(m);
  t.equal(ack.received, true);
  const { r102, r103, xml } = await answers(m.id);
  t.equal(r102.received, true);
  t.equal(r102.replyTo, m.id);
  t.ok(r103, 'a 103 follows');
  t.equal(r103?.accepted, true, JSON.stringify(r103?.reasons));
  t.match(r103?.mttCode, /^[A-Z0-9]{5}$/);
  code = r103?.mttCode ?? '';
  t.same(xml.map((x) => readReply(x).type), [999, 102, 103], 'in order');

  // 102 and 103 carry the simulator's signature over DLTBao (the 103 also over STBao).
  for (const x of xml.slice(1)) {
    const dataId = /<DLTBao Id="([^"]+)"/.exec(x)?.[1] as string;
    const v = verifyEnveloped(x, { referenceId: dataId, signatureLocator: { containerTag: 'CQT' }, trustedCertsDer: trusted });
    t.ok(v.ok, `reply ${readReply(x).type} verifies: ${v.ok ? '' : v.reason}`);
  }
  const stampId = /<STBao Id="([^"]+)"/.exec(xml[2] as string)?.[1] as string;
  t.ok(verifyEnveloped(xml[2] as string, { referenceId: stampId, signatureLocator: { containerTag: 'TTCQT' }, trustedCertsDer: trusted }).ok, 'STBao signed');

  const seller = await ts.get<{ mttCode: string; certificateFingerprint: string; certificates: Array<{ serial: string }> }>(`/_sim/sellers/${SELLER_TAX_CODE}`);
  t.equal(seller.body.mttCode, code, 'remembered as the seller code');
  t.equal(seller.body.certificateFingerprint, sellerSigner().info.fingerprintSha256);
  t.same(seller.body.certificates.map((c) => c.serial), [sellerSigner().info.serial]);

  const inv = message206([signInvoice(invoiceModel(1, { sellerCode: code }))]);
  t.equal((await ts.send(inv)).received, true);
  const r204 = (await ts.replies(inv.id)).find((r) => r.type === 204) as Extract<Reply, { type: 204 }>;
  t.equal(r204.result, 2, 'the new code is accepted in MCCQT');
});

t.test('a second new registration for the same tax code: 103 refused with 9992', async (t) => {
  const m = message100(registrationModel());
  t.equal((await ts.send(m)).received, true);
  const { r102, r103 } = await answers(m.id);
  t.equal(r102.received, true);
  t.equal(r103?.accepted, false);
  t.same(r103?.reasons.map((r) => r.code), ['9992']);
  t.equal(r103?.mttCode, undefined);
});

t.test('a change (HThuc 2, certificate renewal): 102 THop 3, 103 accepted keeping the code', async (t) => {
  const signer = sellerSigner();
  const m = message100(
    registrationModel({
      kind: 2,
      certificates: [
        { index: 1, issuer: 'Test CA hoadon-mtt', serial: signer.info.serial, validFrom: signer.info.notBefore, validTo: signer.info.notAfter, action: 3 },
        { index: 2, issuer: 'Test CA hoadon-mtt', serial: 'ABCDEF0123', validFrom: '2026-11-01T00:00:00', validTo: '2027-11-01T00:00:00', action: 1 },
      ],
    }),
  );
  t.equal((await ts.send(m)).received, true);
  const { r102, r103, xml } = await answers(m.id);
  t.equal(r102.received, true);
  t.match(xml[1], /<THop>3<\/THop>/);
  t.equal(r103?.accepted, true);
  t.equal(r103?.mttCode, code, 'same code');
  t.match(xml[2], /<HTDKy>2<\/HTDKy>/);
  const seller = await ts.get<{ certificates: Array<{ serial: string }> }>(`/_sim/sellers/${SELLER_TAX_CODE}`);
  t.same(seller.body.certificates.map((c) => c.serial), ['ABCDEF0123'], 'the stopped certificate is gone, the new one is in');
});

t.test('refusals: CDDu=0 (2004), no cash register option, bad representative', async (t) => {
  const taxCode = '0100109106';
  const base = registrationModel({ taxCode });
  const m = message100({ ...base, dataMethod: { fullData: false, summary: true } });
  t.equal((await ts.send(m)).received, true);
  const { r102, r103 } = await answers(m.id);
  t.equal(r102.received, true);
  t.equal(r103?.accepted, false);
  t.same(r103?.reasons.map((r) => r.code), ['2004']);
  t.equal((await ts.get(`/_sim/sellers/${taxCode}`)).status, 404, 'not registered');

  const m2 = message100({
    ...registrationModel({ taxCode }),
    invoiceKinds: { withCode: true, cashRegisterWithCode: false, cashRegisterWithoutCode: false, withoutCode: false },
    legalRepresentative: { ...base.legalRepresentative, birthDate: '1990-01-01', sex: 'female' },
  });
  await ts.send(m2);
  const second = await answers(m2.id);
  t.equal(second.r103?.accepted, false);
  t.same(second.r103?.reasons.map((r) => r.code), ['2006', '2007']);
  t.match(second.r103?.reasons[1]?.message, /1985/, 'the birth year the personal ID gives');

  const m3 = message100(registrationModel({ taxCode }));
  await ts.send(m3);
  t.equal((await answers(m3.id)).r103?.accepted, true, 'a correct one afterwards is accepted');
});

t.test('not received: bad signature, bad tax code → 102 THop 2 and no 103', async (t) => {
  const good = message100(registrationModel({ taxCode: '0102182292' }));
  const tampered = { id: good.id, xml: good.xml.replace('Nguyễn Văn An', 'Nguyễn Văn Ân') };
  t.equal((await ts.send(tampered)).received, true, 'taken in: the answer is the 102');
  const a = await answers(tampered.id);
  t.equal(a.r102.received, false);
  t.equal(a.r102.reasons[0]?.code, '1001');
  t.equal(a.r103, undefined);
  t.match(a.xml[1], /<THop>2<\/THop>/);

  const badTax = message100(registrationModel({ taxCode: '0102182292', business: { name: 'X', taxCode: '0102182293' } }), { signer: sellerSigner('0102182292') });
  await ts.send(badTax);
  const b = await answers(badTax.id);
  t.equal(b.r102.received, false);
  t.ok(b.r102.reasons.some((r) => r.code === '1002'));
});

t.test('303 → 301: known invoices received, unknown ones not', async (t) => {
  const accepted = invoiceModel(1, { sellerCode: code });
  const notice = (invoices: ErrorNoticeModel['invoices']): ErrorNoticeModel => ({
    id: `_tb${Date.now()}${invoices.length}`,
    version: '2.1.0',
    kind: 1,
    taxOffice: { code: '10100', name: 'Thuế cơ sở 1 thành phố Hà Nội' },
    seller: { name: 'Công ty TNHH Nhà hàng Phở Việt', taxCode: SELLER_TAX_CODE },
    place: 'Hà Nội',
    date: '2026-11-27',
    invoices,
  });
  const m = message303(
    notice([
      { index: 1, mttCode: accepted.mttCode, form: 1, symbol: 'C26MAA', number: 1, date: '2026-11-27', action: 4, reason: 'Sai tên người mua' },
      { index: 2, mttCode: mttCode(code, 999), form: 1, symbol: 'C26MAA', number: 999, date: '2026-11-27', action: 4, reason: 'Sai địa chỉ' },
    ]),
  );
  t.equal((await ts.send(m)).received, true);
  const replies = await ts.replies(m.id);
  const r301 = replies.find((r) => r.type === 301) as Extract<Reply, { type: 301 }>;
  t.same(
    r301.items.map((i) => [i.key, i.received]),
    [
      ['1;C26MAA;1', true],
      ['1;C26MAA;999', false],
    ],
  );
  t.equal(r301.items[1]?.reasons[0]?.code, '4003');

  const forged = message303(notice([{ index: 1, mttCode: accepted.mttCode, form: 1, symbol: 'C26MAA', number: 1, date: '2026-11-27', action: 4, reason: 'x' }]));
  const bad = { id: forged.id, xml: forged.xml.replace('<LDo>x</LDo>', '<LDo>y</LDo>') };
  await ts.send(bad);
  const r = (await ts.replies(bad.id)).find((x) => x.type === 301) as Extract<Reply, { type: 301 }>;
  t.equal(r.items[0]?.received, false, 'a notice with a bad signature receives nothing');
  t.equal(r.reasons[0]?.code, '4001');
});
