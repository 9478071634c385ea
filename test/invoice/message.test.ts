import t from 'tap';
import {
  MAX_INVOICES_PER_MESSAGE,
  MESSAGE_SIGNATURE_PLACEHOLDER,
  buildEnvelope,
  buildEnvelopeHeader,
  buildInvoiceMessage,
  type EnvelopeHeader,
} from '../../src/invoice/message.js';
import { extractInvoiceXml, parseMessage } from '../../src/invoice/parse.js';
import { buildInvoiceXml } from '../../src/invoice/xml.js';
import { form2Model, sampleModel, trickyModel } from './fixtures.js';
import { TDIEP_206_XSD, c14n, makeKeyPair, signWithXmlsec, tempDir, validate, verifyWithXmlsec } from './xmltools.js';

const dir = tempDir('message');
t.teardown(dir.cleanup);

const MESSAGE_ID = 'V0100109106' + '3F2504E04F8911D39A0C0305E82C3301';

function header(overrides: Partial<EnvelopeHeader> = {}): EnvelopeHeader {
  return { version: '2.1.0', sender: 'V0100109106', receiver: 'TCT', type: 206, messageId: MESSAGE_ID, taxCode: '0101243150', ...overrides };
}

/** `n` unsigned invoices of one seller/form/symbol with distinct Ids, numbers and codes. */
function invoices(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const code = `M1-26-A1B2C-${String(1234 + i).padStart(11, '0')}`;
    out.push(buildInvoiceXml(sampleModel({ id: `_inv${i}`, number: 123 + i, mttCode: code })));
  }
  return out;
}

t.test('envelope header order and empty MTDTChieu', async (t) => {
  t.equal(
    buildEnvelopeHeader(header({ count: 2 })),
    `<TTChung><PBan>2.1.0</PBan><MNGui>V0100109106</MNGui><MNNhan>TCT</MNNhan><MLTDiep>206</MLTDiep><MTDiep>${MESSAGE_ID}</MTDiep><MTDTChieu></MTDTChieu><MST>0101243150</MST><SLuong>2</SLuong></TTChung>`,
  );
  t.equal(
    buildEnvelopeHeader({ version: '2.1.0', sender: 'TCT', receiver: 'V0100109106', type: 999, messageId: 'TCTABC', replyTo: MESSAGE_ID }),
    `<TTChung><PBan>2.1.0</PBan><MNGui>TCT</MNGui><MNNhan>V0100109106</MNNhan><MLTDiep>999</MLTDiep><MTDiep>TCTABC</MTDiep><MTDTChieu>${MESSAGE_ID}</MTDTChieu></TTChung>`,
    'a 999 has neither MST nor SLuong',
  );
  t.throws(() => buildEnvelopeHeader(header({ type: 2.5 })), { name: 'InvoiceXmlError', field: 'header.type' });
  t.throws(() => buildEnvelopeHeader(header({ count: -1 })), { name: 'InvoiceXmlError', field: 'header.count' });
  t.throws(() => buildEnvelopeHeader(header({ messageId: '' })), { name: 'InvoiceXmlError', field: 'header.messageId' });
  t.throws(() => buildEnvelopeHeader(header({ sender: 'V\u0000' })), { name: 'InvoiceXmlError', field: 'header.sender' });
});

t.test('generic envelope (100, 303)', async (t) => {
  const payload = '<TKhai><DLTKhai Id="_reg1"><TTChung><PBan>2.1.0</PBan></TTChung></DLTKhai><DSCKS><NNT></NNT></DSCKS></TKhai>';
  const xml = buildEnvelope(header({ type: 100, count: 1 }), payload);
  t.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><TDiep><TTChung><PBan>2.1.0</PBan>'));
  t.ok(xml.endsWith(`<DLieu>${payload}</DLieu></TDiep>`), 'payload verbatim, no CKSNNT');
  t.equal(buildEnvelope(header({ type: 303 }), '<TBao></TBao>', { declaration: false, dataId: '_d1', signaturePlaceholder: true }).slice(0, 7), '<TDiep>');
  t.match(buildEnvelope(header(), '', { dataId: '_d1', signaturePlaceholder: true }), `<DLieu Id="_d1"></DLieu>${MESSAGE_SIGNATURE_PLACEHOLDER}</TDiep>`);
  t.throws(() => buildEnvelope(header(), '', { dataId: '1 bad' }), { name: 'InvoiceXmlError', field: 'dataId' });
});

