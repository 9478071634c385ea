// Bearer tokens are created here and nowhere else: shown once to the caller, stored as SHA-256.
import { and, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { credentials, staff, type CredentialKind } from '../../db/schema/index.js';
import { hashToken, newToken } from '../../lib/tokens.js';
import { recordSecurityEvent, SYSTEM } from '../audit/security-events.js';

export interface CredentialOwner {
  businessId?: string;
  terminalId?: string;
  staffId?: string;
}

export async function issueCredential(db: DbOrTx, kind: CredentialKind, owner: CredentialOwner, now: Date): Promise<string> {
  const token = newToken(kind);
  await db.insert(credentials).values({ kind, tokenHash: hashToken(token), ...owner, createdAt: now });
  return token;
}

/** Revokes every live credential of an owner (effective on the next request: no caching). */
export async function revokeCredentials(db: DbOrTx, kind: CredentialKind, owner: CredentialOwner, now: Date): Promise<void> {
  const by = owner.terminalId
    ? eq(credentials.terminalId, owner.terminalId)
    : owner.staffId
      ? eq(credentials.staffId, owner.staffId)
      : eq(credentials.businessId, owner.businessId!);
  await db
    .update(credentials)
    .set({ revokedAt: now })
    .where(and(eq(credentials.kind, kind), by, isNull(credentials.revokedAt)));
}

/** ADMIN_TOKEN from the environment becomes an admin's credential (once; idempotent on restart). */
export async function ensureAdminToken(db: DbOrTx, token: string, now: Date): Promise<void> {
  const hash = hashToken(token);
  const [existing] = await db.select({ id: credentials.id }).from(credentials).where(eq(credentials.tokenHash, hash));
  if (existing) return;
  await db.transaction(async (tx) => {
    const [admin] = await tx
      .insert(staff)
      .values({ name: 'Administrator (ADMIN_TOKEN)', role: 'admin', provinces: [], createdAt: now })
      .returning({ id: staff.id });
    const made = await tx
      .insert(credentials)
      .values({ kind: 'stf', tokenHash: hash, staffId: admin!.id, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: credentials.id });
    if (made.length) await recordSecurityEvent(tx, { at: now, actor: SYSTEM, action: 'token.created', detail: { tokenKind: 'stf', staffId: admin!.id, role: 'admin', source: 'ADMIN_TOKEN' } });
  });
}
