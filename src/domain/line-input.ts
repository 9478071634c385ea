// Validation of sale lines as the POS sends them. Every bad field is reported with its JSON
// pointer, so a cashier's app can highlight all of them after one round trip.

import { parseQuantity } from './decimal.js';
import { jsonPointer, type Issue } from './errors.js';
import { findControlChars, normaliseText } from './text.js';
import { parseVatRate, type VatRate } from './vat.js';

/** `TChat`: 1 goods/service, 2 promotion (no amount), 3 trade discount, 4 note (no amount). */
export type LineKind = 1 | 2 | 3 | 4;

export const MAX_LINES = 500;
// Field lengths of the 1450/1510 schema for `THHDVu`, `MHHDVu`, `DVTinh`.
export const MAX_NAME_LENGTH = 500;
export const MAX_CODE_LENGTH = 50;
export const MAX_UNIT_LENGTH = 50;

export interface LineInput {
  kind?: LineKind;
  code?: string;
  name: string;
  unit?: string;
  quantity: number | string;
  unitPrice: number;
  discount?: number;
  vatRate?: VatRate | string;
}

/** A line whose fields are individually valid, text normalised, numbers exact. */
export interface CheckedLine {
  /** `STT`, 1-based. */
  index: number;
  kind: LineKind;
  code?: string;
  name: string;
  unit?: string;
  /** Micro-units (6 decimals). */
  quantity: bigint;
  price: bigint;
  discount: bigint;
  rate?: VatRate;
}

export interface LineRules {
  form: 1 | 2;
  /** Adjustment invoices only: negative quantities, prices and discounts. */
  allowNegative?: boolean;
}

/** Lines of kind 1 and 3 carry an amount; promotions and notes are informative only. */
export function bearsAmount(kind: LineKind): boolean {
  return kind === 1 || kind === 3;
}

/** Returns the lines without issues, and every issue found in the others. */
export function checkLines(raw: unknown, rules: LineRules): { lines: CheckedLine[]; issues: Issue[] } {
  const issues: Issue[] = [];
  if (!Array.isArray(raw)) {
    return { lines: [], issues: [issue(['items'], 'required', 'must be a list of items')] };
  }
  if (raw.length === 0) issues.push(issue(['items'], 'too_few', 'must contain at least one item'));
  if (raw.length > MAX_LINES) issues.push(issue(['items'], 'too_many', `must contain at most ${MAX_LINES} items`));
  const lines: CheckedLine[] = [];
  raw.forEach((line: unknown, i) => {
    const checked = checkLine(line, i, rules, issues);
    if (checked) lines.push(checked);
  });
  return { lines, issues };
}

type At = (field: string, code: string, message: string) => void;

function checkLine(line: unknown, i: number, rules: LineRules, issues: Issue[]): CheckedLine | null {
  if (typeof line !== 'object' || line === null || Array.isArray(line)) {
    issues.push(issue(['items', i], 'invalid', 'must be an object'));
    return null;
  }
  const l = line as Partial<Record<keyof LineInput, unknown>>;
  const negOk = rules.allowNegative === true;
  const before = issues.length;
  const at: At = (field, code, message) => issues.push(issue(['items', i, field], code, message));

  const kind = l.kind === undefined ? 1 : l.kind;
  if (kind !== 1 && kind !== 2 && kind !== 3 && kind !== 4) at('kind', 'invalid', 'must be 1, 2, 3 or 4');
  const name = checkText(l.name, 'name', MAX_NAME_LENGTH, true, at);
  const code = checkText(l.code, 'code', MAX_CODE_LENGTH, false, at);
  const unit = checkText(l.unit, 'unit', MAX_UNIT_LENGTH, false, at);

  let quantity = 0n;
  if (typeof l.quantity !== 'number' && typeof l.quantity !== 'string') {
    at('quantity', 'required', 'is required');
  } else {
    const q = parseQuantity(l.quantity, { allowNegative: negOk });
    if (q.ok) quantity = q.value;
    else at('quantity', q.code, q.message);
  }
  const price = checkInteger(l.unitPrice, 'unitPrice', true, negOk, at);
  const discount = checkInteger(l.discount, 'discount', false, negOk, at);

  let rate: VatRate | undefined;
  if (rules.form === 1) {
    if (l.vatRate === undefined || l.vatRate === null) {
      if (kind === 1 || kind === 3) at('vatRate', 'required', 'is required on a VAT invoice');
    } else {
      rate = typeof l.vatRate === 'string' ? (parseVatRate(l.vatRate) ?? undefined) : undefined;
      if (rate === undefined) at('vatRate', 'unknown_rate', 'must be one of 0%, 5%, 8%, 10%, KCT, KKKNT or KHAC:d.dd');
    }
  }
  // Form 2 sellers pay tax on turnover: a rate sent by a shared POS configuration is ignored.
  if (issues.length > before) return null;

  const checked: CheckedLine = { index: i + 1, kind: kind as LineKind, name: name ?? '', quantity, price, discount };
  if (code !== undefined) checked.code = code;
  if (unit !== undefined) checked.unit = unit;
  if (rate !== undefined) checked.rate = rate;
  return checked;
}

function checkText(v: unknown, field: string, max: number, required: boolean, at: At): string | undefined {
  if (v === undefined || v === null) {
    if (required) at(field, 'required', 'is required');
    return undefined;
  }
  if (typeof v !== 'string') {
    at(field, 'invalid', 'must be text');
    return undefined;
  }
  const s = normaliseText(v);
  if (findControlChars(s)) at(field, 'control_characters', 'must not contain control characters');
  else if (required && s === '') at(field, 'required', 'must not be empty');
  else if ([...s].length > max) at(field, 'too_long', `must be at most ${max} characters`);
  return s === '' && !required ? undefined : s;
}

function checkInteger(v: unknown, field: string, required: boolean, negOk: boolean, at: At): bigint {
  if (v === undefined || v === null) {
    if (required) at(field, 'required', 'is required');
    return 0n;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    at(field, 'not_integer', 'must be a whole number of VND');
    return 0n;
  }
  if (v < 0 && !negOk) at(field, 'negative', 'must not be negative');
  return BigInt(v);
}

function issue(segments: Array<string | number>, code: string, message: string): Issue {
  return { path: jsonPointer(...segments), code, message };
}
