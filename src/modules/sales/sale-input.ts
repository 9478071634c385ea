// What a sale (or an adjustment) says, checked against the domain rules before anything is
// stored: the sale time against the offline window, amounts and rates, the buyer. Every problem is
// reported at once, grouped under the problem code it calls for (422).
import type { Config } from '../../config.js';
import {
  businessDate,
  computeInvoice,
  DomainValidationError,
  findControlChars,
  normaliseText,
  parseIdCardQr,
  parseInstant,
  prefixIssues,
  validatePersonalId,
  validateTaxCode,
  vatRateInForceOn,
  type ComputedLine,
  type Issue,
  type LineInput,
  type Totals,
} from '../../domain/index.js';
import { invalid, type FieldError } from '../../lib/errors.js';
import { lookupHash } from '../../lib/secrets.js';
import type { BuyerInput, PaymentMethod } from './invoice-document.js';
import type { BuyerBody, SaleBody } from './sales.schemas.js';

/** How far ahead of the gateway's clock a POS clock may run. */
export const SOLD_AT_FUTURE_TOLERANCE_MS = 5 * 60_000;

type SaleConfig = Pick<Config, 'offlineWindowHours' | 'invoiceCeiling' | 'lookupKey'>;

export interface PreparedSale {
  soldAt: Date;
  pricesIncludeVat: boolean;
  paymentMethod: PaymentMethod;
  lines: ComputedLine[];
  totals: Totals;
  buyer?: BuyerInput;
  buyerIdHash?: string;
}

/** Every domain problem of a sale at once; throws 422 with all of them. */
export function prepareSale(sale: SaleBody, form: 1 | 2, now: Date, config: SaleConfig, earliestSoldAt?: Date): PreparedSale {
  const found = new Findings();
  const soldAt = checkSoldAt(sale.soldAt, now, config.offlineWindowHours, found, earliestSoldAt);
  const computed = computeLines(found, { form, pricesIncludeVat: sale.pricesIncludeVat, lines: sale.items, ceiling: config.invoiceCeiling }, soldAt);
  const buyer = sale.buyer ? checkBuyer(sale.buyer, now, found) : undefined;
  found.throwIfAny();
  const out: PreparedSale = { soldAt: soldAt!, pricesIncludeVat: sale.pricesIncludeVat, paymentMethod: sale.payment.method, ...computed! };
  if (buyer) {
    out.buyer = buyer;
    if (buyer.personalId) out.buyerIdHash = lookupHash(config.lookupKey, buyer.personalId);
  }
  return out;
}

/**
 * The lines and totals of an adjustment invoice: signed quantities and discounts, the original's
 * price basis, rates in force on the day it is issued. 422 with every problem at once.
 */
export function prepareAdjustment(items: LineInput[], form: 1 | 2, pricesIncludeVat: boolean, now: Date, config: Pick<SaleConfig, 'invoiceCeiling'>): { lines: ComputedLine[]; totals: Totals } {
  const found = new Findings();
  const computed = computeLines(found, { form, pricesIncludeVat, lines: items, ceiling: config.invoiceCeiling, allowNegative: true }, now);
  found.throwIfAny();
  return computed!;
}

/** Amounts by the domain rules, and for form 1 every rate checked against the sale date. */
function computeLines(found: Findings, input: Parameters<typeof computeInvoice>[0], soldAt: Date | undefined): { lines: ComputedLine[]; totals: Totals } | undefined {
  let computed: { lines: ComputedLine[]; totals: Totals } | undefined;
  try {
    computed = computeInvoice(input);
  } catch (err) {
    if (!(err instanceof DomainValidationError)) throw err;
    found.add('sale.invalid', err.issues);
  }
  if (computed && soldAt && input.form === 1) {
    const saleDate = businessDate(soldAt);
    for (const l of computed.lines) {
      if (l.vatRate && !vatRateInForceOn(l.vatRate, saleDate)) {
        found.add('sale.invalid', [{ path: `/items/${l.index - 1}/vatRate`, code: 'rate_not_in_force', message: `the ${l.vatRate} rate does not apply on ${saleDate}` }]);
      }
    }
  }
  return computed;
}

