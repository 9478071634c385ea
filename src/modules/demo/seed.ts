// Loads a demo country through the same services as the API: businesses through the businesses
// repository (with a generated certificate sealed under MASTER_KEY), every invoice through the
// issuing service (issueInvoices) with injected issue times (numbering, signing, rollups and buyer
// indexes as for a real sale), runs of a business's sales together, businesses in parallel.
//
// Transmission: invoices of today stay pending and the transmission delivers them to the built-in
// simulator like any sale (the demo businesses are registered with it). Invoices of earlier days
// are marked accepted directly (a few minutes after issue, before their deadline): replaying weeks
// of 206 messages through the simulator would take longer than issuing them and teach nothing.
// The planted late business gets half of its last two weeks accepted the next morning (late) and
// its invoices of yesterday left pending past their deadline.
import { randomInt } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { terminals } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { computeInvoice } from '../../domain/amounts.js';
import { addDays, businessDate, businessYear, startOfBusinessDay } from '../../domain/dates.js';
import { maskPersonalId, validatePersonalId } from '../../domain/personal-id.js';
import { PROVINCES } from '../../domain/provinces.js';
import { lookupHash } from '../../lib/secrets.js';
import { insertBusiness, LEGAL_REP_AAD, storeCertificate, type BusinessRow } from '../businesses/businesses.repo.js';
import type { SignalCode } from '../risk/rules.js';
import { issueInvoice, issueInvoices, type InvoiceRow } from '../sales/issue.js';
import { sellerDictionary } from '../sales/xml-dictionary.js';
import { recordAccepted } from '../stats/rollups.js';
import { BIRTH_CODE_OF } from './catalog.js';
import { demoCertificates, type DemoCertificates } from './certs.js';
import { makePerson, planCountry, randomTaxCode, rngFrom, salesOfDay, type BusinessPlan, type DayContext, type Person, type PlannedSale } from './plan.js';
import type { Signer } from '../../signing/pkcs12.js';

export interface SeedOptions {
  /** About this many invoices in all. */
  invoices: number;
  /** Days of history, today included. */
  days: number;
  seed?: number;
  /** Default: all 34. */
  provinces?: readonly string[];
  /** Businesses seeded at once (default 3 on PostgreSQL, 1 on PGlite). */
  concurrency?: number;
  /** Invoices per transaction (default 200). */
  batchSize?: number;
  onProgress?: (p: SeedProgress) => void;
  signal?: AbortSignal;
}

export interface SeedProgress {
  invoices: number;
  expected: number;
  businesses: number;
  totalBusinesses: number;
}

export interface SeedManifest {
  seed: number;
  days: number;
  firstDay: string;
  today: string;
  businesses: number;
  invoices: number;
  planted: Array<{ taxCode: string; name: string; provinceCode: string; signal: SignalCode }>;
  clean: string[];
  durationMs: number;
}

export const SMALL_DEMO: SeedOptions = { invoices: 4500, days: 35, provinces: ['01', '79', '48'] };

interface DemoBusiness {
  row: BusinessRow;
  signer: Signer;
  terminalIds: string[];
}

export async function seedDemo(deps: Deps, o: SeedOptions): Promise<SeedManifest> {
  const started = Date.now();
  const now = deps.clock();
  const today = businessDate(now);
  const seed = o.seed ?? randomInt(1, 2 ** 31);
  const plan = planCountry({ seed, invoices: o.invoices, days: o.days, today, ...(o.provinces ? { provinces: o.provinces } : {}) });
  const certs = demoCertificates();
  const visitors = new Map<string, Person>();
  const ctx: DayContext = {
    plan,
    now,
    visitor(provinceCode, i) {
      const key = `${provinceCode}:${i}`;
      let p = visitors.get(key);
      if (!p) visitors.set(key, (p = makePerson(rngFrom(seed, 99, Number(provinceCode), i), BIRTH_CODE_OF[provinceCode] ?? '001')));
      return p;
    },
  };
  const dates = Array.from({ length: o.days }, (_, i) => addDays(plan.firstDay, i));
  const progress: SeedProgress = { invoices: 0, expected: plan.expectedInvoices, businesses: 0, totalBusinesses: plan.businesses.length };
  const made = new Map<number, BusinessRow>();
  const queue = [...plan.businesses];
  const concurrency = o.concurrency ?? (deps.database.kind === 'pglite' ? 1 : 3);

  const work = async () => {
    for (let b = queue.shift(); b; b = queue.shift()) {
      if (o.signal?.aborted) throw new Error('demo seeding aborted');
      const biz = await createDemoBusiness(deps, b, plan.seed, plan.firstDay, certs);
      made.set(b.index, biz.row);
      await issueHistory(deps, biz, b, dates, ctx, o, (n) => {
        progress.invoices += n;
        o.onProgress?.(progress);
      });
      progress.businesses++;
      o.onProgress?.(progress);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, work));

  const rows = plan.businesses.map((b) => ({ b, row: made.get(b.index)! }));
  return {
    seed,
    days: o.days,
    firstDay: plan.firstDay,
    today,
    businesses: rows.length,
    invoices: progress.invoices,
    planted: rows.filter((r) => r.b.planted).map((r) => ({ taxCode: r.row.taxCode, name: r.row.name, provinceCode: r.row.provinceCode, signal: r.b.planted! })),
    clean: rows.filter((r) => !r.b.planted).map((r) => r.row.taxCode),
    durationMs: Date.now() - started,
  };
}

