// The tax-authority simulator: its core object (used by its HTTP app and directly by tests) and
// startSimulator, which the gateway's composition root calls in embedded mode.
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import type { Db } from '../db/client.js';
import { validateTaxCode } from '../domain/tax-code.js';
import { buildSimulatorApp } from './app.js';
import { silentLogger, type SimContext, type SimLogger } from './context.js';
import { FaultInjector, type FaultKind, type SimFaults } from './faults.js';
import { loadOrCreateIdentity, signerOf } from './identity.js';
import { receiveMessage, type ReceiveResult } from './intake.js';
import type { SimRegisteredCertificate } from './schema.js';
import * as store from './store.js';
import { xmllintAvailable, xmllintValidator } from './xsd.js';

export { seededRandom, parseFaults, FaultConfigError, type SimFaults } from './faults.js';
export type { ReceiveResult, ReceiveOutcome } from './intake.js';

/** Business answers show up this long after the request unless told otherwise. */
export const DEFAULT_REPLY_DELAY_MS = 300;

export interface SimulatorOptions {
  db: Db;
  log?: SimLogger;
  faults?: SimFaults;
  /** Numbers in [0, 1): fault draws and MTT codes. Default Math.random; see seededRandom. */
  random?: () => number;
  clock?: () => Date;
  /** XSD checks through xmllint: default on when xmllint is installed; true requires it. */
  validateXsd?: boolean;
  /** Default 300 ms; the `replyDelayMs` fault overrides it. */
  replyDelayMs?: number;
  /** Enables the /_sim/ seeding and inspection routes (tests, embedded mode). */
  testRoutes?: boolean;
  /** When given, seller certificates must chain to one of these CAs. */
  trustedCaPem?: string[];
}

export interface SellerView {
  taxCode: string;
  mttCode: string;
  name: string | null;
  certificateFingerprint: string | null;
  certificates: SimRegisteredCertificate[];
  registeredAt: string;
}

export interface InvoiceView {
  taxCode: string;
  mttCode: string;
  form: number;
  symbol: string;
  number: number;
  messageId: string;
  acceptedAt: string;
}

export interface SimStats {
  /** Messages stored, by MLTDiep (resends not counted again). */
  messages: Record<string, number>;
  invoicesAccepted: number;
  invoicesRejected: number;
  /** Invoices rejected because their MCCQT or number had been accepted before. */
  duplicates: number;
  /** Same MTDiep, same bytes, sent again. */
  resends: number;
  /** Faults injected by this instance, by kind. */
  faults: Record<FaultKind, number>;
}

export type SeedResult = { ok: true; seller: SellerView } | { ok: false; error: 'invalid' | 'conflict'; message: string };

export interface Simulator {
  readonly certificatePem: string;
  readonly testRoutes: boolean;
  readonly faults: FaultInjector;
  /** POST /messages: the 999 to answer with, after storing what was taken in. */
  receive(body: Buffer | string, hint?: { messageId?: string }): Promise<ReceiveResult>;
  /** GET /messages/:id: the replies visible now, the 999 first; undefined for an unknown id. */
  lookup(messageId: string): Promise<string[] | undefined>;
  setFaults(faults: SimFaults): void;
  seedSeller(p: { taxCode: string; mttCode: string; name?: string }): Promise<SeedResult>;
  seller(taxCode: string): Promise<SellerView | undefined>;
  invoices(taxCode?: string): Promise<InvoiceView[]>;
  stats(): Promise<SimStats>;
  /** Forgets messages, sellers, invoices and counters; keeps the signing key. */
  reset(): Promise<void>;
}

const MTT_CODE = /^[A-Z0-9]{5}$/;

function sellerView(s: store.Seller): SellerView {
  return {
    taxCode: s.taxCode,
    mttCode: s.mttCode,
    name: s.name,
    certificateFingerprint: s.certificateFingerprint,
    certificates: s.certificates,
    registeredAt: s.registeredAt.toISOString(),
  };
}

const invoiceView = (i: store.AcceptedInvoice): InvoiceView => ({
  taxCode: i.taxCode,
  mttCode: i.mttCode,
  form: i.form,
  symbol: i.symbol,
  number: i.number,
  messageId: i.messageId,
  acceptedAt: i.acceptedAt.toISOString(),
});

