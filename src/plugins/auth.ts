// One authorization layer. Every route states what it accepts in `config.auth`; this plugin
// authenticates the bearer token once (onRequest, before any body is read) and refuses the wrong
// kind or role. Handlers never check tokens themselves; tenancy checks use `canSee*` below.
import fp from 'fastify-plugin';
import { eq, and, isNull, lt, or, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { credentials, staff, terminals } from '../db/schema/index.js';
import { AppError } from '../lib/errors.js';
import { hashToken, sameHash, tokenKind } from '../lib/tokens.js';
import { recordSecurityEvent } from '../modules/audit/security-events.js';

/** What a route accepts: token kinds, and `admin` for staff admins only (officers refused). */
export type Access = 'biz' | 'trm' | 'stf' | 'admin';

export type Principal =
  | { kind: 'biz'; credentialId: string; businessId: string }
  | { kind: 'trm'; credentialId: string; businessId: string; terminalId: string }
  | { kind: 'stf'; credentialId: string; staffId: string; role: 'officer' | 'admin'; provinces: string[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Absent: public route. */
    auth?: Access[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const unauthenticated = (): AppError =>
  new AppError(401, 'auth.unauthenticated', 'A valid bearer token is required', { headers: { 'www-authenticate': 'Bearer' } });
export const forbidden = (): AppError => new AppError(403, 'auth.forbidden', 'This token may not use this route');

/** Staff see a province if they are admins or it is one of theirs. */
export function staffSeesProvince(p: Extract<Principal, { kind: 'stf' }>, provinceCode: string): boolean {
  return p.role === 'admin' || p.provinces.includes(provinceCode);
}

/** Whether the caller may see a business's data (404 otherwise: existence does not leak). */
export function canSeeBusiness(p: Principal, b: { id: string; provinceCode: string }): boolean {
  if (p.kind === 'stf') return staffSeesProvince(p, b.provinceCode);
  return p.businessId === b.id;
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated();
  return req.principal;
}

const LAST_USED_GRANULARITY = sql`interval '1 minute'`;
const LAST_USED_EVERY_MS = 60_000;
/** The dashboard signs a staff member in (and resumes a stored session) by asking who the token is. */
export const LOGIN_ROUTE = '/v1/dashboard/me';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The kind a bearer header claims (by its prefix), whether or not the token is valid. */
export const claimedKind = (header: string | undefined) => (header ? tokenKind(BEARER.exec(header)?.[1] ?? '') : null);

export async function authenticate(deps: Deps, header: string | undefined): Promise<Principal | null> {
  const m = header ? BEARER.exec(header) : null;
  if (!m || !tokenKind(m[1]!)) return null;
  const hash = hashToken(m[1]!);
  const db = deps.database.db;
  const [row] = await db
    .select({
      id: credentials.id,
      kind: credentials.kind,
      tokenHash: credentials.tokenHash,
      businessId: credentials.businessId,
      terminalId: credentials.terminalId,
      staffId: credentials.staffId,
      revokedAt: credentials.revokedAt,
      lastUsedAt: credentials.lastUsedAt,
      terminalRevokedAt: terminals.revokedAt,
      staffRevokedAt: staff.revokedAt,
      role: staff.role,
      provinces: staff.provinces,
    })
    .from(credentials)
    .leftJoin(terminals, eq(terminals.id, credentials.terminalId))
    .leftJoin(staff, eq(staff.id, credentials.staffId))
    .where(eq(credentials.tokenHash, hash))
    .prepare('auth_credential') // every request: parsed once per connection
    .execute();
  if (!row || row.revokedAt || row.terminalRevokedAt || row.staffRevokedAt || !sameHash(row.tokenHash, hash)) return null;
  // Kept for audits, written at most once a minute per token so reads stay reads.
  const now = deps.clock();
  // Most requests come within the minute of the last write: they skip the statement altogether.
  const fresh = row.lastUsedAt && now.getTime() - row.lastUsedAt.getTime() < LAST_USED_EVERY_MS;
  if (!fresh) void db
    .update(credentials)
    .set({ lastUsedAt: now })
    .where(and(eq(credentials.id, row.id), or(isNull(credentials.lastUsedAt), lt(credentials.lastUsedAt, sql`now() - ${LAST_USED_GRANULARITY}`))))
    .catch(() => {});
  switch (row.kind) {
    case 'biz':
      return row.businessId ? { kind: 'biz', credentialId: row.id, businessId: row.businessId } : null;
    case 'trm':
      return row.businessId && row.terminalId ? { kind: 'trm', credentialId: row.id, businessId: row.businessId, terminalId: row.terminalId } : null;
    case 'stf':
      return row.staffId && row.role
        ? { kind: 'stf', credentialId: row.id, staffId: row.staffId, role: row.role, provinces: row.provinces ?? [] }
        : null;
  }
}

export function accepts(access: Access[], p: Principal): boolean {
  if (p.kind === 'stf') return access.includes('stf') || (p.role === 'admin' && access.includes('admin'));
  return access.includes(p.kind);
}

export default fp(
  async function auth(app: FastifyInstance, { deps }: { deps: Deps }) {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (req, reply) => {
      const access = req.routeOptions.config.auth;
      if (!access) return;
      const principal = await authenticate(deps, req.headers.authorization);
      if (!principal) {
        // Refused tokens count against the caller's IP (plugins/security.ts): no free guessing.
        if (app.hasDecorator('limitAnonymous')) await app.limitAnonymous(req, reply);
        // A refused staff token (unknown, revoked) is a failed sign-in: audited with the caller's IP.
        if (claimedKind(req.headers.authorization) === 'stf') {
          await recordSecurityEvent(deps.database.db, { at: deps.clock(), actor: { kind: 'anonymous', id: req.ip }, action: 'auth.refused', detail: { tokenKind: 'stf', ip: req.ip, route: req.routeOptions.url ?? null } }).catch((err: unknown) => req.log.warn({ err }, 'could not audit a refused staff token'));
        }
        throw unauthenticated();
      }
      if (!accepts(access, principal)) throw forbidden();
      req.principal = principal;
    });
    // Written before the answer leaves: a sign-in that cannot be audited does not happen.
    app.addHook('onSend', async (req, reply) => {
      if (req.routeOptions.url !== LOGIN_ROUTE || reply.statusCode !== 200 || req.principal?.kind !== 'stf') return;
      await recordSecurityEvent(deps.database.db, { at: deps.clock(), actor: { kind: 'stf', id: req.principal.staffId }, action: 'auth.login', detail: { credentialId: req.principal.credentialId, ip: req.ip } });
    });
  },
  { name: 'auth', dependencies: ['problems'] },
);

/** Route schema fragment: the bearer requirement and the 401/403 answers, for the OpenAPI document. */
export const secured = { security: [{ bearer: [] }] } as const;
