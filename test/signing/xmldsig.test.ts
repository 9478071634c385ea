/**
 * Enveloped signatures judged by an independent verifier: xmlsec1 (libxml2 C14N + OpenSSL), and
 * our own verifyEnveloped, which must agree with it on good and tampered documents.
 */
import t from 'tap';
import { makeSellerPkcs12, testCa } from '../helpers/certs.js';
import { xmlsec1Verifier } from '../helpers/xmlsec.js';
import { CertificateError, loadPkcs12, type Signer } from '../../src/signing/pkcs12.js';
import { throwawaySigner } from '../../src/signing/bench.js';
import { formatSigningTime, sha256Base64, signEnveloped, verifyEnveloped, XmlSignatureError } from '../../src/signing/xmldsig.js';

const DAY = 86_400_000;
const ca = testCa();
const seller = loadPkcs12(makeSellerPkcs12({ taxCode: '0101243150' }).pkcs12, 'secret');
const trustedCertsDer = [ca.certDer];

const INVOICE_SIGNATURE = "//*[local-name()='DSCKS']/*[local-name()='NBan']/*[local-name()='Signature']";
const MESSAGE_SIGNATURE = "//*[local-name()='CKSNNT']/*[local-name()='Signature']";
const nthInvoiceSignature = (n: number): string =>
  `//*[local-name()='DLieu']/*[local-name()='HDon'][${n}]/*[local-name()='DSCKS']/*[local-name()='NBan']/*[local-name()='Signature']`;

const verify = xmlsec1Verifier(t);
/** xmlsec1 --verify of one signature, the certificate chain checked against the test CA. */
const xmlsec1 = (xml: string, idAttrNode: string, nodeXpath: string) => verify(xml, { idAttrNode, nodeXpath });

function invoice(id: string, name = 'Phở bò &amp; "bia" &lt;Hà Nội&gt;', declaration = true): string {
  return (
    (declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '') +
    `<HDon><DLHDon Id="${id}"><TTChung><PBan>2.1.0</PBan><Ten>${name}</Ten></TTChung>` +
    `<NDHDon><NBan><Ten>Nhà hàng Phở Việt</Ten><MST>0101243150</MST></NBan><DSHHDVu><HHDVu><TChat>1</TChat>` +
    `<THHDVu>Cà phê sữa đá</THHDVu><DGia>26852</DGia></HHDVu></DSHHDVu></NDHDon></DLHDon>` +
    `<MCCQT>M1-26-A1B2C-00000001234</MCCQT><DSCKS><NBan></NBan></DSCKS></HDon>`
  );
}

const signInvoice = (xml: string, id: string, signer: Signer = seller, signingTime = new Date()): string =>
  signEnveloped(xml, { signer, referenceId: id, placeholder: '<NBan></NBan>', signingTime });

t.test('signed invoice: exact layout, nothing else changed, accepted by xmlsec1 and verifyEnveloped', async (t) => {
  const doc = invoice('_inv1');
  const signingTime = new Date();
  const signed = signEnveloped(doc, { signer: seller, referenceId: '_inv1', placeholder: '<NBan></NBan>', signingTime, signatureId: 'Sig-1' });

  const sig = /<Signature [\s\S]*<\/Signature>/.exec(signed)?.[0] ?? '';
  t.equal(signed.replace(sig, ''), doc, 'only the Signature was inserted: the rest is byte-identical');
  t.ok(signed.includes(`<NBan>${sig}</NBan>`));
  const digest = sha256Base64(/<DLHDon [\s\S]*<\/DLHDon>/.exec(doc)?.[0] ?? '');
  const layout = new RegExp(
    '^<Signature xmlns="http://www\\.w3\\.org/2000/09/xmldsig#" Id="Sig-1"><SignedInfo>' +
      '<CanonicalizationMethod Algorithm="http://www\\.w3\\.org/TR/2001/REC-xml-c14n-20010315"></CanonicalizationMethod>' +
      '<SignatureMethod Algorithm="http://www\\.w3\\.org/2001/04/xmldsig-more#rsa-sha256"></SignatureMethod>' +
      '<Reference URI="#_inv1"><Transforms><Transform Algorithm="http://www\\.w3\\.org/2000/09/xmldsig#enveloped-signature"></Transform></Transforms>' +
      `<DigestMethod Algorithm="http://www\\.w3\\.org/2001/04/xmlenc#sha256"></DigestMethod><DigestValue>${digest.replace(/[+/]/g, '\\$&')}</DigestValue></Reference>` +
      '<Reference URI="#SigningTime-Sig-1"><DigestMethod Algorithm="http://www\\.w3\\.org/2001/04/xmlenc#sha256"></DigestMethod><DigestValue>[A-Za-z0-9+/=]{44}</DigestValue></Reference>' +
      '</SignedInfo><SignatureValue>[A-Za-z0-9+/=]{344}</SignatureValue><KeyInfo><X509Data>' +
      '<X509SubjectName>CN=Nhà hàng Phở Việt,UID=MST:0101243150,O=Nhà hàng Phở Việt,L=Hà Nội,C=VN</X509SubjectName>' +
      `<X509Certificate>${seller.certificateBase64.replace(/[+/]/g, '\\$&')}</X509Certificate></X509Data></KeyInfo>` +
      '<Object Id="SigningTime-Sig-1"><SignatureProperties><SignatureProperty Target="#Sig-1">' +
      `<SigningTime>${formatSigningTime(signingTime)}</SigningTime></SignatureProperty></SignatureProperties></Object></Signature>$`,
  );
  t.match(sig, layout, 'Signature layout of §5');

  const judge = xmlsec1(signed, 'DLHDon', INVOICE_SIGNATURE);
  t.ok(judge.ok, 'xmlsec1 accepts', { output: judge.output });
  const ours = verifyEnveloped(signed, { referenceId: '_inv1', trustedCertsDer });
  t.ok(ours.ok, 'verifyEnveloped accepts', { ours });
  if (ours.ok) {
    t.same(ours.certificate.taxCodes, ['MST:0101243150']);
    t.equal(ours.signingTime, formatSigningTime(signingTime));
  }
});

