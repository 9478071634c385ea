// Quantities (`SLuong`) and net unit prices (`DGia`) carry up to 6 decimals. They are held as
// bigint micro-units so that q × price is exact and rounding happens once, on the dong.

export const QUANTITY_SCALE = 6;
/** Integer digits allowed in a quantity: far above any real sale, low enough to stay printable. */
export const MAX_QUANTITY_INTEGER_DIGITS = 15;

export type DecimalErrorCode = 'not_a_number' | 'too_many_decimals' | 'zero' | 'negative' | 'too_large';

export type DecimalResult =
  | { ok: true; value: bigint }
  | { ok: false; code: DecimalErrorCode; message: string };

export interface DecimalOptions {
  scale?: number;
  /** Adjustment invoices (returns) carry negative quantities; nothing else may. */
  allowNegative?: boolean;
  allowZero?: boolean;
  maxIntegerDigits?: number;
}

// Plain decimals plus the exponent forms JavaScript prints for very small or large numbers
// (String(1e-7) === '1e-7', String(1e21) === '1e+21').
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function parseDecimal(x: unknown, opts: DecimalOptions = {}): DecimalResult {
  const scale = opts.scale ?? QUANTITY_SCALE;
  const maxInt = opts.maxIntegerDigits ?? MAX_QUANTITY_INTEGER_DIGITS;
  let text: string;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) return fail('not_a_number', 'must be a finite number');
    // The shortest round-trip representation is what the client meant: 0.1 + 0.2 arrives as
    // 0.30000000000000004 and is rightly refused for its 17 decimals.
    text = String(x);
  } else if (typeof x === 'string') {
    text = x;
  } else {
    return fail('not_a_number', 'must be a number');
  }

  const m = DECIMAL.exec(text);
  if (!m) return fail('not_a_number', 'must be a decimal number such as 2 or 0.5');
  const negative = m[1] === '-';
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  const expText = m[4] ?? '0';
  if (expText.replace(/^[+-]?0*/, '').length > 6) {
    // A seven-digit exponent is either absurdly large or absurdly small; don't build 10^1000000.
    return /[1-9]/.test(intPart + fracPart)
      ? expText.startsWith('-')
        ? fail('too_many_decimals', `must have at most ${scale} decimals`)
        : fail('too_large', `must have at most ${maxInt} integer digits`)
      : zeroOrOk(opts);
  }

  // value = digits × 10^exp, with trailing zeros folded into the exponent.
  let digits = (intPart + fracPart).replace(/^0+/, '');
  let exp = Number(expText) - fracPart.length;
  if (digits === '') return zeroOrOk(opts);
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;

  if (exp < -scale) return fail('too_many_decimals', `must have at most ${scale} decimals`);
  if (digits.length + exp > maxInt) return fail('too_large', `must have at most ${maxInt} integer digits`);
  if (negative && !opts.allowNegative) return fail('negative', 'must not be negative');
  const magnitude = BigInt(digits) * 10n ** BigInt(exp + scale);
  return { ok: true, value: negative ? -magnitude : magnitude };
}

/** A quantity in micro-units: > 0 (or ≠ 0 with `allowNegative`), at most 6 decimals. */
export function parseQuantity(x: number | string, opts: { allowNegative?: boolean } = {}): DecimalResult {
  return parseDecimal(x, { scale: QUANTITY_SCALE, allowNegative: opts.allowNegative });
}

/** Canonical text of a scaled decimal: no trailing zeros, no trailing dot, leading '-'. */
export function formatDecimal(scaled: bigint, scale = QUANTITY_SCALE): string {
  if (!Number.isInteger(scale) || scale < 0) throw new RangeError('scale must be a non-negative integer');
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const unit = 10n ** BigInt(scale);
  const int = (abs / unit).toString();
  const frac = scale === 0 ? '' : (abs % unit).toString().padStart(scale, '0').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return negative ? `-${body}` : body;
}

function zeroOrOk(opts: DecimalOptions): DecimalResult {
  return opts.allowZero ? { ok: true, value: 0n } : fail('zero', 'must not be zero');
}

function fail(code: DecimalErrorCode, message: string): DecimalResult {
  return { ok: false, code, message };
}
