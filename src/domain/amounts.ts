// Invoice arithmetic (spec §4). Everything is exact bigint arithmetic with a single rounding
// rule, half away from zero on the dong, so that adjustments (negative amounts) round as the
// mirror image of sales and totals never drift from what the guest paid.

import { formatDecimal, QUANTITY_SCALE } from './decimal.js';
import { DomainValidationError, jsonPointer, type Issue } from './errors.js';
import { bearsAmount, checkLines, type CheckedLine, type LineInput, type LineKind } from './line-input.js';
import { compareVatRates, vatRateFraction, type VatRate } from './vat.js';

/** Default ceiling on any amount or total (10^13 VND); must stay a safe JS integer. */
export const DEFAULT_AMOUNT_CEILING = 10n ** 13n;

export interface ComputedLine {
  /** `STT`, 1-based. */
  index: number;
  kind: LineKind;
  code?: string;
  name: string;
  unit?: string;
  /** Canonical decimal. */
  quantity: string;
  /** `DGia`: the net unit price, up to 6 decimals, canonical decimal; '0' on promotions and notes. */
  unitPrice: string;
  /** The VAT-inclusive unit price, when prices include VAT. */
  grossUnitPrice?: number;
  discount: number;
  /** round(quantity × unit price) − discount, in the prices as entered; 0 on promotions and notes. */
  gross: number;
  /** `ThTien`, before VAT. Shown positive on trade-discount lines (kind 3), which subtract. */
  amount: number;
  vatRate?: VatRate;
}

export interface RateTotal {
  rate: VatRate;
  beforeVat: number;
  vat: number;
}

export interface Totals {
  beforeVat: number;
  vat: number;
  total: number;
  byRate: RateTotal[];
}

export interface InvoiceInput {
  /** 1 VAT invoice, 2 sales invoice (no VAT at all). */
  form: 1 | 2;
  pricesIncludeVat: boolean;
  lines: LineInput[];
  /** Only adjustment invoices: negative quantities, prices and discounts. */
  allowNegative?: boolean;
  /** Largest absolute amount accepted anywhere, in VND; at most Number.MAX_SAFE_INTEGER. */
  ceiling?: bigint;
}

/** n / d rounded half away from zero, for any signs. */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  let q = magnitude / d;
  if ((magnitude % d) * 2n >= d) q += 1n;
  return negative ? -q : q;
}

/** What a line adds to its rate's `ThTien`: trade discounts subtract, promotions and notes add nothing. */
export function lineContribution(line: Pick<ComputedLine, 'kind' | 'amount'>): number {
  if (line.kind === 3) return -line.amount;
  return line.kind === 1 ? line.amount : 0;
}

const MICRO = 10n ** BigInt(QUANTITY_SCALE);

interface PricedLine extends CheckedLine {
  gross: bigint;
  /** Net amount as shown (positive on a sale's trade-discount line). */
  amount: bigint;
}

