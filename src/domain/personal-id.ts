// Personal ID (CCCD) rules, spec §7: `PPP G YY RRRRRR`. There is no check digit, so what can be
// verified is the shape, the birth province, the birth year, and agreement with what the person
// (or the chip card's QR) says about birth date and sex.

import { BIRTH_PROVINCES, isBirthProvinceCode } from './birth-provinces.js';
import { businessDate, businessYear, isBusinessDate } from './dates.js';
import type { Issue } from './errors.js';
import { findControlChars, normaliseText } from './text.js';

export type Sex = 'male' | 'female';

export type PersonalIdResult =
  | { ok: true; value: string; provinceCode: string; provinceName: string; sex: Sex; birthYear: number }
  | { ok: false; reason: 'format' | 'province' | 'birth_year'; message: string };

// G encodes century and sex: even male, odd female; 0/1 1900s … 8/9 2300s.
const FIRST_CENTURY = 1900;
const LAST_CENTURY = 2300;

export function validatePersonalId(s: string, now: Date = new Date()): PersonalIdResult {
  const value = typeof s === 'string' ? s.replace(/\s+/g, '') : '';
  if (!/^\d{12}$/.test(value)) return { ok: false, reason: 'format', message: 'a personal ID has exactly 12 digits' };
  const provinceCode = value.slice(0, 3);
  const provinceName = BIRTH_PROVINCES[provinceCode];
  if (provinceName === undefined) {
    return { ok: false, reason: 'province', message: `${provinceCode} is not a province code of a personal ID` };
  }
  const g = Number(value[3]);
  const birthYear = FIRST_CENTURY + Math.floor(g / 2) * 100 + Number(value.slice(4, 6));
  if (birthYear > businessYear(now)) {
    return { ok: false, reason: 'birth_year', message: `the birth year ${birthYear} is in the future` };
  }
  return { ok: true, value, provinceCode, provinceName, sex: g % 2 === 0 ? 'male' : 'female', birthYear };
}

/** Shows only what a receipt or a list needs: `001*******45`. */
export function maskPersonalId(s: string): string {
  if (s.length < 6) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 5) + s.slice(-2);
}

export function makePersonalId(p: { province: string; sex: Sex; birthYear: number; serial: number }): string {
  if (!isBirthProvinceCode(p.province)) throw new RangeError(`unknown birth province ${p.province}`);
  if (!Number.isInteger(p.birthYear) || p.birthYear < FIRST_CENTURY || p.birthYear > LAST_CENTURY + 99) {
    throw new RangeError(`birth year ${p.birthYear} cannot be encoded`);
  }
  if (!Number.isInteger(p.serial) || p.serial < 0 || p.serial > 999_999) throw new RangeError('serial must be 0..999999');
  return p.province + genderCenturyDigit(p.birthYear, p.sex) + String(p.birthYear % 100).padStart(2, '0') + String(p.serial).padStart(6, '0');
}

function genderCenturyDigit(birthYear: number, sex: Sex): string {
  return String(Math.floor((birthYear - FIRST_CENTURY) / 100) * 2 + (sex === 'female' ? 1 : 0));
}

/**
 * Checks a person's stated birth date ('YYYY-MM-DD') and sex against their personal ID, as the
 * authority does for a legal representative. Issue paths are relative to
 * `{ personalId, birthDate, sex }`.
 */
export function checkPersonAgainstId(id: string, birthDate: string, sex: string, now: Date = new Date()): Issue[] {
  const issues: Issue[] = [];
  const parsed = validatePersonalId(id, now);
  if (!parsed.ok) issues.push({ path: '/personalId', code: parsed.reason, message: parsed.message });
  const dateOk = typeof birthDate === 'string' && isBusinessDate(birthDate);
  if (!dateOk) issues.push({ path: '/birthDate', code: 'format', message: 'must be a date written YYYY-MM-DD' });
  else if (birthDate > businessDate(now)) issues.push({ path: '/birthDate', code: 'in_future', message: 'must not be in the future' });
  const sexOk = sex === 'male' || sex === 'female';
  if (!sexOk) issues.push({ path: '/sex', code: 'invalid', message: 'must be male or female' });
  if (issues.length === 0 && parsed.ok) issues.push(...disagreements(parsed, birthDate, sex as Sex));
  return issues;
}

