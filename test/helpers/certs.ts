/**
 * Test certificates for every test of the project: a test CA and seller PKCS#12 files.
 *
 * RSA keys come from node:crypto (native, fast) and are cached per process: one CA key and a small
 * pool of seller keys, so fifty certificates do not cost fifty key generations. Certificates are
 * built by src/signing/certificate-builder.ts. PKCS#12 files: legacy 3DES/SHA-1 ones
 * come from forge; the default AES-256-CBC/SHA-256 ones (encrypted certificate bag, SHA-256 MAC)
 * and anything holding an EC key come from the `openssl` CLI, as forge cannot write them.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { buildCertificateDer, certificatePem, SIGNER_EXTENSIONS, UID_OID, utf8Attr, type NameAttribute } from '../../src/signing/certificate-builder.js';

const { asn1, pki } = forge;
const DAY = 86_400_000;
const SELLER_KEY_POOL = 4;

interface KeyPair {
  privateKey: KeyObject;
  keyPem: string;
  spkiDer: Buffer;
}

function newKeyPair(type: 'rsa' | 'ec'): KeyPair {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

const sellerKeys: KeyPair[] = [];
let ecKey: KeyPair | undefined;

/** Seller keys are picked by tax code, so a seller keeps its key within a process. */
function sellerKey(taxCode: string, shift = 0): KeyPair {
  const slot = (createHash('sha256').update(taxCode).digest().readUInt32BE(0) + shift) % SELLER_KEY_POOL;
  return (sellerKeys[slot] ??= newKeyPair('rsa'));
}

let caKey: KeyPair | undefined;
const caKeyPair = (): KeyPair => (caKey ??= newKeyPair('rsa'));
const CA_SUBJECT: NameAttribute[] = [
  utf8Attr('2.5.4.3', 'Test CA hoadon-mtt'),
  utf8Attr('2.5.4.10', 'hoadon-mtt tests'),
  { type: '2.5.4.6', value: 'VN' },
];
/** RFC 5280 method 1 key identifier (SHA-1 of the RSAPublicKey), as a forge byte string. */
const caSki = (): string =>
  createHash('sha1')
    .update(createPublicKey(caKeyPair().privateKey).export({ type: 'pkcs1', format: 'der' }))
    .digest('binary');

let ca: { certPem: string; certDer: Buffer; keyPem: string } | undefined;

/** A self-signed "Test CA hoadon-mtt", cached per process. */
export function testCa(): { certPem: string; certDer: Buffer; keyPem: string } {
  if (ca) return ca;
  const now = Date.now();
  const certDer = buildCertificateDer({
    subject: CA_SUBJECT,
    issuer: CA_SUBJECT,
    spkiDer: caKeyPair().spkiDer,
    signingKey: caKeyPair().privateKey,
    notBefore: new Date(now - 365 * DAY),
    notAfter: new Date(now + 20 * 365 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier', subjectKeyIdentifier: forge.util.bytesToHex(caSki()) },
    ],
  });
  ca = { certPem: certificatePem(certDer), certDer, keyPem: caKeyPair().keyPem };
  return ca;
}

export interface SellerPkcs12Options {
  taxCode: string;
  /** Defaults to "Nhà hàng Phở Việt". */
  name?: string;
  /** Defaults to 'secret'. */
  password?: string;
  /** Defaults to one day ago. */
  notBefore?: Date;
  /** Defaults to one year from now. */
  notAfter?: Date;
  /** Replaces the UID attribute value "MST:<taxCode>", e.g. 'CCCD:001099012345'. */
  subjectUid?: string;
  /** forge's 3DES / SHA-1 PKCS#12 instead of OpenSSL's AES-256-CBC / SHA-256. */
  legacy?: boolean;
  /** 'ec' makes a P-256 key, to test the refusal of non-RSA certificates. */
  keyType?: 'rsa' | 'ec';
  /** Package a certificate with another seller's key (to test certificate.key_mismatch). */
  mismatchedKey?: boolean;
}

export interface SellerPkcs12 {
  pkcs12: Buffer;
  base64: string;
  password: string;
  certPem: string;
  keyPem: string;
}

function opensslPkcs12(keyPem: string, certPem: string, password: string, legacy: boolean): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'hoadon-p12-'));
  try {
    writeFileSync(join(dir, 'key.pem'), keyPem);
    writeFileSync(join(dir, 'cert.pem'), certPem);
    writeFileSync(join(dir, 'ca.pem'), testCa().certPem);
    const pbe = legacy
      ? ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
      : ['-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256'];
    const args = ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-certfile', 'ca.pem', ...pbe,
      '-passout', 'env:P12_PASSWORD', '-out', 'out.p12'];
    const run = spawnSync('openssl', args, { cwd: dir, env: { ...process.env, P12_PASSWORD: password }, encoding: 'utf8' });
    if (run.error || run.status !== 0) {
      throw new Error(`openssl pkcs12 -export failed (is openssl installed?): ${run.error?.message ?? run.stderr}`);
    }
    return readFileSync(join(dir, 'out.p12'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function forgePkcs12(keyPem: string, certPem: string, password: string, legacy: boolean): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    pki.privateKeyFromPem(keyPem),
    [pki.certificateFromPem(certPem), pki.certificateFromPem(testCa().certPem)],
    password,
    { algorithm: legacy ? '3des' : 'aes256' },
  );
  return Buffer.from(asn1.toDer(p12).getBytes(), 'binary');
}

/** A seller's PKCS#12 issued by the test CA, subject "CN=<name>, UID=MST:<taxCode>, O=<name>, L=Hà Nội, C=VN". */
export function makeSellerPkcs12(opts: SellerPkcs12Options): SellerPkcs12 {
  const name = opts.name ?? 'Nhà hàng Phở Việt';
  const password = opts.password ?? 'secret';
  const keyType = opts.keyType ?? 'rsa';
  const now = Date.now();
  const certKey = keyType === 'ec' ? (ecKey ??= newKeyPair('ec')) : sellerKey(opts.taxCode);
  const packagedKey = opts.mismatchedKey ? sellerKey(opts.taxCode, 1) : certKey;
  const certDer = buildCertificateDer({
    subject: [
      utf8Attr('2.5.4.3', name),
      utf8Attr(UID_OID, opts.subjectUid ?? `MST:${opts.taxCode}`),
      utf8Attr('2.5.4.10', name),
      utf8Attr('2.5.4.7', 'Hà Nội'),
      { type: '2.5.4.6', value: 'VN' },
    ],
    issuer: CA_SUBJECT,
    spkiDer: certKey.spkiDer,
    signingKey: caKeyPair().privateKey,
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 365 * DAY),
    extensions: [...SIGNER_EXTENSIONS, { name: 'authorityKeyIdentifier', keyIdentifier: caSki() }],
  });
  const certPem = certificatePem(certDer);
  const keyPem = packagedKey.keyPem;
  // forge can neither package an EC key nor write an AES-256/SHA-256 file with an encrypted cert
  // bag (its MAC is always SHA-1); openssl refuses to package a key with a certificate not its own
  const legacy = opts.legacy ?? false;
  const pkcs12 =
    opts.mismatchedKey || (legacy && keyType === 'rsa')
      ? forgePkcs12(keyPem, certPem, password, legacy)
      : opensslPkcs12(keyPem, certPem, password, legacy);
  return { pkcs12, base64: pkcs12.toString('base64'), password, certPem, keyPem };
}
