// The reply builders (src/invoice/replies-build.ts) read back by the gateway's readReply, and the
// request payload builders (registration.ts, notice.ts) in canonical, signable form.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { buildMessageId } from '../../src/domain/codes.js';
import { buildEnvelope } from '../../src/invoice/message.js';
import { buildErrorNoticePayload, type ErrorNoticeModel } from '../../src/invoice/notice.js';
import { parseMessage } from '../../src/invoice/parse.js';
import { buildRegistrationPayload } from '../../src/invoice/registration.js';
import {
  AUTHORITY_SIGNATURE_PLACEHOLDER,
  buildAck999,
  buildCheckResult204,
  buildNoticeResult301,
  buildReceipt102,
  buildResult103,
  type ReplyEnvelope,
} from '../../src/invoice/replies-build.js';
import { nonCanonicalReason } from '../../src/signing/canonical-text.js';
import { signEnveloped, verifyEnveloped } from '../../src/signing/xmldsig.js';
import { readReply } from '../../src/transmission/replies.js';
import { SENDER, header, message100, registrationModel, sellerSigner } from './helpers.js';

const REQUEST = buildMessageId(SENDER);
const at = new Date('2026-11-27T05:30:00Z');
const env = (taxCode?: string): ReplyEnvelope => ({
  version: '2.1.0',
  messageId: buildMessageId('TCT'),
  replyTo: REQUEST,
  receiver: SENDER,
  ...(taxCode ? { taxCode } : {}),
});

/** The DLTBao of a reply is canonical text, so the authority can sign it as it is. */
function signable(t: Test, xml: string, dataId: string): void {
  const start = xml.indexOf(`<DLTBao Id="${dataId}">`);
  const end = xml.indexOf('</DLTBao>', start) + '</DLTBao>'.length;
  t.equal(nonCanonicalReason(xml.slice(start, end)), null, 'DLTBao is canonical');
  t.equal(xml.split(AUTHORITY_SIGNATURE_PLACEHOLDER).length, 2, 'one CQT placeholder');
}

t.test('999', async (t) => {
  const ok = readReply(buildAck999(env(), { requestSender: SENDER, receivedAt: at, received: true, reasons: [] }));
  t.same(ok, { type: 999, replyTo: REQUEST, received: true, reasons: [] });
  const xml = buildAck999(env('0101243150'), {
    requestSender: SENDER,
    receivedAt: at,
    received: false,
    reasons: [{ code: '10003', message: 'Mã thông điệp đã tồn tại' }],
  });
  t.same(readReply(xml), { type: 999, replyTo: REQUEST, received: false, reasons: [{ code: '10003', message: 'Mã thông điệp đã tồn tại' }] });
  const parsed = parseMessage(xml);
  t.equal(parsed.header.taxCode, undefined, 'a 999 has no MST');
  t.equal(parsed.header.count, undefined, 'nor SLuong');
  t.match(xml, /<NNhan>2026-11-27T12:30:00<\/NNhan>/, 'time of receipt in Vietnam time');
});

t.test('102 and 103', async (t) => {
  const base102 = {
    dataId: '_r102',
    noticeNumber: '1',
    place: 'Hà Nội',
    date: at,
    taxCode: '0101243150',
    sellerName: 'Phở <Việt> & Co',
    declarationName: 'Tờ khai',
    requestId: REQUEST,
    sentAt: at,
    receivedAt: at,
    reasons: [],
  };
  for (const [status, received] of [[1, true], [2, false], [3, true], [4, false]] as const) {
    const r = buildReceipt102(env('0101243150'), { ...base102, status });
    t.same(readReply(r.xml), { type: 102, replyTo: REQUEST, received, reasons: [] }, `THop ${status}`);
    signable(t, r.xml, r.dataId);
  }
  const base103 = {
    dataId: '_r103',
    stampId: '_s103',
    place: 'Hà Nội',
    superiorOffice: 'Tổng cục Thuế',
    office: 'Cục Thuế',
    taxCode: '0101243150',
    sellerName: 'Phở Việt',
    date: at,
    registrationKind: 1 as const,
    signerMethod: 'KT. CỤC TRƯỞNG',
    signerTitle: 'PHÓ CỤC TRƯỞNG',
    noticeNumber: '2',
    noticeDate: at,
  };
  const yes = buildResult103(env('0101243150'), { ...base103, mttCode: 'K7Q2Z', accepted: true, reasons: [] });
  t.same(readReply(yes.xml), { type: 103, replyTo: REQUEST, accepted: true, mttCode: 'K7Q2Z', reasons: [] });
  t.match(yes.xml, /<HTDKy>1<\/HTDKy><MCCQT>K7Q2Z<\/MCCQT><TTXNCQT>1<\/TTXNCQT>/, 'MCCQT between HTDKy and TTXNCQT');
  signable(t, yes.xml, yes.dataId);
  const no = buildResult103(env('0101243150'), { ...base103, accepted: false, reasons: [{ code: '2004', message: 'CDDu' }, { code: '9992', message: 'đã có' }] });
  t.same(readReply(no.xml), { type: 103, replyTo: REQUEST, accepted: false, reasons: [{ code: '2004', message: 'CDDu' }, { code: '9992', message: 'đã có' }] });
});

