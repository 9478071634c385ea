/**
 * The 303 (notice of erroneous invoices, form 04/SS-HĐĐT) and the correcting invoices, built with
 * the gateway's own builders and judged by independent tools: xmllint against
 * schemas/tdiep-303.xsd and hdon-2h.xsd, xmlsec1 for the signatures (trusting the test CA).
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { computeInvoice } from '../../src/domain/amounts.js';
import { buildMessageId, buildMttCode, buildSymbol } from '../../src/domain/codes.js';
import { businessDate } from '../../src/domain/dates.js';
import { buildEnvelope } from '../../src/invoice/message.js';
import type { RelatedInvoice } from '../../src/invoice/model.js';
import { buildErrorNoticePayload, ERROR_NOTICE_MESSAGE_TYPE, NOTICE_SIGNATURE_PLACEHOLDER, type ErrorNoticeModel, type NoticeAction } from '../../src/invoice/notice.js';
import { taxOfficeName } from '../../src/modules/businesses/registration.js';
import { invoiceModel, signedInvoiceXml } from '../../src/modules/sales/invoice-document.js';
import { loadPkcs12 } from '../../src/signing/pkcs12.js';
import { signEnveloped, verifyEnveloped } from '../../src/signing/xmldsig.js';
import { senderCode } from '../../src/transmission/batcher.js';
import type { LineInput } from '../../src/domain/line-input.js';
import { makeSellerPkcs12, testCa } from '../helpers/certs.js';
import { xmlsec1Verifier } from '../helpers/xmlsec.js';
import { HDON_XSD, tempDir, validate } from './xmltools.js';

const TDIEP_303_XSD = fileURLToPath(new URL('../../schemas/tdiep-303.xsd', import.meta.url));
const FORMAT_VERSION = '2.1.0';
const PROVIDER_TAX_CODE = '0100109106';
const business = {
  name: 'Công ty TNHH Nhà hàng Phở Việt',
  taxCode: '0101243150',
  address: '12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội',
  taxOfficeCode: '10100',
  mttCode: 'A1B2C',
  series: 'AA',
};
const signer = loadPkcs12(makeSellerPkcs12({ taxCode: business.taxCode, name: business.name }).pkcs12, 'secret');
const trustedCertsDer = [testCa().certDer];

const dir = tempDir('notice-schema');
t.teardown(dir.cleanup);
let fileNo = 0;
const file = (name: string, xml: string): string => dir.write(`${++fileNo}-${name}.xml`, xml);

const NOTICE_SIGNATURE = "//*[local-name()='DSCKS']/*[local-name()='NNT']/*[local-name()='Signature']";
const INVOICE_SIGNATURE = "//*[local-name()='DSCKS']/*[local-name()='NBan']/*[local-name()='Signature']";

const verify = xmlsec1Verifier(t);
/** xmlsec1 --verify of one signature, the certificate chain checked against the test CA. */
const xmlsec1 = (xml: string, idAttrNode: string, nodeXpath: string) => verify(xml, { idAttrNode, nodeXpath });

const validate303 = (name: string, xml: string) => validate(file(name, xml), TDIEP_303_XSD);

// ---------- invoices, as src/modules/sales/issue.ts and corrections build them ----------

const issuedAt = new Date();
const today = businessDate(issuedAt);
const year = Number(today.slice(0, 4));
const symbol = buildSymbol({ year, series: business.series });

interface Issued {
  number: number;
  mttCode: string;
  date: string;
  xml: string;
  id: string;
}

function issue(number: number, lines: LineInput[], o: { related?: RelatedInvoice; allowNegative?: boolean } = {}): Issued {
  const { lines: computed, totals } = computeInvoice({ form: 1, pricesIncludeVat: true, lines, ...(o.allowNegative ? { allowNegative: true } : {}) });
  const mttCode = buildMttCode({ form: 1, year, sellerCode: business.mttCode, counter: number });
  const model = invoiceModel({
    invoiceId: randomUUID(),
    formatVersion: FORMAT_VERSION,
    providerTaxCode: PROVIDER_TAX_CODE,
    seller: { name: business.name, taxCode: business.taxCode, address: business.address },
    form: 1,
    symbol,
    number,
    mttCode,
    issuedAt,
    businessDate: today,
    soldAt: issuedAt,
    pricesIncludeVat: true,
    paymentMethod: 'cash',
    lines: computed,
    totals,
    ...(o.related ? { related: o.related } : {}),
  });
  return { number, mttCode, date: today, xml: signedInvoiceXml(model, signer, issuedAt), id: model.id };
}

const sale: LineInput[] = [
  { name: 'Phở bò tái', unit: 'bát', quantity: 2, unitPrice: 65_000, vatRate: '8%' },
  { name: 'Trà đá', unit: 'cốc', quantity: 2, unitPrice: 5_000, vatRate: '8%' },
];
const relatedTo = (orig: Issued, kind: 1 | 2, note: string): RelatedInvoice => ({ kind, form: 1, symbol, number: orig.number, date: orig.date, note });

