// Security-relevant events in the append-only audit log (beside the personal-ID lookups the buyers
// module writes): staff logins and refused staff tokens, tokens created, rotated and revoked,
// certificate changes, MASTER_KEY rotations. Written in the transaction of the change they record,
// so the change and its trace commit together. Rows carry ids, kinds and fingerprints, never a
// token, a key or a personal ID.
import type { DbOrTx } from '../../db/client.js';
import { auditLog } from '../../db/schema/index.js';
import type { Principal } from '../../plugins/auth.js';

export type SecurityAction =
  | 'auth.login'
  | 'auth.refused'
  | 'token.created'
  | 'token.rotated'
  | 'token.revoked'
  | 'certificate.added'
  | 'certificate.changed'
  | 'staff.created'
  | 'staff.revoked'
  | 'master_key.rotated';

/** Who did it: a token's owner, the gateway itself (ADMIN_TOKEN, registration), or a shell command. */
export interface Actor {
  kind: 'biz' | 'trm' | 'stf' | 'system' | 'cli' | 'anonymous';
  id: string;
}

export const actorOf = (p: Principal): Actor => {
  switch (p.kind) {
    case 'stf':
      return { kind: 'stf', id: p.staffId };
    case 'trm':
      return { kind: 'trm', id: p.terminalId };
    case 'biz':
      return { kind: 'biz', id: p.businessId };
  }
};

export const SYSTEM: Actor = { kind: 'system', id: 'gateway' };

export async function recordSecurityEvent(
  db: DbOrTx,
  e: { at: Date; actor: Actor; action: SecurityAction; detail?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditLog).values({ at: e.at, actorKind: e.actor.kind, actorId: e.actor.id, action: e.action, detail: e.detail ?? null });
}