t.test('204 with LTBao 2, 7 and 9', async (t) => {
  const base = {
    dataId: '_r204',
    noticeNumber: '3',
    place: 'Hà Nội',
    date: at,
    taxCode: '0101243150',
    sellerName: 'Phở Việt',
    sentAt: at,
    legalBasis: 'Nghị định 254/2026/NĐ-CP',
    requestId: REQUEST,
    count: 3,
  };
  t.same(readReply(buildCheckResult204(env('0101243150'), { ...base, result: 2, rejected: [], reasons: [] }).xml), {
    type: 204,
    replyTo: REQUEST,
    result: 2,
    rejected: [],
    reasons: [],
  });
  const seven = buildCheckResult204(env('0101243150'), {
    ...base,
    result: 7,
    rejected: [
      { form: 1, symbol: 'C26MAA', number: 12, code: '30003', description: 'Chữ ký số; không hợp lệ', fix: 'Ký lại' },
      { form: 1, symbol: 'C26MAA', number: 14, code: '30005', description: 'Hóa đơn trùng' },
    ],
    reasons: [],
  });
  t.same(readReply(seven.xml), {
    type: 204,
    replyTo: REQUEST,
    result: 7,
    rejected: [
      { key: '1;C26MAA;12', reason: { code: '30003', message: 'Chữ ký số; không hợp lệ', fix: 'Ký lại' } },
      { key: '1;C26MAA;14', reason: { code: '30005', message: 'Hóa đơn trùng' } },
    ],
    reasons: [],
  });
  t.match(seven.xml, /<LDo><STT>1<\/STT><MLoi>30003<\/MLoi><MTLoi>1;C26MAA;12;Chữ ký số; không hợp lệ<\/MTLoi><HDXLy>Ký lại<\/HDXLy><GChu><\/GChu><\/LDo>/);
  signable(t, seven.xml, seven.dataId);
  const nine = readReply(buildCheckResult204(env('0101243150'), { ...base, result: 9, rejected: [], reasons: [{ code: '31001', message: 'chưa đăng ký' }] }).xml);
  t.same(nine, { type: 204, replyTo: REQUEST, result: 9, rejected: [], reasons: [{ code: '31001', message: 'chưa đăng ký' }] });
});

t.test('301', async (t) => {
  const r = buildNoticeResult301(env('0101243150'), {
    dataId: '_r301',
    place: 'Hà Nội',
    superiorOffice: 'Tổng cục Thuế',
    office: 'Cục Thuế',
    sellerName: 'Phở Việt',
    taxCode: '0101243150',
    requestId: REQUEST,
    receivedAt: at,
    sequence: 1,
    signerMethod: 'KT. CỤC TRƯỞNG',
    signerTitle: 'PHÓ CỤC TRƯỞNG',
    reasons: [],
    items: [
      { index: 1, mttCode: 'M1-26-A1B2C-00000000001', form: 1, symbol: 'C26MAA', number: 1, date: '2026-11-27', kind: '1', action: '4', received: true, reasons: [] },
      { index: 2, mttCode: 'M1-26-A1B2C-00000000002', form: 1, symbol: 'C26MAA', number: 2, date: '2026-11-27', kind: '1', action: '1', received: false, reasons: [{ code: '4005', message: 'TCTBao 1' }] },
    ],
    noticeNumber: '4',
    noticeDate: at,
  });
  t.same(readReply(r.xml), {
    type: 301,
    replyTo: REQUEST,
    items: [
      { key: '1;C26MAA;1', received: true, reasons: [] },
      { key: '1;C26MAA;2', received: false, reasons: [{ code: '4005', message: 'TCTBao 1' }] },
    ],
    reasons: [],
  });
  signable(t, r.xml, r.dataId);
});