t.test('signing time is Vietnam local time whatever the process TZ', async (t) => {
  const saved = process.env.TZ;
  try {
    for (const tz of ['UTC', 'America/New_York', 'Asia/Tokyo']) {
      process.env.TZ = tz;
      t.equal(formatSigningTime(new Date('2026-07-15T05:34:56.789Z')), '2026-07-15T12:34:56', tz);
      t.equal(formatSigningTime(new Date('2026-12-31T17:00:00Z')), '2027-01-01T00:00:00', `${tz}: day and year roll over`);
    }
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

t.test('one changed byte: xmlsec1 and verifyEnveloped both refuse', async (t) => {
  const signed = signInvoice(invoice('_inv1'), '_inv1');
  const tampered: [string, string][] = [
    ['PBan', signed.replace('<PBan>2.1.0</PBan>', '<PBan>2.1.1</PBan>')],
    ['item name', signed.replace('Cà phê sữa đá', 'Cà phê sữa dá')],
    ['escaped text', signed.replace('&amp; "bia"', '&amp; "bic"')],
    ['Id of the signed element', signed.replace('<DLHDon Id="_inv1">', '<DLHDon Id="_inv1" x="1">')],
    ['signing time', signed.replace(/<SigningTime>(\d{4})/, (_, y: string) => `<SigningTime>${Number(y) - 1}`)],
    ['signature value', signed.replace(/<SignatureValue>(.)/, (_, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`)],
  ];
  for (const [what, xml] of tampered) {
    t.not(xml, signed, `${what}: the document did change`);
    t.notOk(xmlsec1(xml, 'DLHDon', INVOICE_SIGNATURE).ok, `${what}: xmlsec1 refuses`);
    const ours = verifyEnveloped(xml, { referenceId: '_inv1', trustedCertsDer });
    t.notOk(ours.ok, `${what}: verifyEnveloped refuses`, { ours });
  }
  const outside = signed.replace('M1-26-A1B2C-00000001234', 'M1-26-A1B2C-00000001235');
  t.ok(xmlsec1(outside, 'DLHDon', INVOICE_SIGNATURE).ok, 'MCCQT is outside the signed element: xmlsec1 still accepts');
  t.ok(verifyEnveloped(outside, { referenceId: '_inv1', trustedCertsDer }).ok, 'and so does verifyEnveloped');
});

t.test('206 message: DLieu signed into CKSNNT over signed invoices, each signature verifiable', async (t) => {
  const body = (xml: string): string => xml.replace(/^<\?xml[^>]*\?>\n/, '');
  const inv1 = signInvoice(invoice('_inv1', 'Bún chả', false), '_inv1');
  const inv2 = signInvoice(invoice('_inv2', 'Nem &lt;rán&gt; &amp; trà đá', false), '_inv2');
  const message =
    '<?xml version="1.0" encoding="UTF-8"?>\n<TDiep><TTChung><PBan>2.1.0</PBan><MNGui>V0312345678</MNGui><MNNhan>TCT</MNNhan>' +
    '<MLTDiep>206</MLTDiep><MTDiep>V03123456780123456789ABCDEF0123456789ABCDEF</MTDiep><MTDTChieu></MTDTChieu>' +
    `<MST>0101243150</MST><SLuong>2</SLuong></TTChung><DLieu Id="_m1">${body(inv1)}${body(inv2)}</DLieu><CKSNNT></CKSNNT></TDiep>`;
  const signed = signEnveloped(message, { signer: seller, referenceId: '_m1', placeholder: '<CKSNNT></CKSNNT>', signingTime: new Date() });

  t.ok(xmlsec1(signed, 'DLieu', MESSAGE_SIGNATURE).ok, 'xmlsec1 accepts the message signature');
  t.ok(xmlsec1(signed, 'DLHDon', nthInvoiceSignature(1)).ok, 'xmlsec1 accepts invoice 1 inside the message');
  t.ok(xmlsec1(signed, 'DLHDon', nthInvoiceSignature(2)).ok, 'xmlsec1 accepts invoice 2 inside the message');
  for (const referenceId of ['_m1', '_inv1', '_inv2']) {
    const ours = verifyEnveloped(signed, { referenceId, trustedCertsDer });
    t.ok(ours.ok, `verifyEnveloped accepts #${referenceId}`, { ours });
  }
  t.ok(verifyEnveloped(signed, { referenceId: '_m1', signatureLocator: { containerTag: 'CKSNNT' } }).ok, 'located by container');
  t.notOk(verifyEnveloped(signed, { referenceId: '_m1', signatureLocator: { containerTag: 'NBan' } }).ok, 'not in NBan');

  const tampered = signed.replace('Nem &lt;rán&gt;', 'Nem &lt;ran&gt;');
  t.notOk(xmlsec1(tampered, 'DLieu', MESSAGE_SIGNATURE).ok, 'tampered invoice 2: xmlsec1 refuses the message');
  t.notOk(xmlsec1(tampered, 'DLHDon', nthInvoiceSignature(2)).ok, 'xmlsec1 refuses invoice 2');
  t.ok(xmlsec1(tampered, 'DLHDon', nthInvoiceSignature(1)).ok, 'xmlsec1 still accepts invoice 1');
  t.notOk(verifyEnveloped(tampered, { referenceId: '_m1' }).ok, 'verifyEnveloped refuses the message');
  t.notOk(verifyEnveloped(tampered, { referenceId: '_inv2' }).ok, 'verifyEnveloped refuses invoice 2');
  t.ok(verifyEnveloped(tampered, { referenceId: '_inv1' }).ok, 'verifyEnveloped still accepts invoice 1');
});

t.test('signature inside the signed element (enveloped-signature transform at work)', async (t) => {
  const doc = '<TBao><DLTBao Id="_t1"><MST>0101243150</MST><DSCKS><NNT></NNT></DSCKS><GChu>a\tb</GChu></DLTBao></TBao>';
  const signed = signEnveloped(doc, { signer: seller, referenceId: '_t1', placeholder: '<NNT></NNT>', signingTime: new Date() });
  t.ok(xmlsec1(signed, 'DLTBao', "//*[local-name()='NNT']/*[local-name()='Signature']").ok, 'xmlsec1 accepts');
  t.ok(verifyEnveloped(signed, { referenceId: '_t1', trustedCertsDer }).ok, 'verifyEnveloped accepts');
  const tampered = signed.replace('<GChu>a\tb', '<GChu>a b');
  t.notOk(xmlsec1(tampered, 'DLTBao', "//*[local-name()='NNT']/*[local-name()='Signature']").ok, 'xmlsec1 refuses tampering');
  t.notOk(verifyEnveloped(tampered, { referenceId: '_t1' }).ok, 'verifyEnveloped refuses tampering');
});

t.test('subject names needing XML and RFC 4514 escapes survive both verifiers', async (t) => {
  const p12 = makeSellerPkcs12({ taxCode: '0312345678', name: 'Quán "Ốc" <Số 1> & Co, Ltd' });
  const odd = loadPkcs12(p12.pkcs12, 'secret');
  const signed = signInvoice(invoice('_x1'), '_x1', odd);
  t.ok(signed.includes('<X509SubjectName>CN=Quán \\"Ốc\\" \\&lt;Số 1\\&gt; &amp; Co\\, Ltd,UID=MST:0312345678,'), 'escaped twice');
  t.ok(xmlsec1(signed, 'DLHDon', INVOICE_SIGNATURE).ok, 'xmlsec1 accepts');
  const ours = verifyEnveloped(signed, { referenceId: '_x1', trustedCertsDer });
  t.ok(ours.ok && ours.certificate.subject === odd.info.subject, 'verifyEnveloped accepts');
});

t.test('expired or not-yet-valid certificate: signEnveloped refuses', async (t) => {
  const p12 = makeSellerPkcs12({ taxCode: '0101243150', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  const expired = loadPkcs12(p12.pkcs12, 'secret', { now: new Date(Date.now() - 2 * DAY) });
  t.throws(() => signInvoice(invoice('_e1'), '_e1', expired), CertificateError);
  t.throws(() => signInvoice(invoice('_e1'), '_e1', expired), { code: 'certificate.expired', message: /expired on / });
  t.throws(() => signInvoice(invoice('_e1'), '_e1', seller, new Date(Date.now() - 3 * DAY)), { code: 'certificate.not_yet_valid' });
  t.throws(() => signInvoice(invoice('_e1'), '_e1', seller, new Date(Date.now() + 400 * DAY)), { code: 'certificate.expired' });
});

t.test('verification of certificate validity and trust', async (t) => {
  // a signer whose cached validity was tampered with, to get a signature by an expired certificate
  const p12 = makeSellerPkcs12({ taxCode: '0101243150', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
  const real = loadPkcs12(p12.pkcs12, 'secret', { now: new Date(Date.now() - 2 * DAY) });
  const lying: Signer = { ...real, info: { ...real.info, notAfter: new Date(Date.now() + DAY) } };
  const signed = signInvoice(invoice('_v1'), '_v1', lying);
  const res = verifyEnveloped(signed, { referenceId: '_v1' });
  t.notOk(res.ok, 'signature by an expired certificate refused');
  t.match(res.ok ? '' : res.reason, /not valid at signing time/);
  t.notOk(xmlsec1(signed, 'DLHDon', INVOICE_SIGNATURE).ok, 'xmlsec1 agrees');

  const good = signInvoice(invoice('_v2'), '_v2');
  const unrelatedCa = throwawaySigner('CN=Another CA,C=VN').certificateDer;
  const untrusted = verifyEnveloped(good, { referenceId: '_v2', trustedCertsDer: [unrelatedCa] });
  t.notOk(untrusted.ok, 'does not chain to an unrelated trust anchor');
  t.match(untrusted.ok ? '' : untrusted.reason, /does not chain/);
  t.ok(verifyEnveloped(good, { referenceId: '_v2', trustedCertsDer: [seller.certificateDer] }).ok, 'a pinned leaf is trusted');
  const future = verifyEnveloped(good, { referenceId: '_v2', now: new Date(Date.now() - 3_600_000) });
  t.notOk(future.ok, 'signing time after "now" refused');
});

t.test('inputs signEnveloped refuses', async (t) => {
  const doc = invoice('_r1');
  const opts = { signer: seller, referenceId: '_r1', placeholder: '<NBan></NBan>', signingTime: new Date() };
  const code = (xml: string, o: Partial<typeof opts> & { signatureId?: string } = {}): string => {
    try {
      signEnveloped(xml, { ...opts, ...o });
      return 'signed';
    } catch (err) {
      return err instanceof XmlSignatureError ? err.code : String(err);
    }
  };
  t.equal(code(doc), 'signed');
  t.equal(code(doc, { referenceId: '_nope' }), 'xmldsig.id_not_found');
  t.equal(code(doc.replace('<MCCQT>', '<MCCQT Id="_r1">')), 'xmldsig.id_not_unique');
  t.equal(code(doc, { referenceId: 'bad id' }), 'xmldsig.bad_id');
  t.equal(code(doc, { placeholder: '<CKSNNT></CKSNNT>' }), 'xmldsig.placeholder_not_found');
  t.equal(code(doc, { placeholder: '<NBan/>' }), 'xmldsig.bad_placeholder');
  t.equal(code(doc.replace('<MCCQT>', '<NBan></NBan><MCCQT>')), 'xmldsig.placeholder_not_unique');
  t.equal(code(doc.replace('<PBan>2.1.0</PBan>', '<PBan/>')), 'xmldsig.not_canonical');
  t.equal(code(doc.replace('<HDon>', '<HDon xmlns="urn:x">')), 'xmldsig.not_canonical', 'namespace on an ancestor');
  t.equal(code(doc, { signatureId: 'Sig-1' }), 'signed');
  t.equal(code(signInvoice(doc, '_r1').replace('<DSCKS><NBan>', '<DSCKS><NMua></NMua><NBan>'), { placeholder: '<NMua></NMua>', signatureId: 'x' }), 'signed');
  t.throws(() => formatSigningTime(new Date('nope')), { code: 'xmldsig.bad_time' });
});
