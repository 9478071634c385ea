/**
 * Our invoices against independent tools: the XSD (xmllint --schema), the canonical form
 * (xmllint --c14n) and a real XMLDSig signer/verifier (xmlsec1).
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import type { InvoiceModel } from '../../src/invoice/model.js';
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
import { HDON_XSD, c14n, makeKeyPair, signWithXmlsec, tempDir, validate, verifyWithXmlsec } from './xmltools.js';

const dir = tempDir('schema');
t.teardown(dir.cleanup);

function replacement(): InvoiceModel {
  return sampleModel({ id: '_replace', number: 125, related: { kind: 1, form: 1, symbol: 'C26MAA', number: 123, date: '2026-11-27' } });
}

const documents: Record<string, InvoiceModel> = {
  sample: sampleModel(),
  form2: form2Model(),
  lines500: manyLinesModel(500),
  tricky: trickyModel(),
  personalBuyer: personalBuyerModel(),
  companyBuyer: companyBuyerModel(),
  adjustment: adjustmentModel(),
  replacement: replacement(),
};

/** The DLHDon element of our output, as the signer would digest it. */
function dlhdon(xml: string): string {
  const start = xml.indexOf('<DLHDon ');
  const end = xml.indexOf('</DLHDon>') + '</DLHDon>'.length;
  return xml.slice(start, end);
}

function check(name: string, xml: string): { ok: boolean; stderr: string } {
  return validate(dir.write(`${name}.xml`, withXmlDeclaration(xml)), HDON_XSD);
}

t.test('every generated invoice validates against hdon-2h.xsd', async (t) => {
  for (const [name, m] of Object.entries(documents)) {
    const r = check(name, buildInvoiceXml(m));
    t.ok(r.ok, `${name} validates`, { stderr: r.stderr });
  }
  // without the declaration, too
  t.ok(validate(dir.write('nodecl.xml', buildInvoiceXml(sampleModel())), HDON_XSD).ok);
});

t.test('the DLHDon bytes we emit are their C14N form', async (t) => {
  for (const [name, m] of Object.entries(documents)) {
    const xml = buildInvoiceXml(m);
    const canonical = c14n(dir.write(`${name}.c14n.xml`, withXmlDeclaration(xml)));
    const element = dlhdon(xml);
    t.ok(element.length > 100);
    t.ok(canonical.includes(element), `${name}: DLHDon appears byte-for-byte in xmllint --c14n output`);
    t.equal(canonical, xml, `${name}: the whole HDon is canonical`);
  }
});

t.test('C14N check is able to fail: a non-canonical rendering is not found', async (t) => {
  const xml = buildInvoiceXml(trickyModel());
  const canonical = c14n(dir.write('tricky2.xml', xml));
  const variants = [
    xml.replace('<NMua></NMua>', '<NMua/>'),
    xml.replace('&#xD;', '\r'),
    xml.replace('"Bún"', '&quot;Bún&quot;'),
    xml.replace('<TTChung>', '<TTChung>\n'),
  ];
  for (const v of variants) {
    t.not(v, xml);
    t.notOk(canonical.includes(dlhdon(v)));
  }
});

