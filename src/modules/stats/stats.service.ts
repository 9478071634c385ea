// Volume series and the overview for tax staff. A series covers whole buckets in Asia/Ho_Chi_Minh
// time, from the bucket holding `from` to the bucket holding `to`: the rollups are hourly, so a
// bucket is never cut, and each bucket equals the sum of the invoices issued within it.
import type { Db } from '../../db/client.js';
import type { Clock } from '../../deps.js';
import { addDays, businessDate, endOfBusinessDay, isBusinessDate, parseInstant, startOfBusinessDay, toIsoLocal } from '../../domain/dates.js';
import { invalid, type FieldError } from '../../lib/errors.js';
import type { Principal } from '../../plugins/auth.js';
import { isEmptyScope, provinceScope } from './scope.js';
import { readOverview, readVolume, type BucketSums, type Overview, type VolumeRange } from './stats.repo.js';
import type { Granularity, VolumeQuery } from './stats.schemas.js';

/** Enough for two months of hours, years of days. */
export const MAX_BUCKETS = 1500;
const HOUR_MS = 3_600_000;

export interface VolumePoint extends BucketSums {
  bucket: string;
}

/** The start of the bucket holding an instant. */
export function bucketStart(g: Granularity, at: Date): Date {
  if (g === 'hour') return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
  const date = businessDate(at);
  return startOfBusinessDay(g === 'day' ? date : `${date.slice(0, 7)}-01`);
}

export function nextBucket(g: Granularity, start: Date): Date {
  if (g === 'hour') return new Date(start.getTime() + HOUR_MS);
  const date = businessDate(start);
  if (g === 'day') return startOfBusinessDay(addDays(date, 1));
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  return startOfBusinessDay(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`);
}

function defaultFrom(g: Granularity, now: Date): Date {
  const today = businessDate(now);
  if (g === 'hour') return startOfBusinessDay(today);
  if (g === 'day') return startOfBusinessDay(addDays(today, -29));
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  const back = y * 12 + (m - 1) - 11;
  return startOfBusinessDay(`${Math.floor(back / 12)}-${String((back % 12) + 1).padStart(2, '0')}-01`);
}

/** The buckets a query covers, or 422 with every problem of it. */
export function readRange(q: VolumeQuery, now: Date): { first: Date; end: Date } {
  const g = q.granularity;
  const errors: FieldError[] = [];
  let from: Date | undefined;
  let last: Date | undefined; // an instant inside the last bucket
  if (q.from !== undefined) {
    from = (isBusinessDate(q.from) ? startOfBusinessDay(q.from) : parseInstant(q.from)) ?? undefined;
    if (!from) errors.push({ path: '/query/from', message: 'must be a real date YYYY-MM-DD or an instant with offset', code: 'filter.from' });
  }
  if (q.to !== undefined) {
    last = (isBusinessDate(q.to) ? new Date(endOfBusinessDay(q.to).getTime() - 1) : parseInstant(q.to)) ?? undefined;
    if (!last) errors.push({ path: '/query/to', message: 'must be a real date YYYY-MM-DD or an instant with offset', code: 'filter.to' });
  }
  if (errors.length) throw invalid('validation.failed', errors);
  const first = bucketStart(g, from ?? defaultFrom(g, now));
  const end = nextBucket(g, bucketStart(g, last ?? now));
  if (first >= end) throw invalid('validation.failed', [{ path: '/query/to', message: 'must not be before from', code: 'filter.range' }]);
  if (countBuckets(g, first, end) > MAX_BUCKETS) {
    throw invalid('stats.range_too_large', [
      { path: '/query/from', message: `the range holds more than ${MAX_BUCKETS} ${g} buckets; narrow it or use a coarser granularity`, code: 'stats.range_too_large' },
    ]);
  }
  return { first, end };
}

function countBuckets(g: Granularity, first: Date, end: Date): number {
  if (g === 'hour') return (end.getTime() - first.getTime()) / HOUR_MS;
  if (g === 'day') return Math.round((end.getTime() - first.getTime()) / (24 * HOUR_MS));
  const a = businessDate(first);
  const b = businessDate(end);
  return (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
}

const ZERO: BucketSums = { invoices: 0, revenue: 0, vat: 0, total: 0, businesses: 0, replacements: 0, adjustments: 0 };

export function createStatsService(d: { db: Db; clock: Clock }) {
  async function volume(p: Principal, q: VolumeQuery): Promise<{ series: VolumePoint[] }> {
    const g = q.granularity;
    const { first, end } = readRange(q, d.clock());
    const scope = provinceScope(p, q.provinceCode);
    const range: VolumeRange = {
      granularity: g,
      from: first,
      toExclusive: end,
      fromDate: businessDate(first),
      toDateExclusive: businessDate(end),
      scope,
      ...(q.taxCode ? { taxCode: q.taxCode } : {}),
    };
    const sums = isEmptyScope(scope) ? new Map<string, BucketSums>() : await readVolume(d.db, range);
    const series: VolumePoint[] = [];
    for (let b = first; b < end; b = nextBucket(g, b)) {
      const key = g === 'hour' ? String(b.getTime()) : businessDate(b);
      series.push({ bucket: toIsoLocal(b), ...(sums.get(key) ?? ZERO) });
    }
    return { series };
  }

  async function overview(p: Principal, provinceCode: string | undefined): Promise<Overview> {
    const now = d.clock();
    const scope = provinceScope(p, provinceCode);
    if (isEmptyScope(scope)) {
      return { businesses: { registered: 0, active: 0 }, terminals: 0, today: { ...ZERO_TODAY }, backlog: { pending: 0, oldestAgeSeconds: 0 }, lateInvoices: 0 };
    }
    const today = businessDate(now);
    return readOverview(d.db, scope, { now, today, activeSince: addDays(today, -6), lateSince: addDays(today, -29) });
  }

  return { volume, overview };
}

const ZERO_TODAY = { invoices: 0, revenue: 0, vat: 0, total: 0 };

export type StatsService = ReturnType<typeof createStatsService>;