const replaced = issue(1, sale);
const adjusted = issue(2, sale);
const explained = issue(3, sale);
const replacement = issue(4, [{ name: 'Phở bò chín', unit: 'bát', quantity: 2, unitPrice: 60_000, vatRate: '8%' }, sale[1] as LineInput], {
  related: relatedTo(replaced, 1, 'Sai món: phở bò chín, không phải phở bò tái'),
});
const adjustment = issue(5, [{ name: 'Phở bò tái', unit: 'bát', quantity: -1, unitPrice: 65_000, vatRate: '8%' }], {
  related: relatedTo(adjusted, 2, 'Khách trả lại 1 bát phở'),
  allowNegative: true,
});

// ---------- the 303, as storeNoticeMessage (src/modules/corrections/notices.ts) builds it ----------

interface NoticeRow {
  invoice: Issued;
  action: NoticeAction;
  reason: string;
}

function noticeMessage(rows: NoticeRow[], o: { kind?: 1 | 2; authorityNotice?: { number: string; date: string }; edit?: (unsigned: string) => string } = {}) {
  const sender = senderCode(PROVIDER_TAX_CODE);
  const messageId = buildMessageId(sender);
  const dataId = `_${randomUUID().replace(/-/g, '')}`;
  const model: ErrorNoticeModel = {
    id: dataId,
    version: FORMAT_VERSION,
    kind: o.kind ?? 1,
    taxOffice: { code: business.taxOfficeCode, name: taxOfficeName(business.taxOfficeCode) },
    seller: { name: business.name, taxCode: business.taxCode },
    place: business.address,
    date: businessDate(issuedAt),
    invoices: rows.map((r, i) => ({
      index: i + 1,
      mttCode: r.invoice.mttCode,
      form: 1,
      symbol,
      number: r.invoice.number,
      date: r.invoice.date,
      action: r.action,
      reason: r.reason,
    })),
  };
  if (o.authorityNotice) model.authorityNotice = o.authorityNotice;
  let unsigned = buildEnvelope(
    { version: FORMAT_VERSION, sender, receiver: 'TCT', type: ERROR_NOTICE_MESSAGE_TYPE, messageId, taxCode: business.taxCode, count: rows.length },
    buildErrorNoticePayload(model),
  );
  if (o.edit) unsigned = o.edit(unsigned);
  const xml = signEnveloped(unsigned, { signer, referenceId: dataId, placeholder: NOTICE_SIGNATURE_PLACEHOLDER, signingTime: issuedAt });
  return { unsigned, xml, dataId };
}

const rows: NoticeRow[] = [
  { invoice: replaced, action: 3, reason: 'Sai món trên hóa đơn, đã lập hóa đơn thay thế' },
  { invoice: adjusted, action: 2, reason: 'Khách trả lại 1 bát phở, đã lập hóa đơn điều chỉnh giảm' },
  { invoice: explained, action: 4, reason: 'Sai tên người mua: Nguyễn Văn An' },
];
const notice = noticeMessage(rows);