/** `earliest`: a replacement may carry its original's sale time, however old (else the offline window). */
function checkSoldAt(raw: string, now: Date, windowHours: number, found: Findings, earliest?: Date): Date | undefined {
  const at = (code: string, message: string) => found.add('sale.invalid', [{ path: '/soldAt', code, message }]);
  const soldAt = parseInstant(raw);
  if (!soldAt) return void at('format', 'must be a time with an offset, e.g. 2026-11-27T19:42:10+07:00');
  if (soldAt.getTime() > now.getTime() + SOLD_AT_FUTURE_TOLERANCE_MS) return void at('in_future', 'must not be more than 5 minutes ahead of the gateway clock');
  const windowStart = now.getTime() - windowHours * 3_600_000;
  if (soldAt.getTime() < Math.min(windowStart, earliest?.getTime() ?? windowStart)) {
    return void at('too_old', `must not be older than the offline window (${windowHours} hours)${earliest ? ' or the sale it corrects' : ''}`);
  }
  return soldAt;
}

/** The buyer as the invoice shows it; a chip ID card's QR fills the personal ID (and name) after a cross-check. */
function checkBuyer(raw: BuyerBody, now: Date, found: Findings): BuyerInput | undefined {
  const out: BuyerInput = {};
  const textIssues: Issue[] = [];
  for (const field of ['name', 'address', 'phone'] as const) {
    const value = normaliseText(raw[field] ?? '');
    if (findControlChars(value)) textIssues.push({ path: `/buyer/${field}`, code: 'control_characters', message: 'must not contain control characters' });
    else if (value) out[field] = value;
  }
  if (raw.taxCode?.trim()) {
    const r = validateTaxCode(raw.taxCode, now);
    if (r.ok) out.taxCode = r.value;
    else found.add('tax_code.invalid', [{ path: '/buyer/taxCode', code: r.reason, message: r.message }]);
  }
  const given = raw.personalId?.trim() ? validatePersonalId(raw.personalId, now) : undefined;
  if (given?.ok) out.personalId = given.value;
  else if (given) found.add('personal_id.invalid', [{ path: '/buyer/personalId', code: given.reason, message: given.message }]);
  if (raw.idCardQr?.trim()) {
    const qr = parseIdCardQr(raw.idCardQr, now);
    if (!qr.ok) found.add(qr.code, prefixIssues('/buyer/idCardQr', qr.issues));
    else if (given && qr.value.personalId !== out.personalId) {
      found.add('id_card_qr.mismatch', [{ path: '/buyer/idCardQr', code: 'mismatch', message: 'the ID card carries another personal ID than buyer.personalId' }]);
    } else {
      out.personalId = qr.value.personalId;
      out.name ??= qr.value.name;
    }
  }
  // Without a tax code the name is a person's (HVTNMHang, at most 100 characters).
  if (out.name && !out.taxCode && [...out.name].length > 100) {
    textIssues.push({ path: '/buyer/name', code: 'too_long', message: "a person's name has at most 100 characters" });
  }
  found.add('sale.invalid', textIssues);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Issues grouped by the problem code they call for; one kind of problem keeps its own code. */
class Findings {
  private readonly byCode = new Map<string, Issue[]>();

  add(code: string, issues: readonly Issue[]): void {
    if (issues.length > 0) this.byCode.set(code, [...(this.byCode.get(code) ?? []), ...issues]);
  }

  throwIfAny(): void {
    if (this.byCode.size === 0) return;
    const codes = [...this.byCode.keys()];
    const code = codes.length === 1 ? codes[0]! : 'sale.invalid';
    const errors: FieldError[] = [...this.byCode.values()].flat().map((i) => ({ path: i.path, message: i.message, code: i.code }));
    throw invalid(code, errors, 'The sale has invalid fields');
  }
}

