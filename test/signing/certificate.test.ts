/** Certificates as real CAs make them (made here with the openssl CLI), not only as our helper does. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { makeSellerPkcs12, testCa } from '../helpers/certs.js';
import { loadPkcs12, parseCertificateDer } from '../../src/signing/pkcs12.js';
import { signEnveloped, verifyEnveloped } from '../../src/signing/xmldsig.js';

const ca = testCa();
const dir = t.testdir({
  'ca.pem': ca.certPem,
  'ca-key.pem': ca.keyPem,
  'k1.pem': makeSellerPkcs12({ taxCode: '0100000001', legacy: true }).keyPem,
  'k2.pem': makeSellerPkcs12({ taxCode: '0100000002', legacy: true }).keyPem,
  'req.cnf': 'oid_section=oids\n[req]\ndistinguished_name=dn\nstring_mask=pkix\n[dn]\n[oids]\nvendorAttr=1.3.6.1.4.1.99999.1\n',
  'ext.cnf':
    '[inter]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' +
    '[leaf]\nbasicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nauthorityKeyIdentifier=keyid\n',
});

function openssl(...args: string[]): void {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${run.error?.message ?? run.stderr}`);
}

t.test('BMPString and PrintableString names, multi-valued RDNs, unknown attributes, GeneralizedTime', async (t) => {
  openssl('req', '-x509', '-key', 'k1.pem', '-utf8', '-config', 'req.cnf', '-days', '10000', '-out', 'bmp.pem',
    '-subj', '/CN=Hộ kinh doanh Bà Ba/UID=CCCD:001099012345/OU=Quầy 1+serialNumber=MST:0101243150/vendorAttr=x/C=VN');
  const der = new X509Certificate(readFileSync(join(dir, 'bmp.pem'))).raw;
  const info = parseCertificateDer(der);
  t.equal(info.subject, 'CN=Hộ kinh doanh Bà Ba,UID=CCCD:001099012345,OU=Quầy 1+SERIALNUMBER=MST:0101243150,1.3.6.1.4.1.99999.1=#130178,C=VN');
  t.equal(info.issuer, info.subject);
  t.same(info.taxCodes, ['CCCD:001099012345', 'MST:0101243150']);
  t.ok(info.notAfter.getUTCFullYear() >= 2050, 'GeneralizedTime after 2049');
  t.equal(info.notAfter.getTime(), new Date(new X509Certificate(der).validTo).getTime());
});

t.test('a chain through an intermediate CA carried in KeyInfo', async (t) => {
  openssl('req', '-new', '-key', 'k1.pem', '-subj', '/CN=Test Intermediate CA/C=VN', '-out', 'inter.csr');
  openssl('x509', '-req', '-in', 'inter.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-set_serial', '2', '-days', '30',
    '-extfile', 'ext.cnf', '-extensions', 'inter', '-out', 'inter.pem');
  openssl('req', '-new', '-key', 'k2.pem', '-utf8', '-subj', '/CN=Nhà hàng Sen/UID=MST:0100000002/C=VN', '-out', 'leaf.csr');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'inter.pem', '-CAkey', 'k1.pem', '-set_serial', '3', '-days', '30',
    '-extfile', 'ext.cnf', '-extensions', 'leaf', '-out', 'leaf.pem');
  openssl('pkcs12', '-export', '-inkey', 'k2.pem', '-in', 'leaf.pem', '-certfile', 'inter.pem', '-passout', 'pass:secret', '-out', 'leaf.p12');

  const signer = loadPkcs12(readFileSync(join(dir, 'leaf.p12')), 'secret', { expectedTaxCode: '0100000002' });
  t.equal(signer.info.issuer, 'CN=Test Intermediate CA,C=VN');
  const signed = signEnveloped('<HDon><DLHDon Id="_c"><Ten>Sen</Ten></DLHDon><DSCKS><NBan></NBan></DSCKS></HDon>', {
    signer, referenceId: '_c', placeholder: '<NBan></NBan>', signingTime: new Date(),
  });
  const interB64 = new X509Certificate(readFileSync(join(dir, 'inter.pem'))).raw.toString('base64');
  const withChain = signed.replace('</X509Data>', `<X509Certificate>${interB64}</X509Certificate></X509Data>`);

  const trustedCertsDer = [ca.certDer];
  t.match(verifyEnveloped(signed, { referenceId: '_c', trustedCertsDer }), { ok: false, reason: /does not chain/ }, 'leaf alone');
  t.match(verifyEnveloped(withChain, { referenceId: '_c', trustedCertsDer }), { ok: true }, 'leaf + intermediate');
  t.match(verifyEnveloped(signed, { referenceId: '_c', trustedCertsDer: [...trustedCertsDer, new X509Certificate(readFileSync(join(dir, 'inter.pem'))).raw] }), { ok: true }, 'intermediate trusted directly');

  const xmlsec1 = (xml: string, name: string): number | null => {
    writeFileSync(join(dir, name), xml);
    return spawnSync('/usr/bin/xmlsec1', ['--verify', '--id-attr:Id', 'DLHDon', '--trusted-pem', 'ca.pem', name], { cwd: dir }).status;
  };
  t.not(xmlsec1(signed, 'leaf-only.xml'), 0, 'xmlsec1 agrees: leaf alone does not chain');
  t.equal(xmlsec1(withChain, 'with-chain.xml'), 0, 'xmlsec1 agrees: chain through the intermediate in X509Data');
});
