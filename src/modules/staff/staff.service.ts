// Tax-staff accounts: officers read within their provinces, admins see everything and manage staff.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { staff } from '../../db/schema/index.js';
import { isProvinceCode } from '../../domain/provinces.js';
import { normaliseText } from '../../domain/text.js';
import { invalid, notFound } from '../../lib/errors.js';
import { issueCredential, revokeCredentials } from './credentials.repo.js';
import { recordSecurityEvent, type Actor } from '../audit/security-events.js';

/** Callers that do not say who they are: `npm run staff` on the server. */
const SHELL: Actor = { kind: 'cli', id: 'npm run staff' };

export interface NewStaff {
  name: string;
  role: 'officer' | 'admin';
  provinces?: string[];
}

export type StaffRow = typeof staff.$inferSelect;

export const staffView = (s: StaffRow) => ({
  id: s.id,
  name: s.name,
  role: s.role,
  provinces: s.provinces,
  createdAt: s.createdAt.toISOString(),
  revokedAt: s.revokedAt?.toISOString() ?? null,
});

/** Creates a staff member and their token (shown once). Shared by the API and `npm run staff`. */
export async function createStaffMember(db: DbOrTx, input: NewStaff, now: Date, actor: Actor = SHELL): Promise<{ id: string; token: string }> {
  const provinces = [...new Set(input.provinces ?? [])];
  const bad = provinces.filter((p) => !isProvinceCode(p));
  if (bad.length) throw invalid('validation.failed', bad.map((p) => ({ path: `/provinces/${provinces.indexOf(p)}`, message: `${p} is not a province code` })));
  if (input.role === 'officer' && provinces.length === 0) {
    throw invalid('validation.failed', [{ path: '/provinces', message: 'an officer needs at least one province' }]);
  }
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(staff).values({ name: normaliseText(input.name), role: input.role, provinces, createdAt: now }).returning();
    const token = await issueCredential(tx, 'stf', { staffId: row!.id }, now);
    await recordSecurityEvent(tx, { at: now, actor, action: 'staff.created', detail: { staffId: row!.id, role: input.role, provinces } });
    return { id: row!.id, token };
  });
}

export async function listStaff(db: DbOrTx): Promise<StaffRow[]> {
  return db.select().from(staff).orderBy(desc(staff.createdAt));
}

export async function revokeStaffMember(db: DbOrTx, id: string, now: Date, actor: Actor = SHELL): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.update(staff).set({ revokedAt: now }).where(and(eq(staff.id, id), isNull(staff.revokedAt))).returning({ id: staff.id });
    if (!row) {
      const [exists] = await tx.select({ id: staff.id }).from(staff).where(eq(staff.id, id));
      if (!exists) throw notFound('Staff member');
      return;
    }
    await revokeCredentials(tx, 'stf', { staffId: id }, now);
    await recordSecurityEvent(tx, { at: now, actor, action: 'staff.revoked', detail: { staffId: id } });
  });
}
