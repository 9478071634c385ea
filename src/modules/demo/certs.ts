// Certificates for demo businesses: a "hoadon-mtt demo CA" and seller certificates it issues,
// subject "CN=<name>, UID=MST:<taxCode>, O=<name>, L=<province>, C=VN". RSA keys come from
// node:crypto and are shared by a small pool (key generation dominates otherwise); certificates are
// built by src/signing/certificate-builder.ts. Demo only: the keys are throwaway and the
// CA is trusted by nobody (the built-in simulator does not require a trusted chain).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { signerFromStored } from '../businesses/keystore.js';
import { buildCertificateDer, SIGNER_EXTENSIONS, UID_OID, utf8Attr, type NameAttribute } from '../../signing/certificate-builder.js';
import type { Signer } from '../../signing/pkcs12.js';

const KEY_POOL = 4;

interface KeyPair {
  privateKey: KeyObject;
  spkiDer: Buffer;
  pkcs8Der: Buffer;
}

function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
    pkcs8Der: privateKey.export({ type: 'pkcs8', format: 'der' }),
  };
}

const CA_SUBJECT: NameAttribute[] = [utf8Attr('2.5.4.3', 'hoadon-mtt demo CA'), utf8Attr('2.5.4.10', 'hoadon-mtt demo'), { type: '2.5.4.6', value: 'VN' }];

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
      const der = buildCertificateDer({
        subject: [utf8Attr('2.5.4.3', p.name), utf8Attr(UID_OID, `MST:${p.taxCode}`), utf8Attr('2.5.4.10', p.name), utf8Attr('2.5.4.7', p.locality), { type: '2.5.4.6', value: 'VN' }],
        issuer: CA_SUBJECT,
        spkiDer: key.spkiDer,
        signingKey: ca.privateKey,
        notBefore: p.notBefore,
        notAfter: new Date(p.notBefore.getTime() + 2 * 365 * 86_400_000),
        extensions: SIGNER_EXTENSIONS,
      });
      return signerFromStored(der, key.pkcs8Der);
    },
  };
}
