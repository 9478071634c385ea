import t from 'tap';
import { createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { makeSellerPkcs12, testCa } from '../helpers/certs.js';
import {
  CertificateError,
  checkSignerValidity,
  loadPkcs12,
  parseCertificateDer,
  type CertificateErrorCode,
} from '../../src/signing/pkcs12.js';

const DAY = 86_400_000;
const TAX_CODE = '0101243150';

function errorCode(fn: () => unknown): CertificateErrorCode | string {
  try {
    fn();
  } catch (err) {
    return err instanceof CertificateError ? err.code : `not a CertificateError: ${String(err)}`;
  }
  return 'no error';
}

t.test('opens the current AES-256/SHA-256 format (OpenSSL 3 default) and reads the certificate', async (t) => {
  const p12 = makeSellerPkcs12({ taxCode: TAX_CODE });
  const signer = loadPkcs12(p12.pkcs12, p12.password, { expectedTaxCode: TAX_CODE });
  const x509 = new X509Certificate(p12.certPem);

  t.ok(signer.certificateDer.equals(x509.raw), 'certificate DER is byte-identical to the issued one');
  t.equal(signer.certificateBase64, x509.raw.toString('base64'));
  t.equal(signer.info.subject, 'CN=Nhà hàng Phở Việt,UID=MST:0101243150,O=Nhà hàng Phở Việt,L=Hà Nội,C=VN');
  t.equal(signer.info.issuer, 'CN=Test CA hoadon-mtt,O=hoadon-mtt tests,C=VN');
  t.equal(signer.info.serial, x509.serialNumber.toUpperCase(), 'serial as OpenSSL prints it (the helper keeps the first octet 0x01)');
  t.equal(signer.info.fingerprintSha256, x509.fingerprint256.replaceAll(':', ''));
  t.equal(signer.info.notAfter.getTime(), new Date(x509.validTo).getTime());
  t.equal(signer.info.notBefore.getTime(), new Date(x509.validFrom).getTime());
  t.same(signer.info.taxCodes, ['MST:0101243150']);
  t.equal(signer.x509SubjectName, signer.info.subject);
  t.equal(signer.privateKey.asymmetricKeyType, 'rsa');
  t.equal(signer.privateKey.type, 'private');

  const data = Buffer.from('hóa đơn');
  const signature = sign('sha256', data, signer.privateKey);
  t.ok(verify('sha256', data, createPublicKey(p12.certPem), signature), 'the key signs for the certificate');
});

t.test('opens forge-default legacy 3DES/SHA-1 files', async (t) => {
  const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, legacy: true });
  const signer = loadPkcs12(p12.pkcs12, 'secret');
  t.ok(signer.certificateDer.equals(new X509Certificate(p12.certPem).raw));
  t.same(signer.info.taxCodes, ['MST:0101243150']);
});

t.test('picks the certificate of the key when the file carries the CA chain too', async (t) => {
  // both helper formats put the test CA next to the seller certificate
  for (const legacy of [false, true]) {
    const signer = loadPkcs12(makeSellerPkcs12({ taxCode: TAX_CODE, legacy }).pkcs12, 'secret');
    t.not(signer.certificateDer.equals(testCa().certDer), true, `legacy=${legacy}: not the CA`);
    t.equal(signer.info.issuer, 'CN=Test CA hoadon-mtt,O=hoadon-mtt tests,C=VN');
  }
});

t.test('non-ASCII passwords, in both formats', async (t) => {
  for (const legacy of [false, true]) {
    const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, password: 'mật khẩu', legacy });
    t.equal(loadPkcs12(p12.pkcs12, 'mật khẩu').info.taxCodes[0], 'MST:0101243150', `legacy=${legacy}`);
    t.equal(errorCode(() => loadPkcs12(p12.pkcs12, 'mat khau')), 'certificate.bad_password', `legacy=${legacy} wrong`);
  }
});

t.test('files mixing AES (PBES2) and legacy PKCS#12 encryption, with a non-ASCII password', async (t) => {
  const p12 = makeSellerPkcs12({ taxCode: TAX_CODE });
  const dir = t.testdir({ 'key.pem': p12.keyPem, 'cert.pem': p12.certPem });
  const pbes2 = (forge.pki as unknown as { pbe: { getCipherForPBES2: unknown } }).pbe;
  const forgeFunction = pbes2.getCipherForPBES2;
  for (const [keypbe, certpbe] of [['AES-256-CBC', 'PBE-SHA1-3DES'], ['PBE-SHA1-3DES', 'AES-128-CBC']] as const) {
    const run = spawnSync('openssl', ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-keypbe', keypbe, '-certpbe', certpbe,
      '-passout', 'pass:Mật khẩu 1', '-out', 'mixed.p12'], { cwd: dir, encoding: 'utf8' });
    t.equal(run.status, 0, run.stderr);
    const der = readFileSync(join(dir, 'mixed.p12'));
    t.equal(loadPkcs12(der, 'Mật khẩu 1').info.taxCodes[0], 'MST:0101243150', `key ${keypbe}, certificate ${certpbe}`);
    t.equal(errorCode(() => loadPkcs12(der, 'Mật khẩu 2')), 'certificate.bad_password');
  }
  t.equal(pbes2.getCipherForPBES2, forgeFunction, "forge's PBES2 cipher factory is restored");
});