t.test('registration payload (100): canonical, signable, well-formed', async (t) => {
  const model = registrationModel();
  const payload = buildRegistrationPayload(model);
  t.equal(nonCanonicalReason(payload), null);
  t.match(payload, /^<TKhai><DLTKhai Id="_reg[0-9a-f]+"><TTChung><PBan>2\.1\.0<\/PBan><MSo>01\/ĐKTĐ-HĐĐT<\/MSo>/);
  t.match(payload, /<TNDDPLuat>Nguyễn Văn An<\/TNDDPLuat><DTDDPLuat>0912345678<\/DTDDPLuat><CCCDan>001085001234<\/CCCDan><NSDDPLuat>1985-03-14<\/NSDDPLuat><GTinh>1<\/GTinh>/);
  t.match(payload, /<HTHDon><CMa>0<\/CMa><CMTMTTien>1<\/CMTMTTien><KCMTMTTien>0<\/KCMTMTTien><KCMa>0<\/KCMa><\/HTHDon>/);
  t.match(payload, /<PThuc><CDDu>1<\/CDDu><CBTHop>0<\/CBTHop><\/PThuc>/);
  t.match(payload, /<CTS><STT>1<\/STT><TTChuc>Test CA hoadon-mtt<\/TTChuc><Seri>[0-9A-F]+<\/Seri><TNgay>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d<\/TNgay>/);
  t.ok(payload.endsWith('</DLTKhai><DSCKS><NNT></NNT></DSCKS></TKhai>'));
  const m = message100(model);
  const v = verifyEnveloped(m.xml, { referenceId: model.id, signatureLocator: { containerTag: 'NNT' } });
  t.ok(v.ok, 'the seller signature over DLTKhai verifies');
  const lint = spawnSync('xmllint', ['--noout', '-'], { input: m.xml, encoding: 'utf8' });
  t.equal(lint.status, 0, `well-formed: ${lint.stderr}`);
  t.throws(() => buildRegistrationPayload({ ...model, taxOffice: { name: 'x', code: '1010' } }), { name: 'InvoiceXmlError', field: 'taxOffice.code' });
  t.throws(() => buildRegistrationPayload({ ...model, certificates: [] }), { name: 'InvoiceXmlError', field: 'certificates' });
  t.throws(() => buildRegistrationPayload({ ...model, legalRepresentative: { ...model.legalRepresentative, personalId: '12345' } }), {
    name: 'InvoiceXmlError',
    field: 'legalRepresentative.personalId',
  });
});

t.test('error notice payload (303): canonical, signable, well-formed', async (t) => {
  const model: ErrorNoticeModel = {
    id: '_tb1',
    version: '2.1.0',
    kind: 2,
    authorityNotice: { number: '123/TB-CT', date: '2026-11-20' },
    taxOffice: { code: '10100', name: 'Thuế cơ sở 1 thành phố Hà Nội' },
    seller: { name: 'Quán "Phở" & Bún <Chả>', taxCode: '0101243150' },
    place: 'Hà Nội',
    date: '2026-11-27',
    invoices: [{ index: 1, mttCode: 'M1-26-A1B2C-00000000123', form: 1, symbol: 'C26MAA', number: 123, date: '2026-11-27', action: 4, reason: 'Sai địa chỉ người mua' }],
  };
  const payload = buildErrorNoticePayload(model);
  t.equal(nonCanonicalReason(payload), null);
  t.match(payload, /<Loai>2<\/Loai><So>123\/TB-CT<\/So><NTBCCQT>2026-11-20<\/NTBCCQT><MCQT>10100<\/MCQT>/);
  t.match(payload, /<HDon><STT>1<\/STT><MCQTCap>M1-26-A1B2C-00000000123<\/MCQTCap><KHMSHDon>1<\/KHMSHDon><KHHDon>C26MAA<\/KHHDon><SHDon>123<\/SHDon><Ngay>2026-11-27<\/Ngay><LADHDDT>1<\/LADHDDT><TCTBao>4<\/TCTBao>/);
  t.match(payload, /<TNNT>Quán "Phở" &amp; Bún &lt;Chả&gt;<\/TNNT>/, 'C14N escaping');
  const xml = signEnveloped(buildEnvelope(header(303, { taxCode: '0101243150', count: 1 }), payload), {
    signer: sellerSigner(),
    referenceId: model.id,
    placeholder: '<NNT></NNT>',
    signingTime: new Date(),
  });
  t.ok(verifyEnveloped(xml, { referenceId: model.id }).ok);
  t.throws(() => buildErrorNoticePayload({ ...model, invoices: [{ ...(model.invoices[0] as ErrorNoticeModel['invoices'][number]), action: 1 as never }] }), {
    name: 'InvoiceXmlError',
    field: 'invoices[0].action',
  });
  t.throws(() => buildErrorNoticePayload({ ...model, authorityNotice: undefined }), { name: 'InvoiceXmlError', field: 'authorityNotice' });
});
