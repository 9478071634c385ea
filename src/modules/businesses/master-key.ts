// MASTER_KEY rotation: everything sealed at rest (certificates' private keys, legal
// representatives' personal IDs) is re-encrypted under the current key (the first of MASTER_KEY),
// in small transactions, each row compare-and-set on its old ciphertext so a concurrent writer is
// never overwritten. Afterwards no row needs the older keys and they can leave MASTER_KEY.
import { and, eq, not, like, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { businesses, certificates } from '../../db/schema/index.js';
import type { SecretBox } from '../../lib/secrets.js';
import { recordSecurityEvent, type Actor } from '../audit/security-events.js';
import { LEGAL_REP_AAD } from './businesses.repo.js';
import { keyAad } from './keystore.js';

/** Rows sealed under each key id, by kind. */
export interface SealedCounts {
  certificates: Record<string, number>;
  legalRepresentatives: Record<string, number>;
}

const keyIdOf = (column: typeof certificates.keyEncrypted | typeof businesses.legalRepresentativeSecret) => sql<string>`split_part(${column}, ':', 1)`;

export async function sealedCounts(db: Db): Promise<SealedCounts> {
  const certs = await db
    .select({ keyId: keyIdOf(certificates.keyEncrypted), n: sql<number>`count(*)::int` })
    .from(certificates)
    .groupBy(keyIdOf(certificates.keyEncrypted));
  const reps = await db
    .select({ keyId: keyIdOf(businesses.legalRepresentativeSecret), n: sql<number>`count(*)::int` })
    .from(businesses)
    .groupBy(keyIdOf(businesses.legalRepresentativeSecret));
  return {
    certificates: Object.fromEntries(certs.map((r) => [r.keyId, r.n])),
    legalRepresentatives: Object.fromEntries(reps.map((r) => [r.keyId, r.n])),
  };
}

export interface RotationResult {
  currentKeyId: string;
  certificates: number;
  legalRepresentatives: number;
  /** Key ids the re-encrypted rows were sealed under. */
  from: string[];
}

export async function rotateMasterKey(db: Db, box: SecretBox, currentKeyId: string, actor: Actor, opts: { batch?: number; now?: () => Date } = {}): Promise<RotationResult> {
  const batch = opts.batch ?? 200;
  const now = opts.now ?? (() => new Date());
  const stale = `${currentKeyId}:%`;
  const from = new Set<string>();
  let certs = 0;
  let reps = 0;

  for (;;) {
    const done = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: certificates.id, businessId: certificates.businessId, fingerprint: certificates.fingerprint, sealed: certificates.keyEncrypted })
        .from(certificates)
        .where(not(like(certificates.keyEncrypted, stale)))
        .limit(batch)
        .for('update', { skipLocked: true });
      for (const r of rows) {
        const aad = keyAad(r.businessId, r.fingerprint);
        const resealed = box.encrypt(box.decrypt(r.sealed, aad), aad);
        await tx.update(certificates).set({ keyEncrypted: resealed }).where(and(eq(certificates.id, r.id), eq(certificates.keyEncrypted, r.sealed)));
        from.add(r.sealed.split(':', 1)[0]!);
      }
      certs += rows.length;
      return rows.length < batch;
    });
    if (done) break;
  }
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: businesses.id, sealed: businesses.legalRepresentativeSecret })
        .from(businesses)
        .where(not(like(businesses.legalRepresentativeSecret, stale)))
        .limit(batch)
        .for('update', { skipLocked: true });
      for (const r of rows) {
        const resealed = box.encrypt(box.decrypt(r.sealed, LEGAL_REP_AAD), LEGAL_REP_AAD);
        await tx.update(businesses).set({ legalRepresentativeSecret: resealed }).where(and(eq(businesses.id, r.id), eq(businesses.legalRepresentativeSecret, r.sealed)));
        from.add(r.sealed.split(':', 1)[0]!);
      }
      reps += rows.length;
      return rows.length < batch;
    });
    if (done) break;
  }
  const result = { currentKeyId, certificates: certs, legalRepresentatives: reps, from: [...from].sort() };
  await recordSecurityEvent(db, { at: now(), actor, action: 'master_key.rotated', detail: { ...result } });
  return result;
}
