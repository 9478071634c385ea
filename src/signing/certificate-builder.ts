// X.509 certificates for the project's own stand-ins (the simulator's identity, demo businesses,
// tests; never a real seller's). forge lays out the TBSCertificate and node:crypto signs it:
// forge's JavaScript RSA is ~100x slower. forge only knows RSA public keys, so the subject's
// SubjectPublicKeyInfo is put into the TBS as given (an EC key works too, for tests of refusals).
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1, pki } = forge;
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/** The userID attribute sellers' certificates carry "MST:<tax code>" in. */
export const UID_OID = '0.9.2342.19200300.100.1.1';

export type NameAttribute = { type: string; value: string; valueTagClass?: number };
export const utf8Attr = (type: string, value: string): NameAttribute => ({ type, value, valueTagClass: asn1.Type.UTF8 as number });

/** A signing certificate's extensions (not a CA). */
export const SIGNER_EXTENSIONS: readonly object[] = [
  { name: 'basicConstraints', cA: false, critical: true },
  { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
];

export interface CertificateSpec {
  subject: NameAttribute[];
  issuer: NameAttribute[];
  /** The subject's public key, DER SubjectPublicKeyInfo. */
  spkiDer: Buffer;
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** forge extension objects. */
  extensions: readonly object[];
}

let placeholder: forge.pki.PublicKey | undefined;
/**
 * The key forge lays the TBS out with: the subject's own when it is RSA (forge derives a
 * subjectKeyIdentifier extension from it), else a stand-in that the subject's SPKI replaces.
 */
function forgeKey(spkiDer: Buffer): forge.pki.PublicKey {
  try {
    return pki.publicKeyFromAsn1(asn1.fromDer(spkiDer.toString('binary')));
  } catch {
    return (placeholder ??= pki.publicKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()));
  }
}

export function buildCertificateDer(spec: CertificateSpec): Buffer {
  const cert = pki.createCertificate();
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(spec.subject as forge.pki.CertificateField[]);
  cert.setIssuer(spec.issuer as forge.pki.CertificateField[]);
  cert.publicKey = forgeKey(spec.spkiDer);
  cert.setExtensions(spec.extensions.map((e) => ({ ...e }))); // forge writes into the objects it is given
  cert.siginfo.algorithmOid = SHA256_WITH_RSA;
  // getTBSCertificate is public in forge but missing from @types/node-forge
  const tbs = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (tbs.value as forge.asn1.Asn1[])[6] = asn1.fromDer(spec.spkiDer.toString('binary'));
  const signature = sign('sha256', Buffer.from(asn1.toDer(tbs).getBytes(), 'binary'), spec.signingKey);
  const full = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  return Buffer.from(asn1.toDer(full).getBytes(), 'binary');
}

export const certificatePem = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
