// Sales → invoices. A sale is checked (shape by the route's schema, then the domain rules in
// sale-input.ts),
// then issued in one transaction that also claims its Idempotency-Key, so a key and its invoice
// commit together: a retry, even one racing the first request, replays the stored answer and
// never makes a second invoice.
import { createHash } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db, Tx } from '../../db/client.js';
import type { Clock, Deps } from '../../deps.js';
import { formatSymbolWithForm, toIsoLocal } from '../../domain/index.js';
import { AppError, conflict, invalid, type FieldError } from '../../lib/errors.js';
import { CertificateError, checkSignerValidity, type Signer } from '../../signing/pkcs12.js';
import type { Transmission } from '../../transmission/service.js';
import { findBusinessById, type BusinessRow } from '../businesses/businesses.repo.js';
import type { SignerSource } from '../businesses/keystore.js';
import { businessYear } from '../../domain/dates.js';
import { findAnswer, type KeyRef, type StoredAnswer } from './idempotency.repo.js';
import { createSellerQueue, type Settled } from './seller-queue.js';
import type { SaleBody } from './sales.schemas.js';
import { beginIssuingMany, buildInvoices, issueInvoices, storeInvoices, type BuiltInvoices, type IssueCommon, type IssuingStart, type InvoiceRow, type IssueRequest } from './issue.js';
import { prepareSale, type PreparedSale } from './sale-input.js';
import { sellerDictionary } from './xml-dictionary.js';
import type { Dictionary } from '../../invoice/xml-store.js';

export interface InvoiceView {
  invoiceId: string;
  symbol: string;
  number: number;
  code: string;
  issuedAt: string;
  businessDate: string;
  saleDate: string;
  issuedLate: boolean;
  totals: { beforeVat: number; vat: number; total: number; byRate: Array<{ rate: string; beforeVat: number; vat: number }> };
  totalInWords: string;
  qr: string;
  lookupUrl: string;
  status: 'issued';
  transmission: { status: string };
}

export interface SaleOutcome<V = InvoiceView> {
  status: 201 | 200;
  body: V;
  replayed: boolean;
}

/** What the invoice takes from its request; the seller, signer and issue time come from issueOnce. */
export type PreparedInvoice = Omit<IssueRequest, 'business' | 'terminalId' | 'signer' | 'issuedAt' | 'formatVersion' | 'providerTaxCode' | 'dictionary'>;

/** The business or the year changed under an issuing transaction's allocation: run it again. */
class StaleStart extends Error {}

const refKey = (r: KeyRef): string => `${r.terminalId} ${r.key}`;

/** A replayed answer standing in for a refusal (see answeredOr). */
class Replayed {
  constructor(readonly outcome: SaleOutcome) {}
}

/** How long an active business's row is reused by the sales path. */
const BUSINESS_CACHE_MS = 2_000;

/** At most this many sales share a transaction. */
export const SALES_PER_TURN = 128;

/**
 * Sellers are spread over this many queues of a process, each running one transaction at a time:
 * a turn issues whatever sales of its sellers queued meanwhile, several sellers together.
 */
const LANES = 4;
const laneOf = (sellerId: string): string => String(parseInt(sellerId.slice(0, 2), 16) % LANES);

interface SaleJob {
  sellerId: string;
  ref: KeyRef;
  requestHash: string;
  terminalId: string;
  requestedAt: Date;
  prepared: PreparedSale;
}

export interface IssueOnce {
  ref: KeyRef;
  requestHash: string;
  business: BusinessRow;
  terminalId: string | null;
  requestedAt: Date;
  prepare(tx: Tx, issuedAt: Date): Promise<PreparedInvoice>;
  after?(tx: Tx, row: InvoiceRow): Promise<void>;
  view?(row: InvoiceRow): InvoiceView;
}

export interface BatchOutcome {
  idempotencyKey: string;
  status: 201 | 200 | 409 | 422;
  invoice?: InvoiceView;
  error?: AppError;
}

/** Who posts: the terminal and its business, from the bearer token. */
export interface Poster {
  businessId: string;
  terminalId: string;
}

