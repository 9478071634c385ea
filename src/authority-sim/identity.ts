// The simulator's signing identity: an RSA-2048 key and a self-signed certificate
// "CN=Tổng cục Thuế (simulator)", generated on first start and kept in authority_sim.settings so
// that a gateway configured with its certificate (AUTHORITY_CERT) keeps trusting it after restarts.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { eq } from 'drizzle-orm';
import forge from 'node-forge';
import type { Db } from '../db/client.js';
import { parseCertificateDer } from '../signing/certificate.js';
import type { Signer } from '../signing/pkcs12.js';
import { simSettings } from './schema.js';

const IDENTITY_KEY = 'signing_identity';
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const DAY_MS = 86_400_000;
const { asn1, pki } = forge;

export const SIMULATOR_SUBJECT_CN = 'Tổng cục Thuế (simulator)';

export interface SigningIdentity {
  keyPem: string;
  certPem: string;
}

const utf8 = (type: string, value: string) => ({ type, value, valueTagClass: asn1.Type.UTF8 });

function toPem(der: Buffer): string {
  const body = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
}

/** A fresh key (node:crypto) and a self-signed certificate (TBS built by forge, signed by node:crypto). */
export function generateIdentity(now: Date): SigningIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const name = [utf8('2.5.4.3', SIMULATOR_SUBJECT_CN), utf8('2.5.4.10', 'Tổng cục Thuế'), { type: '2.5.4.6', value: 'VN' }];
  const cert = pki.createCertificate();
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + 20 * 365 * DAY_MS);
  cert.setSubject(name as forge.pki.CertificateField[]);
  cert.setIssuer(name as forge.pki.CertificateField[]);
  cert.publicKey = pki.publicKeyFromAsn1(asn1.fromDer(spkiDer.toString('binary')));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
  ]);
  cert.siginfo.algorithmOid = SHA256_WITH_RSA;
  // getTBSCertificate is public in forge but missing from @types/node-forge.
  const tbs = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, privateKey);
  const certAsn1 = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  const der = Buffer.from(asn1.toDer(certAsn1).getBytes(), 'binary');
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: toPem(der) };
}

/**
 * The stored identity, or a new one stored now. Two simulators starting at once on one database
 * both try to insert; the loser reads the winner's, so they sign with the same key.
 */
export async function loadOrCreateIdentity(db: Db, now: Date): Promise<SigningIdentity> {
  const read = async (): Promise<SigningIdentity | undefined> => {
    const [row] = await db.select({ value: simSettings.value }).from(simSettings).where(eq(simSettings.key, IDENTITY_KEY));
    return row ? (JSON.parse(row.value) as SigningIdentity) : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  const fresh = generateIdentity(now);
  await db.insert(simSettings).values({ key: IDENTITY_KEY, value: JSON.stringify(fresh) }).onConflictDoNothing();
  return (await read()) ?? fresh;
}

export function signerOf(identity: SigningIdentity): Signer {
  const certificateDer = Buffer.from(new X509Certificate(identity.certPem).raw);
  const info = parseCertificateDer(certificateDer);
  return {
    privateKey: createPrivateKey(identity.keyPem),
    certificateDer,
    certificateBase64: certificateDer.toString('base64'),
    info,
    x509SubjectName: info.subject,
  };
}

export const IDENTITY_SETTING_KEY = IDENTITY_KEY;
