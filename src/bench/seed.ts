// Bulk invoices for benchmarks and demo data. Businesses are stored active with their own
// certificate; a few invoices per business are issued through the issuing service (real numbers,
// real signed XML, buyers indexed by keyed hash), and the rest are server-side copies of those
// templates (INSERT … SELECT over generate_series, so no XML crosses the wire) with their own
// id, number, MTT code, issue time and transmission state. Numbers rise with issue times per
// seller, and the sequences are moved past the copies, so real sales can follow the seeded ones.
//
// A copy keeps its template's document: `xml` and `qr` name the template's number and code. The
// rows are for searching and statistics; the legal documents of copies are not real invoices.
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { queryRows } from '../db/client.js';
import {
  addDays,
  BIRTH_PROVINCES,
  businessDate,
  businessYear,
  computeInvoice,
  makePersonalId,
  makeTaxCode,
  startOfBusinessDay,
} from '../domain/index.js';
import { lookupHash, type SecretBox } from '../lib/secrets.js';
import { insertBusiness, LEGAL_REP_AAD, storeCertificate, type BusinessRow } from '../modules/businesses/businesses.repo.js';
import { issueInvoice, lockSellerIssuing } from '../modules/sales/issue.js';
import { sellerDictionary } from '../modules/sales/xml-dictionary.js';
import type { Signer } from '../signing/pkcs12.js';
import { BUYER_NAMES, DEFAULT_PROVINCES, MENU, NAMES, PLACES, seededRandom, seedSigner, weighted } from './seed-data.js';

export { seededRandom } from './seed-data.js';

export interface SeedOptions {
  db: Db;
  box: SecretBox;
  config: Pick<Config, 'formatVersion' | 'providerTaxCode' | 'lookupKey' | 'taxOfficeCode'>;
  /** Invoices in all (templates included). */
  invoices: number;
  /** Default: one per 5 000 invoices, between 5 and 200. */
  businesses?: number;
  /** Invoices issued for real per business, copied for the rest; default 3. */
  templatesPerBusiness?: number;
  /** Provinces of the businesses, drawn with the given weights; default big cities first. */
  provinces?: Array<{ code: string; weight: number }>;
  /** Issue times spread over [from, to); default the 60 days before `to` (within its year), `to` = now. */
  from?: Date;
  to?: Date;
  /** Share of templates (so of invoices) with a buyer personal ID; default 0.25. */
  buyerShare?: number;
  /** Distinct buyers, shared across businesses; default 300. */
  buyerPool?: number;
  /** Rows per INSERT … SELECT; default 25 000. */
  chunk?: number;
  /** Seeded PRNG for names, codes and menus (SQL's random() draws times and states). */
  random?: () => number;
  /** Default: a throwaway self-signed certificate per business. */
  signerFor?: (b: { taxCode: string; name: string }) => Signer;
  onProgress?: (done: number, total: number, phase: 'businesses' | 'templates' | 'copies' | 'analyze') => void;
}

export interface SeededBusiness {
  business: BusinessRow;
  signer: Signer;
  invoices: number;
}

export interface SeedResult {
  businesses: SeededBusiness[];
  invoices: number;
  templates: number;
  /** The buyers' personal IDs (to search for them). */
  buyers: string[];
  from: Date;
  to: Date;
}