async function xsdValidator(opt: boolean | undefined, log: SimLogger) {
  if (opt === false) return null;
  if (await xmllintAvailable()) return xmllintValidator();
  if (opt === true) throw new Error('validateXsd is on but xmllint cannot be started (install libxml2-utils)');
  log.warn({}, 'xmllint not found: the simulator skips XSD checks');
  return null;
}

export async function createSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const identity = await loadOrCreateIdentity(opts.db, clock());
  const faults = new FaultInjector(opts.faults ?? {}, random, clock);
  const baseDelay = opts.replyDelayMs ?? DEFAULT_REPLY_DELAY_MS;
  const ctx: SimContext = {
    db: opts.db,
    clock,
    random,
    signer: signerOf(identity),
    validator: await xsdValidator(opts.validateXsd, log),
    log,
    replyDelayMs: () => faults.replyDelayMs(baseDelay),
  };
  if (opts.trustedCaPem?.length) ctx.trustedCertsDer = opts.trustedCaPem.map((pem) => Buffer.from(new X509Certificate(pem).raw));

  return {
    certificatePem: identity.certPem,
    testRoutes: opts.testRoutes ?? false,
    faults,
    receive: (body, hint) => receiveMessage(ctx, typeof body === 'string' ? Buffer.from(body, 'utf8') : body, hint),
    async lookup(messageId) {
      const rows = await store.visibleReplies(opts.db, messageId, clock());
      return rows && faults.duplicateAnswers(rows);
    },
    setFaults: (f) => faults.set(f),
    async seedSeller(p) {
      const tax = validateTaxCode(p.taxCode, clock());
      if (!tax.ok) return { ok: false, error: 'invalid', message: `taxCode: ${tax.message}` };
      if (!MTT_CODE.test(p.mttCode)) return { ok: false, error: 'invalid', message: 'mttCode must be 5 characters [A-Z0-9]' };
      const inserted = await store.insertSeller(opts.db, { taxCode: p.taxCode, mttCode: p.mttCode, name: p.name ?? null, registeredAt: clock() });
      if (!inserted) return { ok: false, error: 'conflict', message: 'the tax code or the MTT code is already registered' };
      const s = await store.getSeller(opts.db, p.taxCode);
      return { ok: true, seller: sellerView(s as store.Seller) };
    },
    async seller(taxCode) {
      const s = await store.getSeller(opts.db, taxCode);
      return s && sellerView(s);
    },
    invoices: async (taxCode) => (await store.listAcceptedInvoices(opts.db, taxCode)).map(invoiceView),
    async stats() {
      const [messages, invoicesAccepted, counters] = await Promise.all([
        store.messageCountsByType(opts.db),
        store.acceptedInvoiceCount(opts.db),
        store.counters(opts.db),
      ]);
      return {
        messages,
        invoicesAccepted,
        invoicesRejected: counters.invoices_rejected ?? 0,
        duplicates: counters.duplicates ?? 0,
        resends: counters.resends ?? 0,
        faults: faults.counters(),
      };
    },
    async reset() {
      await store.resetState(opts.db);
      faults.resetCounters();
    },
  };
}

export interface StartSimulatorOptions extends SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Fastify's logger option for the simulator's HTTP server (default off). */
  logger?: FastifyServerOptions['logger'];
}

export interface RunningSimulator {
  /** http://127.0.0.1:PORT (the address the gateway's AUTHORITY_URL points to). */
  url: string;
  /** The simulator's signing certificate (what the gateway takes as AUTHORITY_CERT). */
  certificatePem: string;
  simulator: Simulator;
  setFaults(faults: SimFaults): void;
  stats(): Promise<SimStats>;
  close(): Promise<void>;
}

export async function startSimulator(opts: StartSimulatorOptions): Promise<RunningSimulator> {
  const simulator = await createSimulator(opts);
  const app = await buildSimulatorApp(simulator, { logger: opts.logger ?? false });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    certificatePem: simulator.certificatePem,
    simulator,
    setFaults: (f) => simulator.setFaults(f),
    stats: () => simulator.stats(),
    close: () => app.close(),
  };
}

