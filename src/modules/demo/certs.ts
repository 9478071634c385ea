// Certificates for demo businesses: a "hoadon-mtt demo CA" and seller certificates it issues,
// subject "CN=<name>, UID=MST:<taxCode>, O=<name>, L=<province>, C=VN". RSA keys come from
// node:crypto and are shared by a small pool (key generation dominates otherwise); certificates are
// assembled with node-forge and signed with node:crypto. Demo only: the keys are throwaway and the
// CA is trusted by nobody (the built-in simulator does not require a trusted chain).
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { signerFromStored } from '../businesses/keystore.js';
import type { Signer } from '../../signing/pkcs12.js';

const { asn1, pki } = forge;
const UID_OID = '0.9.2342.19200300.100.1.1';
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const KEY_POOL = 4;

interface KeyPair {
  privateKey: KeyObject;
  publicKeyPem: string;
  pkcs8Der: Buffer;
}

type Attr = { type: string; value: string; valueTagClass?: number };
const utf8 = (type: string, value: string): Attr => ({ type, value, valueTagClass: asn1.Type.UTF8 as number });

function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    pkcs8Der: privateKey.export({ type: 'pkcs8', format: 'der' }),
  };
}

/** forge lays out the TBSCertificate; node:crypto signs it (forge's JavaScript RSA is slow). */
function certificateDer(spec: { subject: Attr[]; issuer: Attr[]; publicKeyPem: string; signingKey: KeyObject; notBefore: Date; notAfter: Date; ca: boolean }): Buffer {
  const cert = pki.createCertificate();
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  cert.setSubject(spec.subject as forge.pki.CertificateField[]);
  cert.setIssuer(spec.issuer as forge.pki.CertificateField[]);
  cert.publicKey = pki.publicKeyFromPem(spec.publicKeyPem);
  cert.setExtensions(
    spec.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false, critical: true },
          { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
        ],
  );
  cert.siginfo.algorithmOid = SHA256_WITH_RSA;
  // getTBSCertificate is public in forge but missing from @types/node-forge
  const tbs = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
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

const CA_SUBJECT: Attr[] = [utf8('2.5.4.3', 'hoadon-mtt demo CA'), utf8('2.5.4.10', 'hoadon-mtt demo'), { type: '2.5.4.6', value: 'VN' }];

export interface DemoCertificates {
  /** A seller signer valid from `notBefore` for two years. */
  seller(p: { taxCode: string; name: string; locality: string; notBefore: Date }): Signer;
}

export function demoCertificates(): DemoCertificates {
  const ca = newKeyPair();
  const keys: KeyPair[] = [];
  let next = 0;
  return {
    seller(p) {
      const key = keys.length < KEY_POOL ? (keys[keys.length] = newKeyPair()) : keys[next++ % KEY_POOL]!;
      const der = certificateDer({
        subject: [utf8('2.5.4.3', p.name), utf8(UID_OID, `MST:${p.taxCode}`), utf8('2.5.4.10', p.name), utf8('2.5.4.7', p.locality), { type: '2.5.4.6', value: 'VN' }],
        issuer: CA_SUBJECT,
        publicKeyPem: key.publicKeyPem,
        signingKey: ca.privateKey,
        notBefore: p.notBefore,
        notAfter: new Date(p.notBefore.getTime() + 2 * 365 * 86_400_000),
        ca: false,
      });
      return signerFromStored(der, key.pkcs8Der);
    },
  };
}
