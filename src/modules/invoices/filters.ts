// The invoice filters of the contract, read once into a plain object the repository turns into
// SQL, and the caller's scope: a business sees its own invoices, an officer the provinces it
// covers, an admin everything. A filter outside the scope narrows to nothing (lists never 404).
import { endOfBusinessDay, isBusinessDate, parseInstant, startOfBusinessDay } from '../../domain/index.js';
import { invalid, type FieldError } from '../../lib/errors.js';
import type { Principal } from '../../plugins/auth.js';
import type { InvoiceStatus, TransmissionStatus } from '../../db/schema/index.js';

export interface FilterQuery {
  taxCode?: string;
  provinceCode?: string;
  from?: string;
  to?: string;
  status?: InvoiceStatus;
  transmission?: TransmissionStatus;
  code?: string;
  terminalId?: string;
  minTotal?: number;
  maxTotal?: number;
}

export interface ListQuery extends FilterQuery {
  limit?: number;
  cursor?: string;
}

/** Where the caller may look: one business, some provinces, or everywhere. */
export type Scope = { kind: 'business'; businessId: string } | { kind: 'provinces'; provinces: string[] } | { kind: 'all' };

export interface InvoiceFilter {
  scope: Scope;
  taxCode?: string;
  provinceCode?: string;
  /** Inclusive. */
  from?: Date;
  /** A date `to`: the next day's start, exclusive. */
  toExclusive?: Date;
  /** An instant `to`: inclusive. */
  toInclusive?: Date;
  status?: InvoiceStatus;
  transmission?: TransmissionStatus;
  code?: string;
  terminalId?: string;
  minTotal?: number;
  maxTotal?: number;
}

/** Position after the last row of a page: issue time to the microsecond (UTC text) and id. */
export interface Cursor {
  at: string;
  id: string;
}

export function scopeOf(p: Principal, provinceCode: string | undefined): Scope {
  if (p.kind !== 'stf') return { kind: 'business', businessId: p.businessId };
  if (p.role === 'admin') return provinceCode ? { kind: 'provinces', provinces: [provinceCode] } : { kind: 'all' };
  const mine = [...new Set(p.provinces)].sort();
  return { kind: 'provinces', provinces: provinceCode ? mine.filter((c) => c === provinceCode) : mine };
}

/** True when the scope can hold nothing (an officer filtering outside its provinces). */
export function isEmptyScope(s: Scope): boolean {
  return s.kind === 'provinces' && s.provinces.length === 0;
}

export function readFilter(p: Principal, q: FilterQuery): InvoiceFilter {
  const errors: FieldError[] = [];
  const f: InvoiceFilter = { scope: scopeOf(p, q.provinceCode) };
  for (const k of ['taxCode', 'provinceCode', 'status', 'transmission', 'code', 'terminalId', 'minTotal', 'maxTotal'] as const) {
    if (q[k] !== undefined) (f as unknown as Record<string, unknown>)[k] = q[k];
  }
  if (q.from !== undefined) {
    const from = isBusinessDate(q.from) ? startOfBusinessDay(q.from) : parseInstant(q.from);
    if (from) f.from = from;
    else errors.push({ path: '/query/from', message: 'must be a real date YYYY-MM-DD or an instant with offset', code: 'filter.from' });
  }
  if (q.to !== undefined) {
    if (isBusinessDate(q.to)) f.toExclusive = endOfBusinessDay(q.to);
    else {
      const to = parseInstant(q.to);
      if (to) f.toInclusive = to;
      else errors.push({ path: '/query/to', message: 'must be a real date YYYY-MM-DD or an instant with offset', code: 'filter.to' });
    }
  }
  const empty = f.from && (f.toExclusive ? f.from >= f.toExclusive : f.toInclusive ? f.from > f.toInclusive : false);
  if (empty) errors.push({ path: '/query/to', message: 'must not be before from', code: 'filter.range' });
  if (q.minTotal !== undefined && q.maxTotal !== undefined && q.minTotal > q.maxTotal) {
    errors.push({ path: '/query/maxTotal', message: 'must not be less than minTotal', code: 'filter.range' });
  }
  if (errors.length) throw invalid('validation.failed', errors);
  return f;
}

const UTC_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.at}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  const [at = '', id = '', ...rest] = Buffer.from(s, 'base64url').toString('utf8').split('|');
  if (rest.length || !UTC_MICROS.test(at) || !UUID.test(id) || !Number.isFinite(Date.parse(at))) {
    throw invalid('cursor.invalid', [{ path: '/query/cursor', message: 'is not a cursor this API returned', code: 'cursor.invalid' }]);
  }
  return { at, id };
}
