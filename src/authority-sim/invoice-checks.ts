// Checks of one invoice of a 206 that need no database: its own signature, its MCCQT against the
// seller's registered code, and the consistency of its totals (cash-register-invoice.md §3, §4).
import { parseMttCode, parseSymbol } from '../domain/codes.js';
import { FORMS_WITHOUT_VAT } from '../invoice/model.js';
import type { ParsedInvoice } from '../invoice/parse.js';
import { taxCodeMatches } from '../signing/certificate.js';
import { verifyEnveloped } from '../signing/xmldsig.js';
import { INVOICE, type SimReason } from './codes.js';

export interface SignatureCheckOptions {
  now: Date;
  trustedCertsDer?: Buffer[];
}

/**
 * Verifies the enveloped signature over `#referenceId` held in `containerTag`, and that its
 * certificate names the seller. Returns the certificate fingerprint, or why it failed.
 */
export function checkSellerSignature(
  xml: string,
  p: { referenceId: string; containerTag: string; taxCode: string } & SignatureCheckOptions,
): { ok: true; fingerprint: string } | { ok: false; reason: string } {
  const opts: Parameters<typeof verifyEnveloped>[1] = {
    referenceId: p.referenceId,
    signatureLocator: { containerTag: p.containerTag },
    now: p.now,
  };
  if (p.trustedCertsDer) opts.trustedCertsDer = p.trustedCertsDer;
  const v = verifyEnveloped(xml, opts);
  if (!v.ok) return v;
  if (!taxCodeMatches(v.certificate.taxCodes, p.taxCode)) {
    return { ok: false, reason: `the certificate "${v.certificate.subject}" does not name the seller ${p.taxCode}` };
  }
  return { ok: true, fingerprint: v.certificate.fingerprintSha256 };
}

/** Why the MCCQT does not fit `M{form}-{yy}-{seller's 5 chars}-{11 digits}`, or null. */
export function mttCodeProblem(inv: ParsedInvoice, sellerCode: string): string | null {
  const parts = parseMttCode(inv.mttCode);
  if (!parts) return `"${inv.mttCode}" does not have the form M{form}-{yy}-{XXXXX}-{11 digits}`;
  if (parts.form !== inv.form) return `the form ${parts.form} of "${inv.mttCode}" is not the invoice's form ${inv.form}`;
  const symbol = parseSymbol(inv.symbol);
  if (symbol && symbol.year !== parts.year) return `the year ${parts.year} of "${inv.mttCode}" is not the year of symbol ${inv.symbol}`;
  if (parts.sellerCode !== sellerCode) return `the code ${parts.sellerCode} is not the seller's registered code ${sellerCode}`;
  return null;
}

/** What a line adds to its rate's total: trade discounts (3) subtract, promotions and notes nothing. */
function contribution(kind: number, amount: number | undefined): number {
  if (kind === 3) return -(amount ?? 0);
  return kind === 1 ? (amount ?? 0) : 0;
}

/** Why the totals do not add up, or null. */
export function totalsProblem(inv: ParsedInvoice): string | null {
  const t = inv.totals;
  const problems: string[] = [];
  const bearing = inv.lines.filter((l) => l.kind === 1 || l.kind === 3);
  const withoutVat = FORMS_WITHOUT_VAT.has(inv.form);
  if (withoutVat) {
    if (t.byRate.length > 0) problems.push(`form ${inv.form} carries no THTTLTSuat`);
    if (inv.lines.some((l) => l.vatRate !== undefined)) problems.push(`form ${inv.form} lines carry no TSuat`);
    if (t.vat !== 0) problems.push(`TgTThue ${t.vat} must be 0 on form ${inv.form}`);
    const sum = bearing.reduce((s, l) => s + contribution(l.kind, l.amount), 0);
    if (sum !== t.beforeVat) problems.push(`Σ ThTien of the lines ${sum} ≠ TgTCThue ${t.beforeVat}`);
  } else {
    const byRate = new Map<string, number>();
    for (const l of bearing) {
      if (l.vatRate === undefined) {
        problems.push(`line ${l.index} has no TSuat`);
        continue;
      }
      byRate.set(l.vatRate, (byRate.get(l.vatRate) ?? 0) + contribution(l.kind, l.amount));
    }
    const seen = new Set<string>();
    for (const r of t.byRate) {
      if (seen.has(r.rate)) problems.push(`rate ${r.rate} appears twice in THTTLTSuat`);
      seen.add(r.rate);
      const sum = byRate.get(r.rate) ?? 0;
      if (sum !== r.beforeVat) problems.push(`Σ ThTien of the ${r.rate} lines ${sum} ≠ LTSuat.ThTien ${r.beforeVat}`);
    }
    for (const rate of byRate.keys()) if (!seen.has(rate)) problems.push(`rate ${rate} of the lines has no LTSuat`);
    const beforeVat = t.byRate.reduce((s, r) => s + r.beforeVat, 0);
    const vat = t.byRate.reduce((s, r) => s + r.vat, 0);
    if (beforeVat !== t.beforeVat) problems.push(`Σ LTSuat.ThTien ${beforeVat} ≠ TgTCThue ${t.beforeVat}`);
    if (vat !== t.vat) problems.push(`Σ LTSuat.TThue ${vat} ≠ TgTThue ${t.vat}`);
  }
  const expected = t.beforeVat + t.vat;
  const discount = t.tradeDiscount ?? 0;
  if (t.total !== expected && !(discount !== 0 && t.total === expected - discount)) {
    problems.push(`TgTTTBSo ${t.total} ≠ TgTCThue + TgTThue ${expected}`);
  }
  return problems.length ? problems.join('; ') : null;
}

/** The problems of one parsed invoice that need no database, first the most basic. */
export function invoiceProblems(
  xml: string,
  inv: ParsedInvoice,
  p: { taxCode: string; sellerCode: string } & SignatureCheckOptions,
): SimReason[] {
  const out: SimReason[] = [];
  if (inv.signed) {
    const sig = checkSellerSignature(xml, { referenceId: inv.id, containerTag: 'NBan', taxCode: p.taxCode, now: p.now, ...(p.trustedCertsDer ? { trustedCertsDer: p.trustedCertsDer } : {}) });
    if (!sig.ok) out.push(INVOICE.signature(sig.reason));
  }
  const code = mttCodeProblem(inv, p.sellerCode);
  if (code) out.push(INVOICE.mttCode(code));
  const totals = totalsProblem(inv);
  if (totals) out.push(INVOICE.totals(totals));
  return out;
}