export async function seedInvoices(o: SeedOptions): Promise<SeedResult> {
  const rnd = o.random ?? seededRandom(20261127);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const to = o.to ?? new Date();
  // One year of issue, so one symbol and one number sequence per seller.
  const yearStart = startOfBusinessDay(`${businessYear(new Date(to.getTime() - 1))}-01-01`);
  const from = new Date(Math.max((o.from ?? startOfBusinessDay(addDays(businessDate(to), -60))).getTime(), yearStart.getTime()));
  const total = Math.max(0, Math.floor(o.invoices));
  let templates = Math.max(1, o.templatesPerBusiness ?? 3);
  let count = o.businesses ?? Math.min(200, Math.max(5, Math.round(total / 5000)));
  if (total < count * templates) count = Math.max(1, Math.floor(total / templates));
  if (total < templates) templates = Math.max(1, total);
  const progress = o.onProgress ?? (() => {});

  const buyers = Array.from({ length: o.buyerPool ?? 300 }, () =>
    makePersonalId({ province: pick(Object.keys(BIRTH_PROVINCES)), sex: rnd() < 0.5 ? 'male' : 'female', birthYear: 1950 + Math.floor(rnd() * 55), serial: Math.floor(rnd() * 1e6) }),
  );

  const businesses: SeededBusiness[] = [];
  for (let b = 0; b < count && total > 0; b++) {
    businesses.push({ ...(await createBusiness(o, rnd, pick, from, b)), invoices: 0 });
    progress(b + 1, count, 'businesses');
  }
  const per = (b: number) => Math.floor(total / count) + (b < total % count ? 1 : 0);
  const slotMs = (b: number) => (to.getTime() - from.getTime()) / Math.max(1, per(b));

  // Templates: the first `templates` slots of every seller, issued for real.
  const templateIds: string[][] = [];
  let issued = 0;
  for (const [b, sb] of businesses.entries()) {
    const ids: string[] = [];
    for (let j = 0; j < Math.min(templates, per(b)); j++) {
      const at = new Date(from.getTime() + (j + rnd() * 0.9) * slotMs(b));
      ids.push(await issueTemplate(o, sb, at, rnd, pick, rnd() < (o.buyerShare ?? 0.25) ? pick(buyers) : undefined));
      progress(++issued, count * templates, 'templates');
    }
    templateIds.push(ids);
    sb.invoices = per(b);
  }

  const copies = businesses.reduce((n, sb, b) => n + sb.invoices - (templateIds[b]?.length ?? 0), 0);
  const plan = JSON.stringify(
    businesses.map((sb, b) => ({
      idx: b,
      id: sb.business.id,
      tpl: templateIds[b],
      n: sb.invoices,
      t0: from.getTime(),
      slot: slotMs(b),
      seller: sb.business.mttCode,
      yy: String(businessYear(from) % 100).padStart(2, '0'),
    })),
  );
  // Copies k = 0 … copies-1 go round-robin over sellers: seller k % B, its slot templates + k / B.
  // Round-robin needs every seller to take the same share, give or take one: per() guarantees it.
  const chunk = o.chunk ?? 25_000;
  for (let k0 = 0; k0 < copies; k0 += chunk) {
    await insertCopies(o.db, plan, businesses.length, templates, k0, Math.min(copies, k0 + chunk));
    progress(Math.min(copies, k0 + chunk), copies, 'copies');
  }
  await moveSequences(o.db, businesses, from);
  progress(0, 1, 'analyze');
  // Vacuum too: sets hint bits and the visibility map now, rather than under the first readers.
  await o.db.execute(sql`vacuum (analyze) invoices`);
  await o.db.execute(sql`vacuum (analyze) buyer_links`);
  progress(1, 1, 'analyze');
  return { businesses, invoices: total, templates: issued, buyers, from, to };
}

async function createBusiness(o: SeedOptions, rnd: () => number, pick: <T>(xs: readonly T[]) => T, now: Date, b: number) {
  let taxCode = '';
  while (!taxCode) {
    try {
      taxCode = makeTaxCode(String(100_000_000 + Math.floor(rnd() * 899_999_999)));
    } catch {
      // no check digit for these nine digits: draw again
    }
  }
  const name = `${pick(NAMES)} ${pick(PLACES)} ${b + 1}`;
  // Unique per seeded seller: S0000, S0001, …
  const mttCode = `S${b.toString(36).toUpperCase().padStart(4, '0')}`;
  const province = weighted(o.provinces ?? DEFAULT_PROVINCES, rnd);
  const signer = o.signerFor?.({ taxCode, name }) ?? seedSigner(taxCode, now);
  const repId = makePersonalId({ province: '001', sex: 'male', birthYear: 1980, serial: b % 1e6 });
  const business = await o.db.transaction(async (tx) => {
    const row = await insertBusiness(tx, {
      taxCode,
      name,
      address: `${1 + (b % 200)} phố ${pick(PLACES)}`,
      provinceCode: province,
      taxOfficeCode: o.config.taxOfficeCode,
      email: `seed${b + 1}@example.vn`,
      invoiceForm: 1,
      status: 'active',
      mttCode,
      legalRepresentative: { name: pick(BUYER_NAMES), personalIdMasked: `${repId.slice(0, 3)}*******${repId.slice(-2)}`, birthDate: '1980-01-01', sex: 'male', phone: '0912345678' },
      legalRepresentativeSecret: o.box.encrypt(repId, LEGAL_REP_AAD),
      activatedAt: now,
      createdAt: now,
    });
    await storeCertificate(tx, o.box, row.id, signer, now);
    return row;
  });
  return { business, signer };
}

async function issueTemplate(o: SeedOptions, sb: { business: BusinessRow; signer: Signer }, at: Date, rnd: () => number, pick: <T>(xs: readonly T[]) => T, buyerId?: string): Promise<string> {
  const items = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({ ...pick(MENU), quantity: 1 + Math.floor(rnd() * 3) }));
  const { lines, totals } = computeInvoice({ form: 1, pricesIncludeVat: true, lines: items });
  const dictionary = await sellerDictionary(o.db, sb.business, sb.signer, o.config, at);
  const row = await o.db.transaction(async (tx) => {
    await lockSellerIssuing(tx, sb.business.id);
    return issueInvoice(tx, {
      business: sb.business,
      terminalId: null,
      signer: sb.signer,
      issuedAt: at,
      soldAt: at,
      pricesIncludeVat: true,
      paymentMethod: pick(['cash', 'card', 'transfer', 'ewallet'] as const),
      ...(buyerId ? { buyer: { personalId: buyerId, name: pick(BUYER_NAMES) }, buyerIdHash: lookupHash(o.config.lookupKey, buyerId) } : {}),
      lines,
      totals,
      formatVersion: o.config.formatVersion,
      providerTaxCode: o.config.providerTaxCode,
      dictionary,
    });
  });
  return row.id;
}

