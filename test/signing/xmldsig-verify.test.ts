/** verifyEnveloped on its own: locating one signature among many, and what it refuses. */
import t from 'tap';
import { makeSellerPkcs12, testCa } from '../helpers/certs.js';
import { loadPkcs12 } from '../../src/signing/pkcs12.js';
import { parseSigningTime, signEnveloped, verifyEnveloped, type VerifyResult } from '../../src/signing/xmldsig.js';

const seller = loadPkcs12(makeSellerPkcs12({ taxCode: '0101243150' }).pkcs12, 'secret');
const trustedCertsDer = [testCa().certDer];
const doc = '<HDon><DLHDon Id="_d"><Ten>Bún chả</Ten></DLHDon><DSCKS><A></A><B></B></DSCKS></HDon>';
const sign = (xml: string, placeholder: string, signatureId?: string): string =>
  signEnveloped(xml, { signer: seller, referenceId: '_d', placeholder, signingTime: new Date(), ...(signatureId ? { signatureId } : {}) });
const reason = (r: VerifyResult): string => (r.ok ? 'ok' : r.reason);

t.test('two signatures over the same element: the locator picks one', async (t) => {
  const twice = sign(sign(doc, '<A></A>', 'SigA'), '<B></B>', 'SigB');
  t.match(reason(verifyEnveloped(twice, { referenceId: '_d' })), /2 Signatures reference #_d/);
  t.equal(reason(verifyEnveloped(twice, { referenceId: '_d', signatureLocator: { containerTag: 'B' } })), 'ok');
  t.equal(reason(verifyEnveloped(twice, { referenceId: '_d', signatureLocator: { signatureId: 'SigA' } })), 'ok');
  t.match(reason(verifyEnveloped(twice, { referenceId: '_d', signatureLocator: { signatureId: 'SigC' } })), /no Signature references/);
  const brokenB = twice.replace(/(Id="SigB">[\s\S]*?<SignatureValue>)(.)/, (_, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'));
  t.equal(reason(verifyEnveloped(brokenB, { referenceId: '_d', signatureLocator: { signatureId: 'SigA' } })), 'ok', 'A unaffected');
  t.match(reason(verifyEnveloped(brokenB, { referenceId: '_d', signatureLocator: { signatureId: 'SigB' } })), /does not verify/);
});

t.test('refusals', async (t) => {
  const signed = sign(doc, '<A></A>');
  const ok = { referenceId: '_d', trustedCertsDer };
  t.equal(reason(verifyEnveloped(signed, ok)), 'ok');
  t.match(reason(verifyEnveloped(doc, ok)), /no Signature references #_d/, 'unsigned');
  t.match(reason(verifyEnveloped('not xml at all', ok)), /no Signature/);
  t.match(reason(verifyEnveloped(signed.replace('xmldsig-more#rsa-sha256', 'xmldsig#rsa-sha1'), ok)), /unsupported SignatureMethod/);
  t.match(reason(verifyEnveloped(signed.replace('REC-xml-c14n-20010315', 'REC-xml-c14n-20010315#WithComments'), ok)), /unsupported CanonicalizationMethod/);
  t.match(reason(verifyEnveloped(signed.replace('xmlenc#sha256', 'xmldsig#sha1'), ok)), /unsupported DigestMethod/);
  t.match(reason(verifyEnveloped(signed.replace('#enveloped-signature', '#base64'), ok)), /unsupported Transform/);
  t.match(reason(verifyEnveloped(signed.replace('<DigestMethod', '<Foo></Foo><DigestMethod'), ok)), /expected layout/);
  t.match(reason(verifyEnveloped(signed.replace(/<X509Certificate>[^<]*/, '<X509Certificate>AAAA'), ok)), /unreadable X509Certificate/);
  t.match(reason(verifyEnveloped(signed.replace(/<X509Data>[\s\S]*<\/X509Data>/, '<X509Data></X509Data>'), ok)), /no X509Certificate/);
  t.match(reason(verifyEnveloped(signed.replace(/<SigningTime>[^<]*/, '<SigningTime>2026-13-01T00:00:00'), ok)), /digest mismatch/);
  t.match(reason(verifyEnveloped(signed.replace('<Ten>Bún chả</Ten>', '<Ten>Bún chả</Ten><!--x-->'), ok)), /not in the canonical text form/,
    'a comment: xmlsec1 would ignore it, this verifier fails closed');
  t.match(reason(verifyEnveloped(signed.replace('<HDon>', '<HDon xmlns="urn:x">'), ok)), /namespace/);
  t.match(reason(verifyEnveloped(signed.replace('<DSCKS>', '<DSCKS><X Id="_d"></X>'), ok)), /not_unique|2 elements have Id/);
  t.match(reason(verifyEnveloped(signed, { ...ok, referenceId: /Object Id="([^"]+)"/.exec(signed)?.[1] ?? '' })), /no Signature references|inside its own Signature/);
  t.match(reason(verifyEnveloped(signed.replace('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"', '<Signature xmlns="urn:other"'), ok)), /does not declare/);
  t.match(reason(verifyEnveloped(signed.replace('<SignatureProperties>', '<SignatureProperties><!--c-->'), ok)), /not in canonical form/);
  const noTimeRef = signed.replace(/<Reference URI="#SigningTime[\s\S]*?<\/Reference>/, '');
  t.match(reason(verifyEnveloped(noTimeRef, ok)), /does not verify|SigningTime is not covered/);
});

t.test('parseSigningTime', async (t) => {
  t.equal(parseSigningTime('2026-07-15T12:34:56')?.toISOString(), '2026-07-15T05:34:56.000Z');
  t.equal(parseSigningTime('2026-01-01T00:00:00')?.toISOString(), '2025-12-31T17:00:00.000Z');
  for (const bad of ['2026-02-30T00:00:00', '2026-07-15 12:34:56', '2026-07-15T24:00:00', '2026-07-15T12:34:56Z', '']) {
    t.equal(parseSigningTime(bad), null, bad);
  }
});

t.test('certificates are read once; each result is the caller’s own', async (t) => {
  const signed = sign(doc, '<A></A>');
  const opts = { referenceId: '_d', trustedCertsDer };
  const first = verifyEnveloped(signed, opts);
  if (!first.ok) return t.fail(first.reason);
  first.certificate.taxCodes.push('MST:0000000000');
  first.certificate.notAfter.setTime(0);
  const again = verifyEnveloped(signed, opts);
  if (!again.ok) return t.fail(again.reason);
  t.strictSame(again.certificate.taxCodes, ['MST:0101243150'], 'the cached reading is untouched');
  t.ok(again.certificate.notAfter.getTime() > Date.now());
  const twice = signed.replace(/(<X509Certificate>[^<]*<\/X509Certificate>)/, '$1$1');
  t.equal(reason(verifyEnveloped(twice, opts)), 'ok', 'the same certificate twice in KeyInfo');
  const otherCa = signed.replace(/(<X509Certificate>[^<]*<\/X509Certificate>)/, `$1<X509Certificate>${testCa().certDer.toString('base64')}</X509Certificate>`);
  t.equal(reason(verifyEnveloped(otherCa, opts)), 'ok', 'with its CA beside it');
  t.match(reason(verifyEnveloped(signed, { referenceId: '_d', trustedCertsDer: [Buffer.alloc(0)] })), /malformed signature/, 'an unreadable trusted CA fails closed');
});