function disagreements(id: { birthYear: number; sex: Sex }, birthDate: string, sex: Sex): Issue[] {
  const issues: Issue[] = [];
  if (Number(birthDate.slice(0, 4)) !== id.birthYear) {
    issues.push({ path: '/birthDate', code: 'mismatch', message: `the personal ID says the person was born in ${id.birthYear}` });
  }
  if (sex !== id.sex) issues.push({ path: '/sex', code: 'mismatch', message: `the personal ID says the person is ${id.sex}` });
  return issues;
}

export interface IdCardQr {
  personalId: string;
  /** The old 9-digit (or 12-digit) ID number, when the card shows one. */
  oldId?: string;
  name: string;
  birthDate: string;
  sex: Sex;
  address: string;
  issuedOn: string;
}

export type IdCardQrResult =
  | { ok: true; value: IdCardQr }
  | { ok: false; code: 'id_card_qr.invalid' | 'id_card_qr.mismatch'; issues: Issue[] };

/**
 * Reads the QR of a chip ID card: `ID|oldID|Full name|ddMMyyyy|Nam/Nữ|address|ddMMyyyy issued`.
 * Fields after the seventh are ignored (newer cards may add some). Issue paths name the
 * decoded fields (`/personalId`, `/birthDate`, …).
 */
export function parseIdCardQr(text: string, now: Date = new Date()): IdCardQrResult {
  const invalid = (issues: Issue[]): IdCardQrResult => ({ ok: false, code: 'id_card_qr.invalid', issues });
  if (typeof text !== 'string') return invalid([{ path: '', code: 'format', message: 'must be text' }]);
  const fields = text.normalize('NFC').replace(/[\r\n]+$/, '').split('|');
  if (fields.length < 7) {
    return invalid([{ path: '', code: 'format', message: 'a chip ID card QR has 7 fields separated by "|"' }]);
  }
  const [rawId = '', rawOld = '', rawName = '', rawBirth = '', rawSex = '', rawAddress = '', rawIssued = ''] = fields;
  const issues: Issue[] = [];
  const today = businessDate(now);

  const id = validatePersonalId(rawId.trim(), now);
  if (!id.ok) issues.push({ path: '/personalId', code: id.reason, message: id.message });
  const oldId = rawOld.trim();
  if (oldId !== '' && !/^(\d{9}|\d{12})$/.test(oldId)) {
    issues.push({ path: '/oldId', code: 'format', message: 'the old ID number has 9 or 12 digits' });
  }
  const name = normaliseText(rawName);
  if (name === '' || findControlChars(name)) issues.push({ path: '/name', code: 'invalid', message: 'must be a non-empty name' });
  const birthDate = qrDate(rawBirth);
  if (birthDate === null) issues.push({ path: '/birthDate', code: 'format', message: 'must be a date written ddMMyyyy' });
  else if (birthDate > today) issues.push({ path: '/birthDate', code: 'in_future', message: 'must not be in the future' });
  const sexText = normaliseText(rawSex).toLowerCase();
  const sex: Sex | null = sexText === 'nam' ? 'male' : sexText === 'nữ' ? 'female' : null;
  if (sex === null) issues.push({ path: '/sex', code: 'invalid', message: 'must be "Nam" or "Nữ"' });
  const address = normaliseText(rawAddress);
  if (findControlChars(address)) issues.push({ path: '/address', code: 'invalid', message: 'must not contain control characters' });
  const issuedOn = qrDate(rawIssued);
  if (issuedOn === null) issues.push({ path: '/issuedOn', code: 'format', message: 'must be a date written ddMMyyyy' });
  else if (issuedOn > today) issues.push({ path: '/issuedOn', code: 'in_future', message: 'must not be in the future' });
  else if (birthDate !== null && issuedOn < birthDate) {
    issues.push({ path: '/issuedOn', code: 'before_birth', message: 'must not be before the birth date' });
  }

  if (issues.length > 0 || !id.ok || birthDate === null || sex === null || issuedOn === null) return invalid(issues);
  const mismatch = disagreements(id, birthDate, sex);
  if (mismatch.length > 0) return { ok: false, code: 'id_card_qr.mismatch', issues: mismatch };
  const value: IdCardQr = { personalId: id.value, name, birthDate, sex, address, issuedOn };
  if (oldId !== '') value.oldId = oldId;
  return { ok: true, value };
}

function qrDate(s: string): string | null {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(s.trim());
  if (!m) return null;
  const iso = `${m[3]}-${m[2]}-${m[1]}`;
  return isBusinessDate(iso) ? iso : null;
}