t.test('wrong password', async (t) => {
  for (const legacy of [false, true]) {
    const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, legacy });
    t.equal(errorCode(() => loadPkcs12(p12.pkcs12, 'Secret')), 'certificate.bad_password', `legacy=${legacy}`);
    t.equal(errorCode(() => loadPkcs12(p12.pkcs12, '')), 'certificate.bad_password', `legacy=${legacy} empty`);
  }
});

t.test('not a PKCS#12 file', async (t) => {
  t.equal(errorCode(() => loadPkcs12(Buffer.from('not a pfx'), 'secret')), 'certificate.invalid');
  t.equal(errorCode(() => loadPkcs12(testCa().certDer, 'secret')), 'certificate.invalid', 'a certificate is not a PKCS#12');
  t.equal(errorCode(() => parseCertificateDer(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))), 'certificate.invalid');
});

t.test('expired certificate: refused, and the message says when', async (t) => {
  const notAfter = new Date('2026-01-31T16:59:59Z');
  const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, notBefore: new Date('2025-02-01T00:00:00Z'), notAfter });
  let err: unknown;
  try {
    loadPkcs12(p12.pkcs12, 'secret', { now: new Date('2026-02-01T00:00:00Z') });
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof CertificateError);
  t.equal((err as CertificateError).code, 'certificate.expired');
  t.match((err as Error).message, /expired on 2026-01-31 23:59:59 \(UTC\+7\)/);
  t.equal(loadPkcs12(p12.pkcs12, 'secret', { now: new Date('2026-01-31T16:59:59Z') }).info.serial.length > 0, true, 'valid up to notAfter');
});

t.test('certificate not yet valid', async (t) => {
  const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 400 * DAY) });
  t.equal(errorCode(() => loadPkcs12(p12.pkcs12, 'secret')), 'certificate.not_yet_valid');
  t.equal(errorCode(() => loadPkcs12(p12.pkcs12, 'secret', { now: new Date(Date.now() + 2 * DAY) })), 'no error');
});

t.test('checkSignerValidity re-checks a loaded signer', async (t) => {
  const signer = loadPkcs12(makeSellerPkcs12({ taxCode: TAX_CODE }).pkcs12, 'secret');
  t.equal(errorCode(() => checkSignerValidity(signer, new Date())), 'no error');
  t.equal(errorCode(() => checkSignerValidity(signer, new Date(Date.now() + 400 * DAY))), 'certificate.expired');
  t.equal(errorCode(() => checkSignerValidity(signer, new Date(Date.now() - 2 * DAY))), 'certificate.not_yet_valid');
});

t.test('EC key: refused as not RSA', async (t) => {
  const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, keyType: 'ec' });
  t.equal(errorCode(() => loadPkcs12(p12.pkcs12, 'secret')), 'certificate.not_rsa');
});

t.test('certificate that does not belong to the key', async (t) => {
  for (const legacy of [false, true]) {
    const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, mismatchedKey: true, legacy });
    t.equal(errorCode(() => loadPkcs12(p12.pkcs12, 'secret')), 'certificate.key_mismatch', `legacy=${legacy}`);
  }
});

t.test('tax code matching', async (t) => {
  const load = (subjectUid: string, expectedTaxCode: string, name?: string): string => {
    const p12 = makeSellerPkcs12({ taxCode: TAX_CODE, subjectUid, legacy: true, ...(name ? { name } : {}) });
    return errorCode(() => loadPkcs12(p12.pkcs12, 'secret', { expectedTaxCode }));
  };
  t.equal(load('MST:0101243150', '0101243150'), 'no error');
  t.equal(load('MST:0101243150', '0101243151'), 'certificate.mst_mismatch', 'another company');
  t.equal(load('MST:0101243150', '010124315'), 'certificate.mst_mismatch', 'a prefix is not a match');
  t.equal(load('MST:0101243150-001', '0101243150-001'), 'no error', 'branch certificate');
  t.equal(load('MST:0101243150', '0101243150-001'), 'no error', 'branch signs with the parent certificate');
  t.equal(load('MST:0101243150-002', '0101243150-001'), 'certificate.mst_mismatch', 'another branch');
  t.equal(load('MST:0101243150-001', '0101243150'), 'certificate.mst_mismatch', 'a branch certificate is not the parent');
  t.equal(load('CCCD:001099012345', '001099012345'), 'no error', 'household: personal ID');
  t.equal(load('MST:001099012345', '001099012345'), 'no error', 'household: MST');
  t.equal(load('CCCD:001099012345', '001099012346'), 'certificate.mst_mismatch');
  t.equal(load('CCCD:0101243150', '0101243150'), 'certificate.mst_mismatch', 'CCCD only stands for 12-digit codes');
  t.equal(load('CMND:012345678', '0101243150'), 'certificate.mst_mismatch', 'no tax code at all');
  t.equal(load('CCCD:001099012345', '0101243150', 'Hộ kinh doanh MST: 0101243150'), 'no error', 'tax code in the CN');

  const info = loadPkcs12(makeSellerPkcs12({ taxCode: TAX_CODE, subjectUid: 'CCCD:001099012345', name: 'Hộ KD, MST:0101243150' }).pkcs12, 'secret').info;
  t.same(info.taxCodes.sort(), ['CCCD:001099012345', 'MST:0101243150']);
  t.equal(info.subject, 'CN=Hộ KD\\, MST:0101243150,UID=CCCD:001099012345,O=Hộ KD\\, MST:0101243150,L=Hà Nội,C=VN', 'RFC 4514 escaping');
});
