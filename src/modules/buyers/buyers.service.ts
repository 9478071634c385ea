// Staff find a buyer's invoices by personal ID through its keyed hash. Every call is written to
// the audit log before any result leaves, refused ones included (with whatever could be read of
// the request): who, when, the ID's HMAC (never the ID), the reason, and how many invoices matched.
import type { FastifyError } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Clock } from '../../deps.js';
import { findControlChars, formatSymbolWithForm, maskPersonalId, toIsoLocal, validatePersonalId } from '../../domain/index.js';
import { AppError, invalid, type FieldError } from '../../lib/errors.js';
import { lookupHash } from '../../lib/secrets.js';
import type { Principal } from '../../plugins/auth.js';
import { ajvToFieldErrors } from '../../plugins/problems.js';
import { appendAudit, listAudit, type AuditRow } from './audit.repo.js';
import { invoicesOfBuyer, summaryOfBuyer } from './buyers.repo.js';
import { REASON_MAX, SEARCH_ITEMS_MAX } from './buyers.schemas.js';

export interface BuyersDeps {
  db: Db;
  config: Pick<Config, 'lookupKey'>;
  clock: Clock;
}

type Staff = Extract<Principal, { kind: 'stf' }>;
type SchemaError = FastifyError & { validation?: Parameters<typeof ajvToFieldErrors>[0]; validationContext?: string };

// A personal ID typed into the reason is masked before it is stored.
const TWELVE_DIGITS = /(?<!\d)\d{12}(?!\d)/g;

/** What the audit row keeps of a reason: bounded, control characters dropped, personal IDs masked. */
export function auditableReason(reason: string): string {
  return reason
    .slice(0, REASON_MAX)
    .replace(/[\u0000-\u001F\u007F]/g, ' ')
    .replace(TWELVE_DIGITS, (id) => maskPersonalId(id));
}

export function createBuyersService(d: BuyersDeps) {
  /** `mark.audited` turns true once the row is written, so the route's error hook does not write a second. */
  async function search(p: Staff, body: unknown, schemaError: SchemaError | undefined, mark: { audited: boolean }) {
    const now = d.clock();
    const raw = (typeof body === 'object' && body !== null ? body : {}) as { personalId?: unknown; reason?: unknown };
    const personalId = typeof raw.personalId === 'string' ? raw.personalId : undefined;
    const reason = typeof raw.reason === 'string' ? raw.reason : undefined;
    const parsed = personalId === undefined ? undefined : validatePersonalId(personalId, now);
    // The hash of what was asked, even when it is not a valid ID: repeated probing stays visible.
    const subjectHash = personalId === undefined ? null : lookupHash(d.config.lookupKey, parsed?.ok ? parsed.value : personalId.replace(/\s+/g, ''));
    const audit = async (resultCount: number | null, detail: Record<string, unknown>) => {
      await appendAudit(d.db, {
        at: now,
        actorKind: 'stf',
        actorId: p.staffId,
        action: 'buyer.search',
        subjectHash,
        reason: reason === undefined ? null : auditableReason(reason),
        resultCount,
        detail,
      });
      mark.audited = true;
    };

    const errors: FieldError[] = schemaError?.validation ? ajvToFieldErrors(schemaError.validation, schemaError.validationContext) : [];
    const idFlagged = errors.some((e) => e.path === '/personalId');
    if (parsed && !parsed.ok && !idFlagged) errors.push({ path: '/personalId', message: parsed.message, code: parsed.reason });
    if (reason !== undefined && findControlChars(reason)) errors.push({ path: '/reason', message: 'must not contain control characters', code: 'control_chars' });
    if (errors.length || schemaError) {
      const code = parsed && !parsed.ok ? 'personal_id.invalid' : 'validation.failed';
      await audit(null, { outcome: 'refused', code });
      throw errors.length ? invalid(code, errors) : new AppError(400, 'request.invalid', schemaError?.message ?? 'invalid request');
    }

    const provinces = p.role === 'admin' ? null : [...new Set(p.provinces)];
    const hash = subjectHash!;
    const [rows, summary] = await Promise.all([invoicesOfBuyer(d.db, hash, provinces, SEARCH_ITEMS_MAX), summaryOfBuyer(d.db, hash, provinces)]);
    await audit(summary.count, { outcome: 'ok', provinces: provinces ?? 'all' });
    return {
      personalId: (parsed as { value: string }).value,
      items: rows.map((r) => ({
        invoiceId: r.invoiceId,
        taxCode: r.taxCode,
        sellerName: r.sellerName,
        provinceCode: r.provinceCode,
        issuedAt: toIsoLocal(r.issuedAt),
        businessDate: r.businessDate,
        total: r.total,
        code: r.code,
        symbol: formatSymbolWithForm(r.form, r.symbol),
        number: r.number,
        status: r.status,
      })),
      summary: {
        count: summary.count,
        total: summary.total,
        first: summary.first ? toIsoLocal(summary.first) : null,
        last: summary.last ? toIsoLocal(summary.last) : null,
      },
      truncated: summary.count > rows.length,
    };
  }

  /** A call refused before the handler ran (wrong kind of token, malformed JSON…): still on record. */
  async function refusedCall(p: Principal, code: string) {
    const actorId = p.kind === 'stf' ? p.staffId : p.kind === 'trm' ? p.terminalId : p.businessId;
    await appendAudit(d.db, { at: d.clock(), actorKind: p.kind, actorId, action: 'buyer.search', detail: { outcome: 'refused', code } });
  }

  async function auditLog(q: { limit?: number; cursor?: string }) {
    const after = q.cursor === undefined ? undefined : decodeAuditCursor(q.cursor);
    const limit = q.limit ?? 50;
    const rows = await listAudit(d.db, { limit: limit + 1, after });
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    return { items: rows.map(auditView), nextCursor: more && last ? encodeAuditCursor(last) : null };
  }

  return { search, refusedCall, auditLog };
}

function auditView(r: AuditRow) {
  return {
    id: r.id.toString(),
    at: toIsoLocal(r.at),
    actor: { kind: r.actorKind, id: r.actorId },
    action: r.action,
    subjectHash: r.subjectHash,
    reason: r.reason,
    resultCount: r.resultCount,
    detail: r.detail,
  };
}

const encodeAuditCursor = (r: AuditRow): string => Buffer.from(`${r.cursorAt}|${r.id.toString()}`, 'utf8').toString('base64url');

function decodeAuditCursor(s: string): { at: string; id: bigint } {
  const [at = '', id = '', ...rest] = Buffer.from(s, 'base64url').toString('utf8').split('|');
  if (rest.length || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at) || !/^\d{1,19}$/.test(id)) {
    throw invalid('cursor.invalid', [{ path: '/query/cursor', message: 'is not a cursor this API returned', code: 'cursor.invalid' }]);
  }
  return { at, id: BigInt(id) };
}

export type BuyersService = ReturnType<typeof createBuyersService>;
