// VAT rates as they appear in `TSuat`. The list and the reduced rate's validity change with the
// law (the 8 % rate is temporary), so every rate fact lives in this file and nowhere else.

export const VAT_RATES = ['0%', '5%', '8%', '10%', 'KCT', 'KKKNT'] as const;

export type FixedVatRate = (typeof VAT_RATES)[number];
/** `KHAC:d.dd` is an "other" rate with exactly two decimals, 0 < rate < 100. */
export type OtherVatRate = `KHAC:${string}`;
export type VatRate = FixedVatRate | OtherVatRate;

export interface VatFraction {
  num: bigint;
  den: bigint;
}

const FIXED_FRACTIONS: Readonly<Record<FixedVatRate, VatFraction>> = {
  '0%': { num: 0n, den: 100n },
  '5%': { num: 5n, den: 100n },
  '8%': { num: 8n, den: 100n },
  '10%': { num: 10n, den: 100n },
  // Not subject to / not declared: no VAT is computed, the fraction is zero.
  KCT: { num: 0n, den: 1n },
  KKKNT: { num: 0n, den: 1n },
};

/**
 * Last business date (inclusive) on which the temporary reduced 8 % rate may be used
 * (reduction extended "through 2026"). **[unsure]**: move it when the law moves.
 */
export const REDUCED_RATE_8_LAST_DAY = '2026-12-31';

// Canonical spelling only (no leading zero, two decimals) so that grouping by the string is
// grouping by the rate.
const OTHER_RATE = /^KHAC:(0|[1-9]\d?)\.(\d{2})$/;

export function isVatRate(s: unknown): s is VatRate {
  return typeof s === 'string' && parseVatRate(s) !== null;
}

export function parseVatRate(s: string): VatRate | null {
  if ((VAT_RATES as readonly string[]).includes(s)) return s as FixedVatRate;
  const m = OTHER_RATE.exec(s);
  if (!m) return null;
  const hundredths = Number(m[1]) * 100 + Number(m[2]);
  if (hundredths <= 0 || hundredths >= 10000) return null;
  return s as OtherVatRate;
}

/** The rate as an exact fraction so VAT arithmetic never touches floating point. */
export function vatRateFraction(r: VatRate): VatFraction {
  const fixed = (FIXED_FRACTIONS as Record<string, VatFraction | undefined>)[r];
  if (fixed) return { ...fixed };
  const m = OTHER_RATE.exec(r);
  if (!m) throw new RangeError(`Unknown VAT rate ${JSON.stringify(r)}`);
  return { num: BigInt(Number(m[1]) * 100 + Number(m[2])), den: 10000n };
}

/** Whether the rate may be used on an invoice issued on `businessDate` ('YYYY-MM-DD'). */
export function vatRateInForceOn(r: VatRate, businessDate: string): boolean {
  if (r === '8%') return businessDate <= REDUCED_RATE_8_LAST_DAY;
  return true;
}

// Order of `THTTLTSuat` entries and of `byRate`: numeric rates ascending, other rates after 10 %
// (by value), then the two "no VAT" categories. Stable so two runs produce identical XML.
const RANK: Readonly<Record<FixedVatRate, number>> = { '0%': 0, '5%': 1, '8%': 2, '10%': 3, KCT: 5, KKKNT: 6 };

export function compareVatRates(a: VatRate, b: VatRate): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 4) {
    const fa = vatRateFraction(a).num;
    const fb = vatRateFraction(b).num;
    return fa < fb ? -1 : fa > fb ? 1 : 0;
  }
  return 0;
}

function rank(r: VatRate): number {
  return (RANK as Record<string, number | undefined>)[r] ?? 4;
}