t.test('the 303 the gateway builds follows tdiep-303.xsd, before and after signing', async (t) => {
  t.match(notice.xml, /<NNT><Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#"/, 'the signature sits in DSCKS/NNT');
  for (const [name, xml] of [['unsigned', notice.unsigned], ['signed', notice.xml]] as const) {
    const r = validate303(name, xml);
    t.ok(r.ok, `${name} validates`, { stderr: r.stderr });
  }
  const answering = noticeMessage(rows.slice(2), { kind: 2, authorityNotice: { number: '15/TB-CCT', date: today } });
  t.match(answering.xml, /<Loai>2<\/Loai><So>15\/TB-CCT<\/So><NTBCCQT>/);
  const r = validate303('answering', answering.xml);
  t.ok(r.ok, 'Loai 2 with So and NTBCCQT validates', { stderr: r.stderr });
});

t.test('xmlsec1 accepts the 303 signature; one changed byte in a signed value makes it fail', async (t) => {
  const judge = xmlsec1(notice.xml, 'DLTBao', NOTICE_SIGNATURE);
  t.ok(judge.ok, 'xmlsec1 accepts', { output: judge.output });
  t.ok(verifyEnveloped(notice.xml, { referenceId: notice.dataId, trustedCertsDer }).ok, 'and so does verifyEnveloped');

  const edits: Array<[string, string, string]> = [
    ['LDo', 'Nguyễn Văn An</LDo>', 'Nguyễn Văn Am</LDo>'],
    ['SHDon', `<SHDon>${explained.number}</SHDon>`, `<SHDon>${explained.number + 5}</SHDon>`],
    ['MST', `<MST>${business.taxCode}</MST><DDanh>`, `<MST>${business.taxCode.slice(0, -1)}9</MST><DDanh>`],
  ];
  for (const [what, from, to] of edits) {
    t.equal(Buffer.byteLength(from), Buffer.byteLength(to), `${what}: same length`);
    const tampered = notice.xml.replace(from, to);
    t.not(tampered, notice.xml, `${what}: the edit applies`);
    const before = Buffer.from(notice.xml);
    t.equal([...Buffer.from(tampered)].filter((b, i) => b !== before[i]).length, 1, `${what}: exactly one byte differs`);
    t.ok(validate303(`tampered-${what}`, tampered).ok, `${what}: still schema-valid, so only the signature can tell`);
    t.notOk(xmlsec1(tampered, 'DLTBao', NOTICE_SIGNATURE).ok, `${what}: xmlsec1 refuses`);
  }
});

t.test('the schema rejects what the builder would never write', async (t) => {
  const cases: Array<[string, (xml: string) => string, RegExp]> = [
    ['TCTBao 1 (cancel)', (x) => x.replace('<TCTBao>4</TCTBao>', '<TCTBao>1</TCTBao>'), /TCTBao/],
    ['TCTBao 5', (x) => x.replace('<TCTBao>4</TCTBao>', '<TCTBao>5</TCTBao>'), /TCTBao/],
    ['missing LDo', (x) => x.replace(/<LDo>Sai tên[^<]*<\/LDo>/, ''), /LDo/],
    ['empty LDo', (x) => x.replace(/<LDo>Sai tên[^<]*<\/LDo>/, '<LDo></LDo>'), /LDo/],
    ['LDo of 256 characters', (x) => x.replace(/<LDo>Sai tên[^<]*<\/LDo>/, `<LDo>${'ắ'.repeat(256)}</LDo>`), /LDo/],
    ['Loai 3', (x) => x.replace('<Loai>1</Loai>', '<Loai>3</Loai>'), /Loai/],
    ['MCQT of 4 characters', (x) => x.replace(`<MCQT>${business.taxOfficeCode}</MCQT>`, '<MCQT>1010</MCQT>'), /MCQT/],
    ['MCQTCap not a 23-char code', (x) => x.replace(`<MCQTCap>${explained.mttCode}</MCQTCap>`, `<MCQTCap>${explained.mttCode.slice(0, -1)}</MCQTCap>`), /MCQTCap/],
    ['Ngay not YYYY-MM-DD', (x) => x.replace(`<Ngay>${explained.date}</Ngay>`, `<Ngay>${explained.date.replace(/-/g, '/')}</Ngay>`), /Ngay/],
    ['no invoice', (x) => x.replace(/<DSHDon>.*<\/DSHDon>/, '<DSHDon></DSHDon>'), /DSHDon/],
    ['MLTDiep 206', (x) => x.replace('<MLTDiep>303</MLTDiep>', '<MLTDiep>206</MLTDiep>'), /MLTDiep/],
    ['elements out of order', (x) => x.replace(/(<TNNT>[^<]*<\/TNNT>)(<MST>[^<]*<\/MST>)/, '$2$1'), /MST|TNNT/],
  ];
  for (const [i, [what, edit, element]] of cases.entries()) {
    const xml = noticeMessage(rows, { edit }).xml;
    const r = validate303(`invalid-${i}`, xml); // a file name that names no element
    t.notOk(r.ok, `${what}: rejected`);
    t.match(r.stderr, element, `${what}: xmllint names the element`);
  }
});

t.test('replacement and adjustment invoices from the gateway builders follow hdon-2h.xsd and verify', async (t) => {
  t.match(replacement.xml, /<TTHDLQuan><TCHDon>1<\/TCHDon><LHDCLQuan>1<\/LHDCLQuan><KHMSHDCLQuan>1<\/KHMSHDCLQuan>/, 'replacement names the replaced invoice');
  t.match(replacement.xml, new RegExp(`<SHDCLQuan>${replaced.number}</SHDCLQuan><NLHDCLQuan>${replaced.date}</NLHDCLQuan>`));
  t.match(adjustment.xml, /<TTHDLQuan><TCHDon>2<\/TCHDon>/, 'adjustment names the adjusted invoice');
  t.match(adjustment.xml, /<TgTTTBSo>-[1-9][0-9]*<\/TgTTTBSo>/, 'adjustment total is negative');
  t.match(adjustment.xml, /<ThTien>-[1-9][0-9]*<\/ThTien>/, 'adjustment line amount is negative');
  t.match(adjustment.xml, /<TgTTTBChu>Âm [^<]+ đồng<\/TgTTTBChu>/, 'adjustment total in words starts with "Âm"');

  for (const [name, inv] of [['original', replaced], ['replacement', replacement], ['adjustment', adjustment]] as const) {
    const r = validate(file(name, inv.xml), HDON_XSD);
    t.ok(r.ok, `${name} validates against hdon-2h.xsd`, { stderr: r.stderr });
    const judge = xmlsec1(inv.xml, 'DLHDon', INVOICE_SIGNATURE);
    t.ok(judge.ok, `${name}: xmlsec1 accepts the seller signature`, { output: judge.output });
  }
  const tampered = adjustment.xml.replace('<TgTTTBChu>Âm ', '<TgTTTBChu>âm ');
  t.not(tampered, adjustment.xml);
  t.ok(validate(file('adjustment-tampered', tampered), HDON_XSD).ok, 'the edited adjustment is still schema-valid');
  t.notOk(xmlsec1(tampered, 'DLHDon', INVOICE_SIGNATURE).ok, 'but its signature no longer verifies');
});
