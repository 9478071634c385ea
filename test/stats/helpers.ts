// Invoices for the statistics tests, issued through the issuing service at a chosen time, and the
// ground truth computed straight from the invoices table (bucketed by PostgreSQL's own time-zone
// rules, independently of the service's arithmetic).
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import type { Deps } from '../../src/deps.js';
import { computeInvoice } from '../../src/domain/amounts.js';
import type { LineInput } from '../../src/domain/line-input.js';
import type { RelatedInvoice } from '../../src/invoice/model.js';
import { issueInvoice, type InvoiceRow } from '../../src/modules/sales/issue.js';
import type { ActiveBusiness } from '../helpers/fixtures.js';

const MENU: Array<LineInput & { unitPrice: number }> = [
  { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', unitPrice: 65000, vatRate: '8%', quantity: 1 },
  { code: 'CF02', name: 'Cà phê sữa đá', unit: 'cốc', unitPrice: 29000, vatRate: '8%', quantity: 1 },
  { code: 'BIA03', name: 'Bia Hà Nội', unit: 'chai', unitPrice: 25000, vatRate: '10%', quantity: 1 },
];

export interface IssueOpts {
  at: Date;
  terminalId?: string | null;
  /** Picks quantities and lines; the same seed gives the same invoice. */
  seed?: number;
  kind?: 'original' | 'replacement' | 'adjustment';
  related?: { invoiceId: string; xml: RelatedInvoice };
  /** Negative quantities (an adjustment taking money off). */
  negative?: boolean;
}

export async function issueOne(deps: Deps, b: ActiveBusiness, o: IssueOpts): Promise<InvoiceRow> {
  const seed = o.seed ?? 0;
  const sign = o.negative ? -1 : 1;
  const items = MENU.slice(0, 1 + (seed % MENU.length)).map((m, k) => ({ ...m, quantity: sign * (1 + ((seed + k) % 4)) }));
  const { lines, totals } = computeInvoice({ form: b.business.invoiceForm as 1 | 2, pricesIncludeVat: true, lines: items, allowNegative: o.negative === true });
  return deps.database.db.transaction((tx) =>
    issueInvoice(tx, {
      business: b.business,
      terminalId: o.terminalId ?? null,
      signer: b.signer,
      issuedAt: o.at,
      soldAt: o.at,
      pricesIncludeVat: true,
      paymentMethod: 'cash',
      lines,
      totals,
      ...(o.kind ? { kind: o.kind } : {}),
      ...(o.related ? { related: o.related } : {}),
      formatVersion: deps.config.formatVersion,
      providerTaxCode: deps.config.providerTaxCode,
    }),
  );
}

export interface TruthRow {
  bucket: string;
  invoices: number;
  revenue: number;
  vat: number;
  total: number;
  businesses: number;
  replacements: number;
  adjustments: number;
}

/** Σ over the invoices themselves, per bucket (local start as +07:00 text), replaced originals left out. */
export async function truth(
  deps: Deps,
  q: { granularity: 'hour' | 'day' | 'month'; from: Date; to: Date; provinces?: string[]; taxCode?: string },
): Promise<Map<string, TruthRow>> {
  const provinces = q.provinces ? sql` and province_code in (${sql.join(q.provinces.map((p) => sql`${p}`), sql`, `)})` : sql``;
  const taxCode = q.taxCode ? sql` and tax_code = ${q.taxCode}` : sql``;
  // Corrections count by their own issue time, replaced or not; sums leave replaced originals out.
  const live = sql`status <> 'replaced'`;
  const rows = await queryRows<Record<string, string | number>>(
    deps.database.db,
    sql`select to_char(date_trunc(${q.granularity}, issued_at at time zone 'Asia/Ho_Chi_Minh'), 'YYYY-MM-DD"T"HH24:MI:SS') || '+07:00' as bucket,
          count(*) filter (where ${live}) as invoices, coalesce(sum(before_vat) filter (where ${live}), 0) as revenue,
          coalesce(sum(vat) filter (where ${live}), 0) as vat, coalesce(sum(total) filter (where ${live}), 0) as total,
          count(distinct business_id) filter (where ${live}) as businesses,
          count(*) filter (where kind = 'replacement') as replacements, count(*) filter (where kind = 'adjustment') as adjustments
        from invoices
        where issued_at >= ${q.from.toISOString()}::timestamptz and issued_at < ${q.to.toISOString()}::timestamptz
          ${provinces}${taxCode}
        group by 1`,
  );
  return new Map(
    rows
      .filter((r) => Number(r.invoices) !== 0 || Number(r.revenue) !== 0)
      .map((r) => [
        String(r.bucket),
        {
          bucket: String(r.bucket),
          invoices: Number(r.invoices),
          revenue: Number(r.revenue),
          vat: Number(r.vat),
          total: Number(r.total),
          businesses: Number(r.businesses),
          replacements: Number(r.replacements),
          adjustments: Number(r.adjustments),
        },
      ]),
  );
}
