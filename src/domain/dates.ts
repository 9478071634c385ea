// Business dates and local times in Asia/Ho_Chi_Minh. Vietnam has used UTC+7 without daylight
// saving since 1975, so a fixed offset is exact and keeps results independent of the process TZ
// and of the ICU data shipped with Node.

export const BUSINESS_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const BUSINESS_UTC_OFFSET = '+07:00';
const OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant shifted so that its UTC fields read as Vietnamese wall-clock time. */
function wallClock(instant: Date): Date {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError('invalid Date');
  return new Date(t + OFFSET_MS);
}

/** 'YYYY-MM-DD' of the instant in Asia/Ho_Chi_Minh. */
export function businessDate(instant: Date): string {
  return wallClock(instant).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DDThh:mm:ss' local, without offset, as the invoice XML wants it. */
export function localDateTime(instant: Date): string {
  return wallClock(instant).toISOString().slice(0, 19);
}

/** ISO-8601 with the '+07:00' offset, to the second, as API responses show times. */
export function toIsoLocal(instant: Date): string {
  return localDateTime(instant) + BUSINESS_UTC_OFFSET;
}

export function businessYear(instant: Date): number {
  return wallClock(instant).getUTCFullYear();
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isBusinessDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The first instant of the business day. */
export function startOfBusinessDay(date: string): Date {
  const m = DATE.exec(date);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new RangeError(`not a date: ${JSON.stringify(date)}`);
  }
  return new Date(utcMs(Number(m[1]), Number(m[2]), Number(m[3])) - OFFSET_MS);
}

/**
 * The exclusive end of the business day: the first instant of the next one. Use `<`, never
 * `<=`: an inclusive 23:59:59.999 would miss the microseconds PostgreSQL keeps.
 */
export function endOfBusinessDay(date: string): Date {
  return new Date(startOfBusinessDay(date).getTime() + DAY_MS);
}

/** The business date `days` after (or before) `date`. */
export function addDays(date: string, days: number): string {
  return new Date(startOfBusinessDay(date).getTime() + OFFSET_MS + days * DAY_MS).toISOString().slice(0, 10);
}

// RFC 3339 date-time: a date, a time to at least the second, and an explicit offset or Z.
// Times without offset would silently take the server's zone, so they are refused.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

export function parseInstant(s: string): Date | null {
  if (typeof s !== 'string') return null;
  const m = INSTANT.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const d = new Date(utcMs(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000);
  return Number.isFinite(d.getTime()) ? d : null;
}

// Date.UTC would read years 0-99 as 1900-1999.
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = new Date(utcMs(2000, m + 1, 0)).getUTCDate(); // month length in a leap year
  if (d > dim) return false;
  if (m === 2 && d === 29) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return true;
}