async function createDemoBusiness(deps: Deps, b: BusinessPlan, seed: number, firstDay: string, certs: DemoCertificates): Promise<DemoBusiness> {
  const rng = rngFrom(seed, b.index, 777);
  // Active since the day before its history starts, at 08:00.
  const since = new Date(startOfBusinessDay(addDays(firstDay, -1)).getTime() + 8 * 3_600_000);
  const province = (PROVINCES as Record<string, string>)[b.provinceCode] ?? b.provinceCode;
  const rep = makePerson(rng, BIRTH_CODE_OF[b.provinceCode] ?? '001');
  const repId = validatePersonalId(rep.personalId, since);
  if (!repId.ok) throw new Error(`demo: generated an invalid personal ID (${repId.message})`);
  for (let attempt = 0; ; attempt++) {
    const taxCode = randomTaxCode(rng);
    const mttCode = Array.from({ length: 5 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'[Math.floor(rng() * 34)]).join('');
    if (deps.simulator) {
      const seeded = await deps.simulator.simulator.seedSeller({ taxCode, mttCode, name: b.name });
      if (!seeded.ok) {
        if (attempt < 5) continue;
        throw new Error(`demo: the simulator refused seller ${taxCode}: ${seeded.message}`);
      }
    }
    const signer = certs.seller({ taxCode, name: b.name, locality: province, notBefore: new Date(since.getTime() - 30 * 86_400_000) });
    try {
      return await deps.database.db.transaction(async (tx) => {
        const row = await insertBusiness(tx, {
          taxCode,
          name: b.name,
          address: b.address,
          provinceCode: b.provinceCode,
          sector: 'restaurant',
          taxOfficeCode: deps.config.taxOfficeCode,
          phone: `02${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`,
          email: `chuquan${b.index}@demo.hoadon-mtt.vn`,
          invoiceForm: b.form,
          status: 'active',
          mttCode,
          legalRepresentative: {
            name: rep.name,
            personalIdMasked: maskPersonalId(rep.personalId),
            birthDate: `${repId.birthYear}-0${1 + Math.floor(rng() * 9)}-1${Math.floor(rng() * 9)}`,
            sex: repId.sex,
            phone: `09${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`,
          },
          legalRepresentativeSecret: deps.box.encrypt(rep.personalId, LEGAL_REP_AAD),
          createdAt: since,
          activatedAt: since,
          updatedAt: since,
        });
        await storeCertificate(tx, deps.box, row.id, signer, since);
        const terms = await tx
          .insert(terminals)
          .values(b.terminals.map((name) => ({ businessId: row.id, name, location: 'Tầng 1', createdAt: since })))
          .returning({ id: terminals.id });
        return { row, signer, terminalIds: terms.map((t) => t.id) };
      });
    } catch (err) {
      // Another live business holds the drawn tax code (unique index): draw again.
      if ((err as { code?: string }).code === '23505' && attempt < 5) continue;
      throw err;
    }
  }
}

async function issueHistory(
  deps: Deps,
  biz: DemoBusiness,
  b: BusinessPlan,
  dates: string[],
  ctx: DayContext,
  o: SeedOptions,
  onIssued: (n: number) => void,
): Promise<void> {
  const db = deps.database.db;
  const today = ctx.plan.today;
  // PGlite runs in this thread and holds its one connection for a whole transaction: small
  // transactions, and a turn of the event loop after each invoice, keep a gateway loading demo
  // data in the background starting and answering.
  const embedded = deps.database.kind === 'pglite';
  const batchSize = o.batchSize ?? (embedded ? 25 : 200);
  const pickLate = rngFrom(ctx.plan.seed, b.index, 555);
  const pendingFrom = b.planted === 'late_transmission' ? addDays(today, -1) : today;
  let lastPending: InvoiceRow | undefined;
  let batch: ReturnType<typeof salesOfDay> = [];
  // Sales issued so far, for the adjustments that follow them (same day, so never far behind).
  const issued = new WeakMap<PlannedSale, InvoiceRow>();

  const draftOf = (s: PlannedSale, adjustment: boolean) => {
    const { lines, totals } = computeInvoice({ form: b.form, pricesIncludeVat: true, lines: s.items, allowNegative: adjustment });
    return {
      terminalId: biz.terminalIds[s.terminal] ?? null,
      soldAt: s.soldAt,
      pricesIncludeVat: true,
      paymentMethod: s.payment,
      ...(s.buyer ? { buyer: s.buyer } : {}),
      ...(s.buyer?.personalId ? { buyerIdHash: lookupHash(deps.config.lookupKey, s.buyer.personalId) } : {}),
      lines,
      totals,
    };
  };

  const flush = async () => {
    if (batch.length === 0) return;
    if (o.signal?.aborted) throw new Error('demo seeding aborted');
    const sales = batch;
    batch = [];
    const dictionary = await sellerDictionary(db, biz.row, biz.signer, deps.config, deps.clock());
    const rows = await db.transaction(async (tx) => {
      const out: InvoiceRow[] = [];
      const common = { business: biz.row, signer: biz.signer, formatVersion: deps.config.formatVersion, providerTaxCode: deps.config.providerTaxCode, dictionary };
      // Runs of plain sales are issued together (one statement each for numbers, rows, rollups);
      // an adjustment waits for its sale's row and goes alone.
      let run: PlannedSale[] = [];
      const issueRun = async () => {
        if (run.length === 0) return;
        const drafts = run.map((s) => ({ ...draftOf(s, false), issuedAt: s.issuedAt }));
        const rows = await issueInvoices(tx, { ...common, issuedAt: run[0]!.issuedAt }, drafts);
        run.forEach((s, i) => issued.set(s, rows[i]!));
        out.push(...rows);
        run = [];
        if (embedded) await new Promise((resolve) => setImmediate(resolve));
      };
      for (const s of sales) {
        if (!s.adjusts) {
          if (run.length > 0 && businessYear(run[0]!.issuedAt) !== businessYear(s.issuedAt)) await issueRun();
          run.push(s);
          continue;
        }
        await issueRun();
        const original = issued.get(s.adjusts);
        if (!original) continue; // its sale was not issued (still in the future)
        out.push(await issueInvoice(tx, { ...common, issuedAt: s.issuedAt, ...draftOf(s, true), ...adjustmentOf(original) }));
        await tx.execute(sql`update invoices set status = 'adjusted' where id = ${original.id} and status = 'issued'`);
      }
      await issueRun();
      // Each batch commits in its final transmission state (see the top of this file).
      const late: string[] = [];
      const onTime: string[] = [];
      for (const r of out) {
        if (r.businessDate >= pendingFrom) lastPending = r;
        else if (b.planted === 'late_transmission' && r.businessDate >= addDays(today, -14) && pickLate() < 0.5) late.push(r.id);
        else onTime.push(r.id);
      }
      await acceptHistory(tx, onTime, late);
      return out;
    });
    onIssued(rows.length);
  };

  for (const date of dates) {
    for (const s of salesOfDay(b, date, ctx)) {
      batch.push(s);
      if (batch.length >= batchSize) await flush();
    }
  }
  await flush();

  if (lastPending) {
    const r = lastPending;
    await deps.transmission
      .invoiceIssued({ businessId: r.businessId, form: r.form, symbol: r.symbol, number: r.number, issuedAt: r.issuedAt })
      .catch((err: unknown) => deps.log.warn({ err }, 'demo: could not schedule the transmission; the reconciler will'));
  }
}

/** An adjustment's link to its original (TTHDLQuan, TCHDon 2). */
function adjustmentOf(original: InvoiceRow) {
  return {
    kind: 'adjustment' as const,
    related: {
      invoiceId: original.id,
      xml: { kind: 2 as const, form: original.form, symbol: original.symbol, number: original.number, date: original.businessDate, note: 'Khách trả lại món' },
    },
  };
}

const deadline = sql`(((business_date + 1)::timestamp - interval '7 hours') at time zone 'UTC')`;
const idList = (ids: string[]) =>
  sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );

/** Accepted a few minutes after issue (before the deadline), or, for `late`, the next morning. */
async function acceptHistory(tx: Tx, onTime: string[], late: string[]): Promise<void> {
  if (onTime.length + late.length) await tx.execute(sql`delete from unaccepted_invoices where invoice_id in (${idList([...onTime, ...late])})`);
  if (onTime.length) {
    await tx.execute(sql`insert into invoice_transmissions (invoice_id, status, attempts, sent_at, accepted_at)
      select id, 'accepted', 1, least(issued_at + interval '2 minutes', ${deadline} - interval '2 seconds'),
        least(issued_at + interval '3 minutes', ${deadline} - interval '1 second')
      from invoices where id in (${idList(onTime)})`);
  }
  if (late.length) {
    await tx.execute(sql`insert into invoice_transmissions (invoice_id, status, attempts, late, sent_at, accepted_at)
      select id, 'accepted', 1, true, ${deadline} + interval '9 hours', ${deadline} + interval '9 hours' + random() * interval '3 hours'
      from invoices where id in (${idList(late)})`);
    await recordAccepted(tx, late);
  }
}
