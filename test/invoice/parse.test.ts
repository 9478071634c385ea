import t from 'tap';
import type { InvoiceModel } from '../../src/invoice/model.js';
import { INVOICE_TITLES } from '../../src/invoice/model.js';
import { extractInvoiceXml, parseInvoice, parseMessage } from '../../src/invoice/parse.js';
import { buildInvoiceXml, withXmlDeclaration } from '../../src/invoice/xml.js';
import {
  adjustmentModel,
  companyBuyerModel,
  form2Model,
  manyLinesModel,
  personalBuyerModel,
  sampleModel,
  trickyModel,
} from './fixtures.js';

/** What the parser should give back: the model, NFC, without undefined keys. */
function expected(m: InvoiceModel): unknown {
  const nfc = JSON.parse(JSON.stringify(m), (_k, v: unknown) => (typeof v === 'string' ? v.normalize('NFC') : v)) as InvoiceModel;
  return { ...nfc, title: INVOICE_TITLES[m.form], signed: false };
}

t.test('parseInvoice(buildInvoiceXml(m)) gives the model back', async (t) => {
  const models = [sampleModel(), form2Model(), manyLinesModel(500), trickyModel(), personalBuyerModel(), companyBuyerModel(), adjustmentModel()];
  for (const m of models) {
    const parsed = parseInvoice(buildInvoiceXml(m));
    t.strictSame(parsed, expected(m), m.id);
  }
  const p = parseInvoice(withXmlDeclaration(buildInvoiceXml(sampleModel())));
  t.equal(p.form, 1);
  t.equal(p.symbol, 'C26MAA');
  t.equal(p.number, 123);
  t.equal(p.issueDate, '2026-11-27');
  t.equal(p.mttCode, 'M1-26-A1B2C-00000001234');
  t.equal(p.seller.taxCode, '0101243150');
  t.strictSame(p.lines.map((l) => l.amount), [120370, 26852, 68182]);
  t.strictSame(p.totals.byRate, [
    { rate: '8%', beforeVat: 147222, vat: 11778 },
    { rate: '10%', beforeVat: 68182, vat: 6818 },
  ]);
  t.equal(p.totals.total, 234000);
  t.equal(p.buyer, undefined, 'empty NMua: no buyer');
  const tricky = parseInvoice(buildInvoiceXml(trickyModel()));
  t.equal(tricky.seller.address, 'Ngõ 5\r\nHà Nội\tVN', 'CR survives the round trip');
  t.equal(tricky.seller.name, 'Quán <Phở> & "Bún" \'Chả\' ]]> <NBan></NBan> AT&amp;T');
  t.equal(tricky.lines[0]?.name, 'Phở bò tái <đặc biệt> & "nóng" 🍜'.normalize('NFC'));
});

t.test('parseInvoice reads variants and signed invoices', async (t) => {
  const xml = buildInvoiceXml(sampleModel());
  const swapped = xml.replace(/(<MCCQT>[^<]*<\/MCCQT>)(<DSCKS>.*<\/DSCKS>)/, '$2$1');
  t.equal(parseInvoice(swapped).mttCode, 'M1-26-A1B2C-00000001234', 'MCCQT after DSCKS');
  const signed = xml.replace('<NBan></NBan></DSCKS>', '<NBan><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo></SignedInfo></Signature></NBan></DSCKS>');
  t.equal(parseInvoice(signed).signed, true);
  const pretty = xml.replace(/<(TTChung|NDHDon|NBan|DSHHDVu|HHDVu|TToan)>/g, '\n  <$1>');
  t.equal(parseInvoice(pretty).totals.vat, 18596, 'indentation between elements is ignored');
  const noStt = xml.replace(/<STT>\d+<\/STT>/g, '');
  t.strictSame(parseInvoice(noStt).lines.map((l) => l.index), [1, 2, 3], 'STT defaults to the position');
});