/**
 * Copies k0 … k1-1, in one statement: ids, numbers and codes follow the seller's slot; the
 * newest 1 % of a seller's invoices wait for transmission, a few others are stuck, sent or
 * rejected, the rest accepted a few minutes after issue (late when that crosses midnight).
 */
async function insertCopies(db: Db, plan: string, sellers: number, templates: number, k0: number, k1: number): Promise<void> {
  await db.execute(sql`
    with plan as (
      select * from jsonb_to_recordset(${plan}::jsonb)
        as p(idx int, id uuid, tpl uuid[], n int, t0 double precision, slot double precision, seller text, yy text)
    ),
    src as (
      select gen_random_uuid() as id, p.id as business_id, p.seller, p.yy, p.n,
             p.tpl[1 + ((g / ${sellers}) % cardinality(p.tpl))] as template_id,
             ${templates} + g / ${sellers} as j,
             to_timestamp((p.t0 + (${templates} + g / ${sellers} + random() * 0.9) * p.slot) / 1000.0) as issued_at,
             random() as r, random() as r2
        from generate_series(${k0}::int, ${k1 - 1}::int) as g join plan p on p.idx = g % ${sellers}
    ),
    copies as (
      select s.*, t.tax_code, t.province_code, t.form, t.symbol,
             ((s.issued_at at time zone 'UTC') + interval '7 hours')::date as business_date,
             case when s.j >= s.n - greatest(1, s.n / 100) or s.r < 0.002 then 'pending'
                  when s.r < 0.005 then 'sent' when s.r < 0.01 then 'rejected' else 'accepted' end as tx_status,
             s.issued_at + make_interval(secs => 5 + s.r2 * 900) as answered_at
        from src s join invoices t on t.id = s.template_id
    ),
    ins as (
      insert into invoices (id, business_id, tax_code, province_code, kind, form, symbol, number, mtt_code, issued_at,
        business_date, sold_at, sale_date, issued_late, prices_include_vat, payment_method, buyer, lines, lines_text, before_vat,
        vat, total, by_rate, total_in_words, qr, xml, status, created_at)
      select c.id, c.business_id, c.tax_code, c.province_code, 'original', c.form, c.symbol, c.j + 1,
             'M' || c.form || '-' || c.yy || '-' || c.seller || '-' || lpad((c.j + 1)::text, 11, '0'),
             c.issued_at, c.business_date, c.issued_at, c.business_date, false, t.prices_include_vat,
             t.payment_method, t.buyer, t.lines, t.lines_text, t.before_vat, t.vat, t.total, t.by_rate, t.total_in_words, t.qr, t.xml,
             'issued', c.issued_at
        from copies c join invoices t on t.id = c.template_id
      returning 1
    ),
    transmissions as (
      insert into invoice_transmissions (invoice_id, status, attempts, last_error, sent_at, accepted_at, rejected_at, late)
      select c.id, c.tx_status, 1,
             case when c.tx_status = 'rejected' then '2 Sai định dạng dữ liệu' end,
             c.issued_at + interval '2 seconds',
             case when c.tx_status = 'accepted' then c.answered_at end,
             case when c.tx_status = 'rejected' then c.answered_at end,
             c.tx_status = 'accepted' and c.answered_at >= (c.business_date + 1)::timestamp at time zone 'UTC' - interval '7 hours'
        from copies c where c.tx_status <> 'pending'
    ),
    documents as (
      insert into invoice_documents (invoice_id, xml_dict, xml_z)
      select c.id, d.xml_dict, d.xml_z from copies c join invoice_documents d on d.invoice_id = c.template_id
    ),
    waiting as (
      insert into unaccepted_invoices (invoice_id, business_id, form, symbol, number, issued_at, province_code, sent, rejected)
      select c.id, c.business_id, c.form, c.symbol, c.j + 1, c.issued_at, c.province_code, c.tx_status = 'sent', c.tx_status = 'rejected'
        from copies c where c.tx_status <> 'accepted'
    )
    insert into buyer_links (invoice_id, id_hash, business_id, province_code, issued_at)
    select c.id, l.id_hash, c.business_id, c.province_code, c.issued_at
      from copies c join buyer_links l on l.invoice_id = c.template_id`);
}

/** Real sales after the seed continue each seller's numbers. */
async function moveSequences(db: Db, businesses: SeededBusiness[], from: Date): Promise<void> {
  const year = businessYear(from);
  for (const sb of businesses) {
    const [row] = await queryRows<{ form: number; symbol: string; n: number }>(
      db,
      sql`select form, symbol, max(number)::int as n from invoices where business_id = ${sb.business.id} group by form, symbol`,
    );
    if (!row) continue;
    for (const scope of [`n:${row.form}${row.symbol}`, 'mtt']) {
      await db.execute(sql`
        insert into sequences (business_id, scope, year, last_value) values (${sb.business.id}, ${scope}, ${year}, ${row.n})
        on conflict (business_id, scope, year) do update set last_value = greatest(sequences.last_value, excluded.last_value)`);
    }
  }
}