t.test('the schema rejects broken invoices', async (t) => {
  const xml = buildInvoiceXml(sampleModel());
  const broken: Record<string, string> = {
    noMCCQT: xml.replace(/<MCCQT>[^<]*<\/MCCQT>/, ''),
    noTgTTTBSo: xml.replace(/<TgTTTBSo>[^<]*<\/TgTTTBSo>/, ''),
    noNMua: xml.replace('<NMua></NMua>', ''),
    noId: xml.replace(/ Id="[^"]*"/, ''),
    noDSCKS: xml.replace('<DSCKS><NBan></NBan></DSCKS>', ''),
    dgiaBeforeSluong: xml.replace('<SLuong>2</SLuong><DGia>60185</DGia>', '<DGia>60185</DGia><SLuong>2</SLuong>'),
    tsuatBeforeThtien: xml.replace('<ThTien>120370</ThTien><TSuat>8%</TSuat>', '<TSuat>8%</TSuat><ThTien>120370</ThTien>'),
    nmuaBeforeNban: xml.replace(/(<NBan><Ten>.*?<\/NBan>)(<NMua><\/NMua>)/, '$2$1'),
    badRate: xml.replace('<TSuat>10%</TSuat>', '<TSuat>7%</TSuat>'),
    badKhac: xml.replace('<TSuat>10%</TSuat>', '<TSuat>KHAC:abc</TSuat>'),
    badForm: xml.replace('<KHMSHDon>1</KHMSHDon>', '<KHMSHDon>0</KHMSHDon>'),
    badSymbol: xml.replace('<KHHDon>C26MAA</KHHDon>', '<KHHDon>C26TAA</KHHDon>'),
    badNumber: xml.replace('<SHDon>123</SHDon>', '<SHDon>123456789</SHDon>'),
    badDate: xml.replace('<NLap>2026-11-27</NLap>', '<NLap>2026-02-30</NLap>'),
    badAmount: xml.replace('<TgTTTBSo>234000</TgTTTBSo>', '<TgTTTBSo>234000.5</TgTTTBSo>'),
    plusAmount: xml.replace('<TgTTTBSo>234000</TgTTTBSo>', '<TgTTTBSo>+234000</TgTTTBSo>'),
    sevenDecimals: xml.replace('<DGia>22727.333333</DGia>', '<DGia>22727.3333333</DGia>'),
    badCode: xml.replace('M1-26-A1B2C-00000001234', 'M1-26-A1B2C-0000001234'),
    longQr: xml.replace(/<DLQRCode>[^<]*<\/DLQRCode>/, `<DLQRCode>${'0'.repeat(513)}</DLQRCode>`),
    emptySellerName: xml.replace(/<Ten>Công ty[^<]*<\/Ten>/, '<Ten></Ten>'),
    unqualifiedInSignature: xml.replace('<NBan></NBan></DSCKS>', '<NBan><Signature></Signature></NBan></DSCKS>'),
    twoSignatures: xml.replace('<NBan></NBan></DSCKS>', '<NBan><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"></ds:Signature><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"></ds:Signature></NBan></DSCKS>'),
    badCccd: buildInvoiceXml(personalBuyerModel()).replace('<CCCDan>001203001234</CCCDan>', '<CCCDan>00120300123</CCCDan>'),
  };
  for (const [name, doc] of Object.entries(broken)) {
    t.not(doc, name.startsWith('badCccd') ? buildInvoiceXml(personalBuyerModel()) : xml, `${name}: the mutation applied`);
    t.notOk(check(`broken-${name}`, doc).ok, `${name} is rejected`);
  }
});

t.test('the schema accepts the variants the spec allows', async (t) => {
  const xml = buildInvoiceXml(sampleModel());
  const accepted: Record<string, string> = {
    mccqtAfterDscks: xml.replace(/(<MCCQT>[^<]*<\/MCCQT>)(<DSCKS>.*<\/DSCKS>)/, '$2$1'),
    signaturePlaceholder: xml,
    nsSignature: xml.replace('<NBan></NBan></DSCKS>', '<NBan><Signature xmlns="http://www.w3.org/2000/09/xmldsig#" Id="sig"><SignedInfo></SignedInfo></Signature></NBan></DSCKS>'),
    noQr: xml.replace(/<DLQRCode>[^<]*<\/DLQRCode>/, ''),
    kSymbol: xml.replace('<KHHDon>C26MAA</KHHDon>', '<KHHDon>K26MZZ</KHHDon>'),
    branchTaxCode: xml.replace('<MST>0101243150</MST>', '<MST>0101243150-001</MST>'),
  };
  for (const [name, doc] of Object.entries(accepted)) {
    const r = check(`ok-${name}`, doc);
    t.ok(r.ok, `${name} is accepted`, { stderr: r.stderr });
  }
});

t.test('signed by xmlsec1: digest equals SHA-256 of our DLHDon bytes; signed document validates and verifies', async (t) => {
  const keys = makeKeyPair(dir);
  for (const m of [sampleModel(), trickyModel(), form2Model()]) {
    const xml = buildInvoiceXml(m);
    const signed = signWithXmlsec(dir, xml, { id: m.id, idAttr: 'DLHDon', placeholder: '<NBan></NBan>', keys, name: m.id });
    const digest = /<DigestValue>([^<]+)<\/DigestValue>/.exec(signed)?.[1];
    t.equal(digest, createHash('sha256').update(dlhdon(xml), 'utf8').digest('base64'), `${m.id}: the signer can digest the substring as is`);
    t.equal(dlhdon(signed), dlhdon(xml), 'signing leaves DLHDon untouched');
    const file = dir.write(`${m.id}.signed.xml`, withXmlDeclaration(signed));
    const v = validate(file, HDON_XSD);
    t.ok(v.ok, `${m.id}: signed document validates`, { stderr: v.stderr });
    const r = verifyWithXmlsec(file, keys.cert, 'DLHDon');
    t.ok(r.ok && /SignedInfo References \(ok\/all\): 1\/1/.test(r.stderr), `${m.id}: xmlsec1 --verify`, { stderr: r.stderr });
    const tampered = dir.write(`${m.id}.tampered.xml`, withXmlDeclaration(signed.replace('<SHDon>123</SHDon>', '<SHDon>124</SHDon>')));
    t.notOk(verifyWithXmlsec(tampered, keys.cert, 'DLHDon').ok, `${m.id}: a changed number breaks the signature`);
  }
});