t.test('parseInvoice names what is wrong', async (t) => {
  const xml = buildInvoiceXml(sampleModel());
  t.throws(() => parseInvoice(xml.replace(/<TgTTTBSo>[^<]*<\/TgTTTBSo>/, '')), { name: 'InvoiceXmlError', field: 'NDHDon/TToan/TgTTTBSo', message: /missing/ });
  t.throws(() => parseInvoice(xml.replace(/<MCCQT>[^<]*<\/MCCQT>/, '')), { name: 'InvoiceXmlError', field: 'HDon/MCCQT' });
  t.throws(() => parseInvoice(xml.replace('<SHDon>123</SHDon>', '<SHDon>12a</SHDon>')), { name: 'InvoiceXmlError', field: 'HDon/DLHDon/TTChung/SHDon', message: /not an integer/ });
  t.throws(() => parseInvoice(xml.replace('<TgTThue>18596</TgTThue>', '<TgTThue>1e3</TgTThue>')), { name: 'InvoiceXmlError', field: 'NDHDon/TToan/TgTThue' });
  t.throws(() => parseInvoice(xml.replace('<ThTien>120370</ThTien>', '<ThTien>99999999999999999999</ThTien>')), { message: /not an integer/ });
  t.throws(() => parseInvoice(xml.replace(/ Id="[^"]*"/, '')), { name: 'InvoiceXmlError', field: 'HDon/DLHDon/@Id' });
  t.throws(() => parseInvoice(xml.replace('<NMua></NMua>', '')), { name: 'InvoiceXmlError', field: 'HDon/DLHDon/NDHDon/NMua' });
  t.throws(() => parseInvoice('<TDiep></TDiep>'), { name: 'InvoiceXmlError', field: 'HDon', message: /expected a HDon document/ });
  t.throws(() => parseInvoice('<HDon><DLHDon Id="x"></HDon></HDon>'), { name: 'InvoiceXmlError', field: 'HDon/DLHDon/TTChung' }, 'lenient parse, then a missing element');
  t.throws(() => parseInvoice('<HDon a="1" a="2"><'), { name: 'InvoiceXmlError', field: 'HDon' }, 'unparsable');
});

const ACK_999 = `<?xml version="1.0" encoding="UTF-8"?>
<TDiep>
  <TTChung><PBan>2.1.0</PBan><MNGui>TCT</MNGui><MNNhan>V0100109106</MNNhan><MLTDiep>999</MLTDiep><MTDiep>TCT0F6C1A2B3C4D5E6F708192A3B4C5D6E7</MTDiep><MTDTChieu>V01001091063F2504E04F8911D39A0C0305E82C3301</MTDTChieu></TTChung>
  <DLieu>
    <TBao><MTDiep>V01001091063F2504E04F8911D39A0C0305E82C3301</MTDiep><MNGui>V0100109106</MNGui><NNhan>2026-11-27T21:15:02</NNhan><TTTNhan>1</TTTNhan>
      <DSLDo><LDo><MLoi>-1</MLoi><MTa>Mã thông điệp đã tồn tại</MTa></LDo></DSLDo>
    </TBao>
  </DLieu>
</TDiep>`;

const RESULT_204 = `<?xml version="1.0" encoding="UTF-8"?><TDiep><TTChung><PBan>2.1.0</PBan><MNGui>TCT</MNGui><MNNhan>V0100109106</MNNhan><MLTDiep>204</MLTDiep><MTDiep>TCTAA</MTDiep><MTDTChieu>V01001091063F2504E04F8911D39A0C0305E82C3301</MTDTChieu><MST>0101243150</MST><SLuong>1</SLuong></TTChung><DLieu><TBao><DLTBao Id="TB01"><PBan>2.1.0</PBan><MSo>01/TB-KTDL</MSo><Ten>Thông báo về việc kết quả kiểm tra dữ liệu hóa đơn điện tử</Ten><So>26TB0001</So><DDanh>Hà Nội</DDanh><NTBao>2026-11-27</NTBao><MST>0101243150</MST><TNNT>Công ty TNHH Nhà hàng Phở Việt</TNNT><TGGui>2026-11-27T21:15:00</TGGui><LTBao>7</LTBao><CCu>…</CCu><MGDDTu>V01001091063F2504E04F8911D39A0C0305E82C3301</MGDDTu><SLuong>3</SLuong><LHDMTTien><DSLDo><LDo><STT>1</STT><MLoi>20011</MLoi><MTLoi>1;C26MAA;124;Tổng tiền không khớp</MTLoi><HDXLy>Kiểm tra lại &amp; gửi lại</HDXLy><GChu></GChu></LDo></DSLDo></LHDMTTien></DLTBao><DSCKS><CQT><Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="Tct-01"><SignedInfo></SignedInfo></Signature></CQT></DSCKS></TBao></DLieu></TDiep>`;

const ACCEPT_103 = `<TDiep><TTChung><PBan>2.1.0</PBan><MNGui>TCT</MNGui><MNNhan>V0100109106</MNNhan><MLTDiep>103</MLTDiep><MTDiep>TCTBB</MTDiep><MTDTChieu>V0100109106AAAA</MTDTChieu><MST>0101243150</MST><SLuong>1</SLuong></TTChung><DLieu><TBao><DLTBao Id="TB103"><PBan>2.1.0</PBan><MSo>01/TB-ĐKĐT</MSo><HTDKy>1</HTDKy><MCCQT>A1B2C</MCCQT><TTXNCQT>1</TTXNCQT><DSLDKCNhan></DSLDKCNhan></DLTBao><STBao Id="ST1"><So>1</So><NTBao>2026-11-27</NTBao></STBao></TBao></DLieu></TDiep>`;

const RESULT_301 = `<TDiep><TTChung><PBan>2.1.0</PBan><MNGui>TCT</MNGui><MNNhan>V0100109106</MNNhan><MLTDiep>301</MLTDiep><MTDiep>TCTCC</MTDiep><MTDTChieu>V0100109106DDDD</MTDTChieu><MST>0101243150</MST><SLuong>2</SLuong></TTChung><DLieu><TBao><DLTBao><PBan>2.1.0</PBan><DSHDon><HDon><STT>1</STT><MCQTCap>M1-26-A1B2C-00000001234</MCQTCap><TTTNCCQT>1</TTTNCCQT></HDon><HDon><STT>2</STT><MCQTCap>M1-26-A1B2C-00000001235</MCQTCap><TTTNCCQT>2</TTTNCCQT><DSLDKTNhan><LDo><MLoi>1</MLoi><MTa>a</MTa></LDo><LDo><MLoi>2</MLoi><MTa>b</MTa></LDo></DSLDKTNhan></HDon></DSHDon></DLTBao></TBao></DLieu></TDiep>`;

t.test('parseMessage reads the replies into plain objects', async (t) => {
  const ack = parseMessage(ACK_999);
  t.strictSame(ack.header, {
    version: '2.1.0',
    sender: 'TCT',
    receiver: 'V0100109106',
    type: 999,
    messageId: 'TCT0F6C1A2B3C4D5E6F708192A3B4C5D6E7',
    replyTo: 'V01001091063F2504E04F8911D39A0C0305E82C3301',
  });
  t.equal(ack.dataId, undefined);
  t.equal(ack.signed, false);
  t.strictSame(ack.payload, {
    TBao: {
      MTDiep: 'V01001091063F2504E04F8911D39A0C0305E82C3301',
      MNGui: 'V0100109106',
      NNhan: '2026-11-27T21:15:02',
      TTTNhan: '1',
      DSLDo: { LDo: [{ MLoi: '-1', MTa: 'Mã thông điệp đã tồn tại' }] },
    },
  });

  const r204 = parseMessage(RESULT_204);
  t.equal(r204.header.type, 204);
  t.equal(r204.header.taxCode, '0101243150');
  t.equal(r204.header.count, 1);
  t.match(r204.payload, {
    TBao: {
      DLTBao: {
        '@Id': 'TB01',
        LTBao: '7',
        LHDMTTien: { DSLDo: { LDo: [{ STT: '1', MLoi: '20011', MTLoi: '1;C26MAA;124;Tổng tiền không khớp', HDXLy: 'Kiểm tra lại & gửi lại', GChu: '' }] } },
      },
      DSCKS: { CQT: { Signature: { '@xmlns': 'http://www.w3.org/2000/09/xmldsig#', '@Id': 'Tct-01', SignedInfo: '' } } },
    },
  });

  const r103 = parseMessage(ACCEPT_103);
  t.match(r103.payload, { TBao: { DLTBao: { '@Id': 'TB103', MCCQT: 'A1B2C', TTXNCQT: '1', DSLDKCNhan: '' }, STBao: { '@Id': 'ST1', So: '1' } } });

  const r301 = parseMessage(RESULT_301);
  const hdon = (r301.payload['TBao'] as { DLTBao: { DSHDon: { HDon: Array<Record<string, unknown>> } } }).DLTBao.DSHDon.HDon;
  t.equal(hdon.length, 2);
  t.strictSame(hdon[1]?.['DSLDKTNhan'], { LDo: [{ MLoi: '1', MTa: 'a' }, { MLoi: '2', MTa: 'b' }] });

  const oneHDon = RESULT_301.replace(/<HDon><STT>2<\/STT>.*?<\/HDon><\/DSHDon>/, '</DSHDon>');
  const single = parseMessage(oneHDon).payload['TBao'] as { DLTBao: { DSHDon: { HDon: unknown[] } } };
  t.equal(single.DLTBao.DSHDon.HDon.length, 1, 'HDon is an array even when alone');

  const attrText = parseMessage(ACCEPT_103.replace('<So>1</So>', '<So Loai="x">1</So>')).payload;
  t.match(attrText, { TBao: { STBao: { So: { '@Loai': 'x', '#': '1' } } } });
  const repeated = parseMessage(ACCEPT_103.replace('<So>1</So>', '<So>1</So><So>2</So>')).payload;
  t.match(repeated, { TBao: { STBao: { So: ['1', '2'] } } });
});

t.test('parseMessage errors', async (t) => {
  t.throws(() => parseMessage('<HDon></HDon>'), { name: 'InvoiceXmlError', field: 'TDiep', message: /expected a TDiep document/ });
  t.throws(() => parseMessage('<TDiep><DLieu></DLieu></TDiep>'), { name: 'InvoiceXmlError', field: 'TDiep/TTChung' });
  t.throws(() => parseMessage(ACCEPT_103.replace('<MLTDiep>103</MLTDiep>', '<MLTDiep>x</MLTDiep>')), { name: 'InvoiceXmlError', field: 'TDiep/TTChung/MLTDiep' });
  t.throws(() => parseMessage(ACCEPT_103.replace(/<DLieu>.*<\/DLieu>/, '')), { name: 'InvoiceXmlError', field: 'TDiep/DLieu' });
  const textOnly = parseMessage(ACCEPT_103.replace(/<DLieu>.*<\/DLieu>/, '<DLieu>x</DLieu>'));
  t.strictSame(textOnly.payload, {}, 'a DLieu without elements gives an empty payload');
});

t.test('extractInvoiceXml', async (t) => {
  t.strictSame(extractInvoiceXml('<TDiep><DLieu></DLieu></TDiep>'), []);
  t.throws(() => extractInvoiceXml('<TDiep><DLieu><HDon><DLHDon>'), { message: /unterminated/ });
  const a = buildInvoiceXml(sampleModel());
  t.strictSame(extractInvoiceXml(`<X><HDonX></HDonX>${a}<HDon\n>y</HDon></X>`), [a, '<HDon\n>y</HDon>'], 'HDonX is not HDon');
});

/** The same document with a comment before its last end tag: only xmlbuilder2 reads that one. */
const viaXmlbuilder2 = (xml: string): string => xml.replace(/(<\/[A-Za-z]+>)$/, '<!--xmlbuilder2-->$1');
const outcome = (read: () => unknown): unknown => {
  try {
    return read();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
};

t.test('plain documents read as xmlbuilder2 reads them', async (t) => {
  const invoices = [sampleModel(), form2Model(), manyLinesModel(40), trickyModel(), personalBuyerModel(), companyBuyerModel(), adjustmentModel()].map(buildInvoiceXml);
  const base = invoices[0] as string;
  const variants = [
    ...invoices,
    withXmlDeclaration(base),
    base.replace('<NBan></NBan></DSCKS>', '<NBan><Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="S"><SignedInfo></SignedInfo></Signature></NBan></DSCKS>'),
    base.replace(/<Ten>[^<]*<\/Ten>/, '<Ten> \t\n</Ten>'), // whitespace-only text: xmlbuilder2 drops it
    base.replace(/<Ten>[^<]*<\/Ten>/, '<Ten> a </Ten>'),
    base.replace(/<Ten>[^<]*<\/Ten>/, '<Ten>&amp;#x41; &#x1F35C; &apos;&quot;&gt; &foo; & x</Ten>'), // its decoding, quirks included
    base.replace(/<Ten>[^<]*<\/Ten>/, '<Ten>&amp;#x110000;</Ten>'), // a character reference it cannot decode
    base.replace(/ Id="([^"]*)"/, ' Id="$1&amp;x" Id2="&lt;"'),
    base.replace(/ Id="[^"]*"/, ' Id="a" Id="b"'),
    base.replace('<NMua>', '<NMua xmlns="urn:x">'),
    base.replace('<NMua>', '<NMua xmlns="@xml">'),
    base.replace('<NMua>', '<NMua xmlValue="1">'),
    base.replace('<NMua></NMua>', '<NMua/>'),
    base.replace('<TToan>', "<TToan a='1'>"),
    base.replace('</NBan>', '</NBan >'),
    base.replace('</DLHDon>', '</DLHDONx>'), // a mismatched end tag, which xmlbuilder2 lets pass
    base.replace(/<\/HDon>$/, '</HDon>\n'),
    `\n${base}`,
    base.slice(0, -10),
    base.replace(/<(TTChung|NDHDon|NBan|DSHHDVu|HHDVu|TToan)>/g, '\n  <$1>'),
  ];
  for (const [i, xml] of variants.entries()) {
    t.strictSame(outcome(() => parseInvoice(xml)), outcome(() => parseInvoice(viaXmlbuilder2(xml))), `invoice variant ${i}`);
  }
  for (const [i, xml] of [ACK_999, RESULT_204, ACCEPT_103, RESULT_301, `<TDiep><TTChung></TTChung><DLieu Id="m">${invoices.join('')}</DLieu><CKSNNT></CKSNNT></TDiep>`].entries()) {
    t.strictSame(outcome(() => parseMessage(xml)), outcome(() => parseMessage(viaXmlbuilder2(xml))), `message ${i}`);
  }
});
