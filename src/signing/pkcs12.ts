import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import {
  CertificateError,
  checkTaxCode,
  checkValidityAt,
  parseCertificateDer,
  type CertificateInfo,
} from './certificate.js';

export { CertificateError, parseCertificateDer, type CertificateErrorCode, type CertificateInfo } from './certificate.js';

/** A seller's signing identity, opened once and reused for every signature. */
export interface Signer {
  /** node:crypto key: all signing goes through OpenSSL, never through forge's JavaScript RSA. */
  privateKey: KeyObject;
  certificateDer: Buffer;
  certificateBase64: string;
  info: CertificateInfo;
  /** The text of KeyInfo/X509Data/X509SubjectName. */
  x509SubjectName: string;
}

export interface LoadPkcs12Options {
  now?: Date;
  /** The seller's tax code; the certificate subject must carry it (see taxCodeMatches). */
  expectedTaxCode?: string;
}

const oids = forge.pki.oids;

function isPasswordFailure(message: string): boolean {
  return /MAC could not be verified|Invalid password|Failed to decrypt|Unable to decrypt|wrong password/i.test(message);
}

type Pbes2CipherFactory = (oid: string, params: unknown, password: string) => unknown;
const pbe = (forge.pki as unknown as { pbe: { getCipherForPBES2: Pbes2CipherFactory } }).pbe;

/**
 * Password bytes differ per scheme: the MAC and the legacy PKCS#12 PBE use its BMPString (UTF-16)
 * form, which forge derives from the JavaScript string, while PBES2 (the AES files) uses its UTF-8
 * bytes, as OpenSSL and Windows do; forge feeds the string as Latin-1, which only agrees for ASCII.
 * For a non-ASCII password, PBES2 alone gets the UTF-8 form for the duration of this synchronous
 * call, so files mixing both schemes open too.
 */
function withUtf8Pbes2Passwords<T>(password: string, open: () => T): T {
  if (!/[^\x00-\x7f]/.test(password)) return open();
  const original = pbe.getCipherForPBES2;
  pbe.getCipherForPBES2 = (oid, params, pw) => original(oid, params, pw === password ? forge.util.encodeUtf8(pw) : pw);
  try {
    return open();
  } finally {
    pbe.getCipherForPBES2 = original;
  }
}

function openPfx(der: Buffer, password: string): forge.pkcs12.Pkcs12Pfx {
  let pfxAsn1: forge.asn1.Asn1;
  try {
    pfxAsn1 = forge.asn1.fromDer(der.toString('binary'), false);
  } catch (err) {
    throw new CertificateError('certificate.invalid', 'Not a PKCS#12 (.p12/.pfx) file: unreadable DER', { cause: err });
  }
  try {
    return withUtf8Pbes2Passwords(password, () => forge.pkcs12.pkcs12FromAsn1(pfxAsn1, false, password));
  } catch (err) {
    const message = (err as Error).message;
    if (isPasswordFailure(message)) {
      throw new CertificateError('certificate.bad_password', 'Wrong password for the PKCS#12 file', { cause: err });
    }
    throw new CertificateError('certificate.invalid', `Unreadable PKCS#12 file: ${message}`, { cause: err });
  }
}

function bagsOf(pfx: forge.pkcs12.Pkcs12Pfx, type: string): forge.pkcs12.Bag[] {
  return pfx.getBags({ bagType: type })[type] ?? [];
}

function toBuffer(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

function privateKeyOf(bag: forge.pkcs12.Bag): KeyObject {
  // forge decodes RSA keys itself and leaves others (EC, …) as raw PrivateKeyInfo ASN.1
  const pkcs8 = bag.key
    ? toBuffer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)))
    : toBuffer(bag.asn1);
  try {
    return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new CertificateError('certificate.invalid', 'The private key in the PKCS#12 file is unreadable', {
      cause: err,
    });
  }
}

function certificateDerOf(bag: forge.pkcs12.Bag): Buffer {
  // forge keeps no raw bytes: re-encoding its ASN.1 tree gives back the DER of a DER certificate
  return bag.cert ? toBuffer(forge.pki.certificateToAsn1(bag.cert)) : toBuffer(bag.asn1);
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/**
 * Opens a seller's PKCS#12 (.p12/.pfx): legacy 3DES/SHA-1 files and current AES-256/SHA-256 ones.
 * Picks the certificate that matches the private key (files often carry the CA chain too), then
 * checks RSA, validity at `now` and the seller's tax code.
 */
export function loadPkcs12(der: Buffer, password: string, opts: LoadPkcs12Options = {}): Signer {
  const pfx = openPfx(der, password);
  const keyBags = [...bagsOf(pfx, oids.pkcs8ShroudedKeyBag!), ...bagsOf(pfx, oids.keyBag!)];
  const keyBag = keyBags[0];
  if (!keyBag) throw new CertificateError('certificate.invalid', 'The PKCS#12 file holds no private key');
  if (keyBags.length > 1) {
    throw new CertificateError('certificate.invalid', `The PKCS#12 file holds ${keyBags.length} private keys, expected one`);
  }
  const certDers = bagsOf(pfx, oids.certBag!).map(certificateDerOf);
  if (certDers.length === 0) throw new CertificateError('certificate.invalid', 'The PKCS#12 file holds no certificate');

  const privateKey = privateKeyOf(keyBag);
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new CertificateError(
      'certificate.not_rsa',
      `The key is ${privateKey.asymmetricKeyType ?? 'of unknown type'}; invoices are signed with RSA (rsa-sha256)`,
    );
  }
  const publicKey = spki(createPublicKey(privateKey));
  const certificateDer = certDers.find((d) => {
    try {
      return spki(new X509Certificate(d).publicKey).equals(publicKey);
    } catch {
      return false;
    }
  });
  if (!certificateDer) {
    throw new CertificateError('certificate.key_mismatch', 'No certificate in the PKCS#12 file matches its private key');
  }
  const info = parseCertificateDer(certificateDer);
  const signer: Signer = {
    privateKey,
    certificateDer,
    certificateBase64: certificateDer.toString('base64'),
    info,
    x509SubjectName: info.subject,
  };
  checkSignerValidity(signer, opts.now ?? new Date());
  if (opts.expectedTaxCode !== undefined) checkTaxCode(info, opts.expectedTaxCode);
  return signer;
}

/** Re-check before each use: a signer loaded at start-up may expire while the process runs. */
export function checkSignerValidity(signer: Signer, now: Date): void {
  checkValidityAt(signer.info, now);
}
