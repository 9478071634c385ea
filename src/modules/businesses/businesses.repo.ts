// Persistence of businesses and their certificates. Plain functions of (db | tx, params).
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { businesses, certificates } from '../../db/schema/index.js';
import type { SecretBox } from '../../lib/secrets.js';
import type { Signer } from '../../signing/pkcs12.js';
import { keyAad } from './keystore.js';

/** Binds the sealed personal ID of a legal representative to its purpose. */
export const LEGAL_REP_AAD = 'legal-representative';

export type BusinessRow = typeof businesses.$inferSelect;
export type NewBusiness = typeof businesses.$inferInsert;

export async function insertBusiness(db: DbOrTx, values: NewBusiness): Promise<BusinessRow> {
  const [row] = await db.insert(businesses).values(values).returning();
  return row!;
}

/** Stores a certificate with its private key sealed under MASTER_KEY; retires the previous one. */
export async function storeCertificate(db: DbOrTx, box: SecretBox, businessId: string, signer: Signer, now: Date): Promise<string> {
  const pkcs8 = signer.privateKey.export({ type: 'pkcs8', format: 'der' });
  await db
    .update(certificates)
    .set({ status: 'retired', retiredAt: now })
    .where(and(eq(certificates.businessId, businessId), eq(certificates.status, 'active')));
  const [row] = await db
    .insert(certificates)
    .values({
      businessId,
      serial: signer.info.serial,
      subject: signer.info.subject,
      issuer: signer.info.issuer,
      notBefore: signer.info.notBefore,
      notAfter: signer.info.notAfter,
      fingerprint: signer.info.fingerprintSha256,
      certDer: signer.certificateDer,
      keyEncrypted: box.encrypt(pkcs8, keyAad(businessId, signer.info.fingerprintSha256)),
      createdAt: now,
    })
    .returning({ id: certificates.id });
  return row!.id;
}

export async function findBusinessById(db: DbOrTx, id: string): Promise<BusinessRow | undefined> {
  const [row] = await db.select().from(businesses).where(eq(businesses.id, id));
  return row;
}