export function computeInvoice(input: InvoiceInput): { lines: ComputedLine[]; totals: Totals } {
  const ceiling = input.ceiling ?? DEFAULT_AMOUNT_CEILING;
  if (ceiling <= 0n || ceiling > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError('ceiling must be between 1 and Number.MAX_SAFE_INTEGER');
  }
  const negOk = input.allowNegative === true;
  const checked = checkLines(input.lines, { form: input.form, allowNegative: negOk });
  const issues = checked.issues;
  const lines: PricedLine[] = [];
  for (const l of checked.lines) {
    let gross = 0n;
    if (bearsAmount(l.kind)) {
      const rounded = roundDiv(l.quantity * l.price, MICRO);
      if (abs(l.discount) > abs(rounded) || (!negOk && l.discount > rounded)) {
        issues.push(issue(['items', l.index - 1, 'discount'], 'discount_exceeds_gross', 'must not exceed quantity × unit price'));
      }
      gross = rounded - l.discount;
    }
    lines.push({ ...l, discount: bearsAmount(l.kind) ? l.discount : 0n, gross, amount: gross });
  }
  if (issues.length > 0) throw new DomainValidationError('sale.invalid', sortIssues(issues));

  const byRate: Array<{ rate: VatRate; beforeVat: bigint; vat: bigint }> = [];
  if (input.form === 1) {
    for (const rate of ratesInUse(lines)) {
      const members = lines.filter((l) => bearsAmount(l.kind) && l.rate === rate);
      const { num, den } = vatRateFraction(rate);
      const gross = sum(members.map((l) => signed(l, l.gross)));
      if (input.pricesIncludeVat) {
        const beforeVat = roundDiv(gross * den, den + num);
        spreadNetAmounts(members, beforeVat, num, den);
        byRate.push({ rate, beforeVat, vat: gross - beforeVat });
      } else {
        byRate.push({ rate, beforeVat: gross, vat: roundDiv(gross * num, den) });
      }
    }
  }
  const beforeVat = sum(lines.map((l) => (bearsAmount(l.kind) ? signed(l, l.amount) : 0n)));
  const vat = sum(byRate.map((r) => r.vat));
  const total = beforeVat + vat;

  const tooLarge: Issue[] = [];
  for (const l of lines) {
    if (abs(l.gross) > ceiling || abs(l.amount) > ceiling) {
      tooLarge.push(issue(['items', l.index - 1], 'amount_too_large', `the line amount exceeds the ceiling of ${ceiling} VND`));
    }
  }
  if ([beforeVat, vat, total, ...byRate.flatMap((r) => [r.beforeVat, r.vat])].some((v) => abs(v) > ceiling)) {
    tooLarge.push(issue(['items'], 'total_too_large', `the invoice total exceeds the ceiling of ${ceiling} VND`));
  }
  if (tooLarge.length > 0) throw new DomainValidationError('sale.invalid', tooLarge);

  return {
    lines: lines.map((l) => present(l, input)),
    totals: {
      beforeVat: Number(beforeVat),
      vat: Number(vat),
      total: Number(total),
      byRate: byRate.map((r) => ({ rate: r.rate, beforeVat: Number(r.beforeVat), vat: Number(r.vat) })),
    },
  };
}

/**
 * Per-line net amounts for VAT-inclusive prices: each line rounded on its own, then the
 * residue against the rate's rounded total put on the line with the largest absolute gross
 * (first on a tie), so the lines sum exactly to `LTSuat.ThTien`, even when they cancel out.
 */
function spreadNetAmounts(members: PricedLine[], beforeVat: bigint, num: bigint, den: bigint): void {
  let largest: PricedLine | undefined;
  let allocated = 0n;
  for (const l of members) {
    const net = roundDiv(signed(l, l.gross) * den, den + num);
    l.amount = signed(l, net);
    allocated += net;
    if (!largest || abs(l.gross) > abs(largest.gross)) largest = l;
  }
  if (largest) largest.amount += signed(largest, beforeVat - allocated);
}

function present(l: PricedLine, input: InvoiceInput): ComputedLine {
  const out: ComputedLine = {
    index: l.index,
    kind: l.kind,
    name: l.name,
    quantity: formatDecimal(l.quantity),
    unitPrice: '0',
    discount: Number(l.discount),
    gross: Number(l.gross),
    amount: Number(l.amount),
  };
  if (l.code !== undefined) out.code = l.code;
  if (l.unit !== undefined) out.unit = l.unit;
  if (input.form === 1 && l.rate !== undefined) out.vatRate = l.rate;
  if (!bearsAmount(l.kind)) return out;
  if (input.form === 1 && input.pricesIncludeVat) {
    // DGia is the net price: derive it from the net amount rather than from the unit price,
    // so that DGia × SLuong reproduces ThTien (discounts and residues included).
    out.unitPrice = formatDecimal(roundDiv(l.amount * MICRO * MICRO, l.quantity));
    out.grossUnitPrice = Number(l.price);
  } else {
    out.unitPrice = formatDecimal(l.price * MICRO);
  }
  return out;
}

function ratesInUse(lines: PricedLine[]): VatRate[] {
  const rates = new Set<VatRate>();
  for (const l of lines) if (bearsAmount(l.kind) && l.rate !== undefined) rates.add(l.rate);
  return [...rates].sort(compareVatRates);
}

// Trade-discount lines are shown positive but reduce the totals.
function signed(l: { kind: LineKind }, v: bigint): bigint {
  return l.kind === 3 ? -v : v;
}

// Issues of one line stay together, in field order, whatever pass found them.
function sortIssues(issues: Issue[]): Issue[] {
  const key = (p: string) => {
    const m = /^\/items\/(\d+)/.exec(p);
    return m ? Number(m[1]) : -1;
  };
  return issues.map((x, i) => ({ x, i })).sort((a, b) => key(a.x.path) - key(b.x.path) || a.i - b.i).map((e) => e.x);
}

function sum(values: bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

function issue(segments: Array<string | number>, code: string, message: string): Issue {
  return { path: jsonPointer(...segments), code, message };
}