export interface SalesDeps {
  db: Db;
  config: Pick<Config, 'offlineWindowHours' | 'invoiceCeiling' | 'publicUrl' | 'providerTaxCode' | 'formatVersion' | 'lookupKey'>;
  clock: Clock;
  signerFor: SignerSource;
  transmission: Pick<Transmission, 'invoiceIssued'>;
  log: { warn(obj: object, msg: string): void };
}

export function createSalesService(d: SalesDeps) {
  async function sell(p: Poster, key: string, sale: SaleBody): Promise<SaleOutcome> {
    const ref: KeyRef = { terminalId: p.terminalId, key };
    const requestHash = hashRequest(sale);
    const requestedAt = d.clock();
    let business: BusinessRow;
    let prepared: PreparedSale;
    try {
      business = await activeBusiness(p.businessId);
      prepared = prepareSale(sale, business.invoiceForm === 2 ? 2 : 1, requestedAt, d.config);
    } catch (err) {
      // A finished request replays even when its checks would now fail (a late retry, an old soldAt).
      const outcome = await answeredOr(ref, requestHash, err);
      if (outcome instanceof Replayed) return outcome.outcome;
      throw outcome;
    }
    return queue.submit(laneOf(business.id), { sellerId: business.id, ref, requestHash, terminalId: p.terminalId, requestedAt, prepared });
  }

  /** The stored answer of a finished request as the outcome to give, or `err` when there is none. */
  async function answeredOr(ref: KeyRef, requestHash: string, err: unknown): Promise<unknown> {
    if (!(err instanceof AppError)) return err;
    const earlier = await findAnswer(d.db, ref);
    if (!earlier) return err;
    try {
      return new Replayed(replay(earlier, requestHash));
    } catch (conflictErr) {
      return conflictErr;
    }
  }

  // A recent read of an active business saves each sale a query; its turn reads it again under
  // the seller's lock before issuing. Pending or unknown businesses are read every time.
  const businesses = new Map<string, { row: BusinessRow; at: number }>();
  async function activeBusiness(id: string): Promise<BusinessRow> {
    const hit = businesses.get(id);
    if (hit && Date.now() - hit.at < BUSINESS_CACHE_MS) return hit.row;
    const row = await findBusinessById(d.db, id);
    if (!row || row.status !== 'active' || !row.mttCode) throw notActive();
    if (businesses.size > 10_000) businesses.clear();
    businesses.set(id, { row, at: Date.now() });
    return row;
  }

  const queue = createSellerQueue<SaleJob, SaleOutcome>((_lane, jobs) => issueTurn(jobs), SALES_PER_TURN);

  /**
   * One turn of a lane: the sales of each seller in it issued in one transaction (lock, keys,
   * numbers for all sellers in one round trip, then one statement for everything written). A key
   * that was already taken replays its answer (or conflicts) after the commit, as a lone request
   * would. Should the transaction fail as a whole with several sellers in it, each seller's sales
   * go again alone, so that one seller's trouble (an expired certificate) stays its own.
   */
  async function issueTurn(jobs: SaleJob[]): Promise<Array<Settled<SaleOutcome>>> {
    const groups = new Map<string, SaleJob[]>();
    for (const j of jobs) groups.set(j.sellerId, [...(groups.get(j.sellerId) ?? []), j]);
    const outcomes = new Map<SaleJob, Settled<SaleOutcome>>();
    try {
      await issueSellers([...groups.values()], outcomes);
    } catch (err) {
      if (groups.size > 1) {
        for (const group of groups.values()) await issueTurn(group).then((settled) => group.forEach((j, i) => outcomes.set(j, settled[i]!)));
      } else {
        // Refused as a whole (the database, a certificate that expired meanwhile): a finished request still replays.
        for (const j of jobs) outcomes.set(j, settledOf(await answeredOr(j.ref, j.requestHash, err)));
      }
    }
    return jobs.map((j) => outcomes.get(j) ?? { ok: false, error: new Error('sales turn: a sale got no outcome') });
  }

  const settledOf = (o: unknown): Settled<SaleOutcome> => (o instanceof Replayed ? { ok: true, value: o.outcome } : { ok: false, error: o });

  /** A seller's sales of a turn, ready to issue: checked and loaded outside the transaction. */
  interface Ready {
    jobs: SaleJob[];
    business: BusinessRow;
    signer: Signer;
    dictionary: Dictionary;
    /** Per job: the first with its key in this turn (a repeat replays the first's answer). */
    first: boolean[];
  }

  async function issueSellers(groups: SaleJob[][], outcomes: Map<SaleJob, Settled<SaleOutcome>>): Promise<void> {
    const requestedAt = new Date(Math.max(...groups.flat().map((j) => j.requestedAt.getTime())));
    const ready: Ready[] = [];
    for (const jobs of groups) {
      try {
        ready.push(await readySeller(jobs, requestedAt));
      } catch (err) {
        for (const j of jobs) outcomes.set(j, settledOf(await answeredOr(j.ref, j.requestHash, err)));
      }
    }
    if (ready.length === 0) return;
    const issued = await inIssuingTransaction(
      ready.map((r) => ({ business: r.business, keys: r.jobs.filter((_, i) => r.first[i]).map((j) => j.ref) })),
      requestedAt,
      async (tx, starts, issuedAt) => {
        const turns = ready.map((r, s) => sellerTurn(r, starts[s]!, issuedAt));
        await storeInvoices(
          tx,
          turns.flatMap((t) => (t.built ? [t.built] : [])),
        );
        return turns;
      },
    );
    for (const [s, r] of ready.entries()) {
      const turn = issued[s]!;
      if (turn.error) {
        for (const j of r.jobs) outcomes.set(j, settledOf(await answeredOr(j.ref, j.requestHash, turn.error)));
        continue;
      }
      for (const row of turn.built?.rows ?? []) announce(row);
      let next = 0;
      for (const [i, job] of r.jobs.entries()) {
        if (turn.owned[i]) outcomes.set(job, { ok: true, value: { status: 201, body: turn.bodies[next++]!, replayed: false } });
        else outcomes.set(job, await replayed(job));
      }
    }
  }

  /**
   * The seller's signer, usable at `at` (409 otherwise), and its XML dictionary. Outside the
   * transaction: PGlite has one connection, a query beside an open transaction would wait forever.
   */
  async function signing(business: BusinessRow, at: Date): Promise<{ signer: Signer; dictionary: Dictionary }> {
    const signer = await d.signerFor(business.id);
    usableAt(signer, at);
    return { signer, dictionary: await sellerDictionary(d.db, business, signer, d.config, at) };
  }

  const issueCommon = (business: IssueCommon['business'], signer: Signer, dictionary: Dictionary, issuedAt: Date): IssueCommon => ({
    business,
    signer,
    dictionary,
    issuedAt,
    formatVersion: d.config.formatVersion,
    providerTaxCode: d.config.providerTaxCode,
  });

  async function readySeller(jobs: SaleJob[], requestedAt: Date): Promise<Ready> {
    const sellerId = jobs[0]!.sellerId;
    const business = await activeBusiness(sellerId);
    const { signer, dictionary } = await signing(business, requestedAt);
    const seen = new Set<string>();
    const first = jobs.map((j) => !seen.has(refKey(j.ref)) && seen.add(refKey(j.ref)) !== undefined);
    return { jobs, business, signer, dictionary, first };
  }

  /** One seller's part of a turn, inside the transaction: which jobs it owns, their invoices built. */
  function sellerTurn(r: Ready, start: IssuingStart, issuedAt: Date): { owned: boolean[]; built?: BuiltInvoices; bodies: InvoiceView[]; error?: AppError } {
    const current = start.business;
    // No numbers were allocated for a business that is not active (issue_begin): nothing to undo.
    if (!current || current.status !== 'active' || !current.mttCode) return { owned: [], bodies: [], error: notActive() };
    let next = 0;
    const owned = r.first.map((f) => f && !start.taken[next++]);
    const mine = r.jobs.filter((_, i) => owned[i]);
    if (mine.length === 0) return { owned, bodies: [] };
    usableAt(r.signer, issuedAt);
    const common = issueCommon(current, r.signer, r.dictionary, issuedAt);
    let bodies: InvoiceView[] = [];
    const built = buildInvoices(
      common,
      mine.map((j) => ({ terminalId: j.terminalId, ...j.prepared })),
      start.allocated,
      (rows) => {
        bodies = rows.map((row) => invoiceView(row, d.config.publicUrl));
        return mine.map((j, i) => ({ ...j.ref, requestHash: j.requestHash, createdAt: j.requestedAt, response: bodies[i] }));
      },
    );
    return { owned, built, bodies };
  }

  async function replayed(job: SaleJob): Promise<Settled<SaleOutcome>> {
    try {
      const earlier = await findAnswer(d.db, job.ref);
      if (!earlier) throw new Error('idempotency key claimed by another transaction but not found');
      return { ok: true, value: replay(earlier, job.requestHash) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /**
   * Runs `work` in an issuing transaction started by beginIssuingMany (one start per seller, with
   * its keys): the locks are held, the numbers allocated, and `issuedAt` read after the locks, so
   * numbers rise with issue times. If a business changed its form or series since it was read, or
   * the year turned between the allocation and the issue time, the numbers belong to another
   * counter: the transaction rolls back (returning them) and runs again with fresh reads.
   */
  async function inIssuingTransaction<T>(
    sellers: Array<{ business: BusinessRow; keys: KeyRef[] }>,
    requestedAt: Date,
    work: (tx: Tx, starts: IssuingStart[], issuedAt: Date) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const expected = attempt === 0 ? sellers.map((s) => s.business) : await Promise.all(sellers.map((s) => freshBusiness(s.business.id)));
      const guess = later(requestedAt, d.clock());
      try {
        return await d.db.transaction(async (tx) => {
          const starts = await beginIssuingMany(
            tx,
            sellers.map((s, i) => ({ expected: expected[i]!, keys: s.keys, extra: 0, issuedAt: guess })),
          );
          const issuedAt = later(guess, d.clock());
          const stale = starts.some((st, i) => st.business && (st.business.invoiceForm !== expected[i]!.invoiceForm || st.business.symbolSeries !== expected[i]!.symbolSeries));
          if (stale || businessYear(issuedAt) !== businessYear(guess)) throw new StaleStart();
          return work(tx, starts, issuedAt);
        });
      } catch (err) {
        if (!(err instanceof StaleStart) || attempt >= 2) throw err;
      }
    }
  }

  async function freshBusiness(id: string): Promise<BusinessRow> {
    businesses.delete(id);
    const row = await findBusinessById(d.db, id);
    if (!row) throw notActive();
    return row;
  }

  /**
   * Issues one invoice under an Idempotency-Key: the seller's issuing lock taken, the key checked,
   * `prepare` checks what it must under that lock (a correction reads its original there) and
   * gives the invoice, `after` runs in the same transaction, and the answer is stored with the
   * key. A key answered by a committed request replays its answer instead.
   */
  async function issueOnce(o: IssueOnce): Promise<SaleOutcome> {
    const { signer, dictionary } = await signing(o.business, o.requestedAt);

    const outcome = await inIssuingTransaction([{ business: o.business, keys: [o.ref] }], o.requestedAt, async (tx, [start], issuedAt) => {
      if (start!.taken[0]) return { issued: false as const, earlier: await findAnswer(tx, o.ref) };
      usableAt(signer, issuedAt);
      const prepared = await o.prepare(tx, issuedAt);
      const common = issueCommon(o.business, signer, dictionary, issuedAt);
      let body: InvoiceView | undefined;
      const [row] = await issueInvoices(tx, common, [{ terminalId: o.terminalId, ...prepared }], {
        allocated: start!.allocated,
        answers: ([issued]) => {
          body = o.view ? o.view(issued!) : invoiceView(issued!, d.config.publicUrl);
          return [{ ...o.ref, requestHash: o.requestHash, createdAt: o.requestedAt, response: body }];
        },
      });
      await o.after?.(tx, row!);
      return { issued: true as const, row: row!, body: body! };
    });
    if (!outcome.issued) {
      if (!outcome.earlier) throw new Error('idempotency key claimed by another transaction but not found');
      return replay(outcome.earlier, o.requestHash);
    }
    announce(outcome.row);
    return { status: 201, body: outcome.body, replayed: false };
  }

  /** In order, each sale in its own transaction; a refused sale (409, 422) does not stop the others. */
  async function batch(p: Poster, sales: Array<{ idempotencyKey: string }>, checkShape: (sale: unknown) => FieldError[]): Promise<BatchOutcome[]> {
    const results: BatchOutcome[] = [];
    for (const { idempotencyKey, ...sale } of sales) {
      try {
        const shape = checkShape(sale);
        if (shape.length > 0) throw invalid('validation.failed', shape, 'The sale has invalid fields');
        const out = await sell(p, idempotencyKey, sale as unknown as SaleBody);
        results.push({ idempotencyKey, status: out.status, invoice: out.body });
      } catch (err) {
        // Anything else (database down, a bug) stops the batch: what committed so far replays on retry.
        if (!(err instanceof AppError) || (err.status !== 409 && err.status !== 422)) throw err;
        results.push({ idempotencyKey, status: err.status, error: err });
      }
    }
    return results;
  }

  function announce(row: InvoiceRow): void {
    // After commit, and never failing the sale: the reconciler picks up anything missed here.
    Promise.resolve()
      .then(() => d.transmission.invoiceIssued({ businessId: row.businessId, form: row.form, symbol: row.symbol, number: row.number, issuedAt: row.issuedAt }))
      .catch((err: unknown) => d.log.warn({ err, invoiceId: row.id }, 'could not schedule the transmission; the reconciler will'));
  }

  return { sell, batch, issueOnce };
}

export type SalesService = ReturnType<typeof createSalesService>;

/** The sales service over a process's dependencies (the sales and corrections routes share it). */
export function salesServiceOf(deps: Deps): SalesService {
  return createSalesService({
    db: deps.database.db,
    config: deps.config,
    clock: deps.clock,
    signerFor: deps.keystore.signerFor,
    transmission: deps.transmission,
    log: deps.log,
  });
}

export function invoiceView(row: InvoiceRow, publicUrl: string): InvoiceView {
  return {
    invoiceId: row.id,
    symbol: formatSymbolWithForm(row.form, row.symbol),
    number: row.number,
    code: row.mttCode,
    issuedAt: toIsoLocal(row.issuedAt),
    businessDate: row.businessDate,
    saleDate: row.saleDate,
    issuedLate: row.issuedLate,
    totals: { beforeVat: row.beforeVat, vat: row.vat, total: row.total, byRate: row.form === 2 ? [] : row.byRate },
    totalInWords: row.totalInWords,
    qr: row.qr,
    lookupUrl: `${publicUrl}/v1/lookup?code=${encodeURIComponent(row.mttCode)}&total=${row.total}`,
    status: 'issued',
    transmission: { status: row.txStatus },
  };
}

/** SHA-256 of the body with keys sorted: the same sale hashes the same whatever the key order. */
export function hashRequest(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function replay(stored: StoredAnswer, requestHash: string): SaleOutcome {
  if (stored.requestHash !== requestHash) {
    throw conflict('idempotency.conflict', 'This Idempotency-Key was already used for another sale; use a new key for a new sale');
  }
  return { status: 200, body: stored.response as InvoiceView, replayed: true };
}

export const notActive = (): AppError => conflict('business.not_active', 'The business is not active: its registration has not been accepted by the tax authority');

/** 409 certificate.expired / certificate.not_yet_valid, before any number is allocated. */
function usableAt(signer: Signer, at: Date): void {
  try {
    checkSignerValidity(signer, at);
  } catch (err) {
    if (err instanceof CertificateError) throw new AppError(409, err.code, err.message);
    throw err;
  }
}

// An injected clock may stand still or step back; the issue time never precedes the request's.
function later(a: Date, b: Date): Date {
  return b.getTime() >= a.getTime() ? b : a;
}
