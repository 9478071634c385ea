// Tax codes (MST), spec §7: 10 digits with a mod-11 check digit, a 3-digit branch suffix, or
// (since 2025) an individual's 12-digit personal ID.

import { validatePersonalId } from './personal-id.js';

const WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3] as const;

export type TaxCodeKind = 'enterprise' | 'branch' | 'personal';

export type TaxCodeResult =
  | { ok: true; value: string; kind: TaxCodeKind }
  | { ok: false; reason: 'length' | 'format' | 'checksum' | 'branch_suffix' | 'personal_id'; message: string };

/**
 * Removes the spacing people type or print ("0101 243 150 - 001") and unifies look-alike
 * dashes, keeping the branch dash itself.
 */
export function normaliseTaxCode(s: string): string {
  return s.normalize('NFKC').replace(/[\u2010-\u2015\u2212\uFE63\uFF0D]/g, '-').replace(/\s+/g, '');
}

/**
 * Check digit for the first nine digits, or null when none exists: N10 = 10 − (Σ Ni·Wi mod 11),
 * so a remainder of 10 gives 0 and a remainder of 0 would need "10" and is never issued.
 */
export function taxCodeCheckDigit(first9: string): number | null {
  if (!/^\d{9}$/.test(first9)) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * (WEIGHTS[i] ?? 0);
  const remainder = sum % 11;
  return remainder === 0 ? null : 10 - remainder;
}

export function validateTaxCode(s: string, now: Date = new Date()): TaxCodeResult {
  if (typeof s !== 'string') return { ok: false, reason: 'format', message: 'a tax code is text' };
  const value = normaliseTaxCode(s);

  if (/^\d{12}$/.test(value)) {
    const id = validatePersonalId(value, now);
    return id.ok
      ? { ok: true, value, kind: 'personal' }
      : { ok: false, reason: 'personal_id', message: `a 12-digit tax code is a personal ID, and ${id.message}` };
  }
  const m = /^(\d*)(?:-(\d*))?$/.exec(value);
  if (!m) return { ok: false, reason: 'format', message: 'a tax code has 10 digits, 10-3 digits for a branch, or 12 digits' };
  const base = m[1] ?? '';
  const suffix = m[2];
  if (base.length !== 10) {
    return { ok: false, reason: 'length', message: 'a tax code has 10 digits, 10-3 digits for a branch, or 12 digits' };
  }
  if (taxCodeCheckDigit(base.slice(0, 9)) !== Number(base[9])) {
    return { ok: false, reason: 'checksum', message: 'the check digit (10th digit) does not match' };
  }
  if (suffix === undefined) return { ok: true, value, kind: 'enterprise' };
  if (!/^\d{3}$/.test(suffix) || suffix === '000') {
    return { ok: false, reason: 'branch_suffix', message: 'a branch suffix is 3 digits from 001 to 999' };
  }
  return { ok: true, value, kind: 'branch' };
}

/** A valid 10-digit tax code from nine digits; throws when no check digit exists for them. */
export function makeTaxCode(first9: string): string {
  const check = taxCodeCheckDigit(first9);
  if (check === null) throw new RangeError(`no valid tax code starts with ${JSON.stringify(first9)}`);
  return first9 + String(check);
}