t.test('206: concatenates the signed invoices as they are', async (t) => {
  const docs = invoices(3);
  const xml = buildInvoiceMessage(header(), '_batch1', docs);
  t.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?><TDiep>' +
      `<TTChung><PBan>2.1.0</PBan><MNGui>V0100109106</MNGui><MNNhan>TCT</MNNhan><MLTDiep>206</MLTDiep><MTDiep>${MESSAGE_ID}</MTDiep><MTDTChieu></MTDTChieu><MST>0101243150</MST><SLuong>3</SLuong></TTChung>` +
      `<DLieu Id="_batch1">${docs.join('')}</DLieu><CKSNNT></CKSNNT></TDiep>`,
  );
  t.equal(xml.split(MESSAGE_SIGNATURE_PLACEHOLDER).length, 2, 'one CKSNNT placeholder');
  t.strictSame(extractInvoiceXml(xml), docs, 'the invoices can be cut out again byte for byte');
  const parsed = parseMessage(xml);
  t.equal(parsed.dataId, '_batch1');
  t.equal(parsed.header.count, 3);
  t.equal(parsed.signed, false);
  t.equal((parsed.payload['HDon'] as unknown[]).length, 3);
});

t.test('206 refuses what would make a bad message', async (t) => {
  const docs = invoices(2);
  t.throws(() => buildInvoiceMessage(header({ type: 100 }), '_b', docs), { name: 'InvoiceXmlError', field: 'header.type' });
  t.throws(() => buildInvoiceMessage(header({ taxCode: undefined }), '_b', docs), { name: 'InvoiceXmlError', field: 'header.taxCode' });
  t.throws(() => buildInvoiceMessage(header(), '_b', []), { name: 'InvoiceXmlError', field: 'signedInvoices' });
  t.throws(() => buildInvoiceMessage(header(), '_b', invoices(MAX_INVOICES_PER_MESSAGE + 1)), { name: 'InvoiceXmlError', field: 'signedInvoices' });
  t.throws(() => buildInvoiceMessage(header({ count: 3 }), '_b', docs), { name: 'InvoiceXmlError', field: 'header.count' });
  t.throws(() => buildInvoiceMessage(header(), '_b', [docs[0]!, docs[0]!]), { name: 'InvoiceXmlError', field: 'signedInvoices[1]', message: /already used/ });
  t.throws(() => buildInvoiceMessage(header(), '_inv0', docs), { name: 'InvoiceXmlError', field: 'signedInvoices[0]', message: /already used/ }, 'DLieu Id clashes with an invoice Id');
  t.throws(() => buildInvoiceMessage(header(), '_b', ['<?xml version="1.0"?>' + docs[0]!]), { name: 'InvoiceXmlError', field: 'signedInvoices[0]' });
  t.throws(() => buildInvoiceMessage(header(), '_b', [docs[0]! + '\n']), { name: 'InvoiceXmlError', field: 'signedInvoices[0]' });
  t.throws(() => buildInvoiceMessage(header(), '1b', docs), { name: 'InvoiceXmlError', field: 'dataId' });
});

