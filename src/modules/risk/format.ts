// How numbers read in the officers' sentences: Vietnamese conventions (dots between thousands,
// dd/mm/yyyy dates, "11h–13h" hour ranges), independent of the ICU data shipped with Node.
import { PROVINCES } from '../../domain/provinces.js';
import { toIsoLocal } from '../../domain/dates.js';

export const vnd = (n: number): string => `${groupThousands(Math.round(n))} đ`;

export function groupThousands(n: number): string {
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return n < 0 ? `-${s}` : s;
}

export const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** 'YYYY-MM-DD' → 'dd/mm/yyyy'. */
export const vnDate = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;

/** An instant as local 'HH:00 dd/mm/yyyy'. */
export function vnHour(at: Date): string {
  const local = toIsoLocal(at);
  return `${local.slice(11, 13)}h ${vnDate(local.slice(0, 10))}`;
}

export const provinceLabel = (code: string): string => (PROVINCES as Record<string, string>)[code] ?? `tỉnh ${code}`;

/** Hours of the day as ranges: [11, 12, 18] → "11h–13h, 18h–19h". */
export function hourRanges(hours: readonly number[]): string {
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(`${sorted[i]}h–${sorted[j]! + 1}h`);
    i = j + 1;
  }
  return out.join(', ');
}

/** Rounded for evidence: money to the dong, ratios to 3 decimals. */
export const ratio = (x: number): number => Math.round(x * 1000) / 1000;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
