// The simulator's signing identity: an RSA-2048 key and a self-signed certificate
// "CN=Tổng cục Thuế (simulator)", generated on first start and kept in authority_sim.settings so
// that a gateway configured with its certificate (AUTHORITY_CERT) keeps trusting it after restarts.
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { parseCertificateDer } from '../signing/certificate.js';
import { buildCertificateDer, certificatePem, SIGNER_EXTENSIONS, utf8Attr } from '../signing/certificate-builder.js';
import type { Signer } from '../signing/pkcs12.js';
import { simSettings } from './schema.js';

const IDENTITY_KEY = 'signing_identity';
const DAY_MS = 86_400_000;

export const SIMULATOR_SUBJECT_CN = 'Tổng cục Thuế (simulator)';

export interface SigningIdentity {
  keyPem: string;
  certPem: string;
}

/** A fresh key (node:crypto) and a self-signed certificate. */
export function generateIdentity(now: Date): SigningIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const name = [utf8Attr('2.5.4.3', SIMULATOR_SUBJECT_CN), utf8Attr('2.5.4.10', 'Tổng cục Thuế'), { type: '2.5.4.6', value: 'VN' }];
  const der = buildCertificateDer({
    subject: name,
    issuer: name,
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
    signingKey: privateKey,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 20 * 365 * DAY_MS),
    extensions: SIGNER_EXTENSIONS,
  });
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: certificatePem(der) };
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
