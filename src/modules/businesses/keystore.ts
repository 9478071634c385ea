// Seller signing identities: the active certificate of a business with its private key decrypted
// from MASTER_KEY once and kept as a node:crypto KeyObject (never logged, never serialised).
import { createPrivateKey } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { certificates } from '../../db/schema/index.js';
import type { SecretBox } from '../../lib/secrets.js';
import { AppError } from '../../lib/errors.js';
import { parseCertificateDer, type Signer } from '../../signing/pkcs12.js';

export type SignerSource = (businessId: string) => Promise<Signer>;

export interface Keystore {
  signerFor: SignerSource;
  /** Drop the cached signer after a certificate change. */
  forget(businessId: string): void;
}

export function signerFromStored(certDer: Buffer, pkcs8Der: Buffer): Signer {
  const info = parseCertificateDer(certDer);
  return {
    privateKey: createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' }),
    certificateDer: certDer,
    certificateBase64: certDer.toString('base64'),
    info,
    x509SubjectName: info.subject,
  };
}

/** AAD binds a sealed key to its certificate row, so ciphertexts cannot be swapped between rows. */
export const keyAad = (businessId: string, fingerprint: string): string => `cert:${businessId}:${fingerprint}`;

export function createKeystore(db: Db, box: SecretBox, ttlMs = 5 * 60_000): Keystore {
  const cache = new Map<string, { signer: Promise<Signer>; at: number }>();
  const load = async (businessId: string): Promise<Signer> => {
    const [row] = await db
      .select()
      .from(certificates)
      .where(and(eq(certificates.businessId, businessId), eq(certificates.status, 'active')))
      .orderBy(desc(certificates.createdAt))
      .limit(1);
    if (!row) throw new AppError(409, 'certificate.missing', 'The business has no active certificate');
    return signerFromStored(row.certDer, box.decrypt(row.keyEncrypted, keyAad(businessId, row.fingerprint)));
  };
  return {
    signerFor(businessId) {
      const hit = cache.get(businessId);
      if (hit && Date.now() - hit.at < ttlMs) return hit.signer;
      const signer = load(businessId);
      cache.set(businessId, { signer, at: Date.now() });
      signer.catch(() => cache.delete(businessId));
      return signer;
    },
    forget(businessId) {
      cache.delete(businessId);
    },
  };
}