t.test('206 validates against tdiep-206.xsd; broken ones do not', async (t) => {
  const docs = [...invoices(2), buildInvoiceXml({ ...trickyModel(), number: 200, mttCode: 'M1-26-A1B2C-00000009999' })];
  const xml = buildInvoiceMessage(header(), '_batch2', docs);
  const r = validate(dir.write('m206.xml', xml), TDIEP_206_XSD);
  t.ok(r.ok, '206 validates', { stderr: r.stderr });
  const c = c14n(dir.write('m206c.xml', xml));
  const dlieu = xml.slice(xml.indexOf('<DLieu '), xml.indexOf('</DLieu>') + 8);
  t.ok(c.includes(dlieu), 'DLieu is canonical as emitted');

  const big = buildInvoiceMessage(header(), '_batch500', invoices(500));
  t.ok(validate(dir.write('m500.xml', big), TDIEP_206_XSD).ok, '500 invoices validate');
  const extra = buildInvoiceXml(sampleModel({ id: '_inv500', number: 623, mttCode: 'M1-26-A1B2C-00000009500' }));
  const tooMany = big.replace('</DLieu>', extra + '</DLieu>');
  t.notOk(validate(dir.write('m501.xml', tooMany), TDIEP_206_XSD).ok, '501 invoices are rejected');

  const broken: Record<string, string> = {
    duplicateIds: xml.replace('Id="_inv1"', 'Id="_inv0"'),
    noCKSNNT: xml.replace('<CKSNNT></CKSNNT>', ''),
    noDataId: xml.replace(' Id="_batch2"', ''),
    noMST: xml.replace('<MST>0101243150</MST><SLuong>', '<SLuong>'),
    wrongType: xml.replace('<MLTDiep>206</MLTDiep>', '<MLTDiep>100</MLTDiep>'),
    badMessageId: xml.replace(MESSAGE_ID, 'V0100109106-not-hex'),
    brokenInvoice: xml.replace(/<MCCQT>[^<]*<\/MCCQT>/, ''),
    emptyData: xml.replace(/<DLieu Id="_batch2">.*<\/DLieu>/, '<DLieu Id="_batch2"></DLieu>'),
  };
  for (const [name, doc] of Object.entries(broken)) {
    t.not(doc, xml, `${name}: the mutation applied`);
    t.notOk(validate(dir.write(`m-${name}.xml`, doc), TDIEP_206_XSD).ok, `${name} is rejected`);
  }
});

t.test('signed invoices in a signed 206: every signature verifies', async (t) => {
  const keys = makeKeyPair(dir);
  const models = [sampleModel(), { ...trickyModel(), number: 124, mttCode: 'M1-26-A1B2C-00000001235' }];
  const signedInvoices = models.map((m) => signWithXmlsec(dir, buildInvoiceXml(m), { id: m.id, idAttr: 'DLHDon', placeholder: '<NBan></NBan>', keys, name: m.id }));
  const message = buildInvoiceMessage(header(), '_batch3', signedInvoices);
  const signed = signWithXmlsec(dir, message, { id: '_batch3', idAttr: 'DLieu', placeholder: MESSAGE_SIGNATURE_PLACEHOLDER, keys, name: 'batch3' });
  const file = dir.write('batch3.xml', signed);
  const v = validate(file, TDIEP_206_XSD);
  t.ok(v.ok, 'signed 206 validates', { stderr: v.stderr });
  const batch = verifyWithXmlsec(file, keys.cert, 'DLieu', "//*[local-name()='CKSNNT']/*[local-name()='Signature']");
  t.ok(batch.ok, 'message signature verifies', { stderr: batch.stderr });
  for (let i = 1; i <= models.length; i++) {
    const r = verifyWithXmlsec(file, keys.cert, 'DLHDon', `(//*[local-name()='HDon'])[${i}]/DSCKS/NBan/*[local-name()='Signature']`);
    t.ok(r.ok, `invoice ${i} signature verifies inside the message`, { stderr: r.stderr });
  }
  t.strictSame(extractInvoiceXml(signed), signedInvoices, 'the signed invoices are intact');
  const parsed = parseMessage(signed);
  t.equal(parsed.signed, true);
  t.equal(parsed.header.type, 206);
});

t.test('a form-2 batch validates too', async (t) => {
  const m = form2Model();
  const xml = buildInvoiceMessage(header(), '_batch4', [buildInvoiceXml(m)]);
  t.ok(validate(dir.write('m206f2.xml', xml), TDIEP_206_XSD).ok);
});
