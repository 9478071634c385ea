// `node dist/bench/sim-intake.js [--messages 40] [--per-message 12] [--rounds 5] [--xsd]`: the
// CPU cost per invoice of (1) the gateway's XML build + signature of one invoice and (2) the
// simulator's intake of signed 206 messages: the checks alone (parse, signatures, rules; no
// database) and the whole POST /messages path against PostgreSQL, with its SQL statements counted.
// Realistic restaurant sales from the demo catalogue, a demo-CA certificate, messages built and
// signed as the batcher does. The simulator's database is created on the server of DATABASE_URL
// (default postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end. `--xsd` adds the
// xmllint schema checks (their own processes' CPU is not counted). The machine is shared: the
// measurements are interleaved round by round, and runs are best compared by ratios.
import { randomBytes, sign } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { envelopeSkeleton } from '../authority-sim/intake.js';
import { invoiceProblems, checkSellerSignature } from '../authority-sim/invoice-checks.js';
import { createSimulator, type Simulator } from '../authority-sim/simulator.js';
import { openDatabase, type Db } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import * as schema from '../db/schema/index.js';
import { computeInvoice } from '../domain/amounts.js';
import { buildMessageId } from '../domain/codes.js';
import type { LineInput } from '../domain/line-input.js';
import { seededRandom } from '../lib/random.js';
import { buildInvoiceMessage, MESSAGE_SIGNATURE_PLACEHOLDER } from '../invoice/message.js';
import type { InvoiceModel } from '../invoice/model.js';
import { extractInvoiceXml, parseInvoice, parseMessage } from '../invoice/parse.js';
import { buildInvoiceXml, XML_DECLARATION } from '../invoice/xml.js';
import { KINDS } from '../modules/demo/catalog.js';
import { demoCertificates } from '../modules/demo/certs.js';
import { invoiceModel, signedInvoiceXml, type InvoiceDocumentInput } from '../modules/sales/invoice-document.js';
import type { Signer } from '../signing/pkcs12.js';
import { signEnveloped } from '../signing/xmldsig.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const MESSAGES = arg('messages', 40);
const PER_MESSAGE = arg('per-message', 12);
const ROUNDS = arg('rounds', 5);
const XSD = process.argv.includes('--xsd');

const TAX_CODE = '0101243150';
const SELLER_CODE = 'A1B2C';
const SENDER = 'V0100109106';

/** A sale of one of the demo eateries: 1–8 lines, prices including VAT, a buyer one time in five. */
function saleInput(rnd: () => number, number: number, now: Date): InvoiceDocumentInput {
  const kind = KINDS[Math.floor(rnd() * KINDS.length)]!;
  const lines: LineInput[] = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => {
    const item = kind.menu[Math.floor(rnd() * kind.menu.length)]!;
    return { code: item.code, name: item.name, unit: item.unit, quantity: 1 + Math.floor(rnd() * 3), unitPrice: item.price, vatRate: item.fullRate ? '10%' : '8%' };
  });
  const computed = computeInvoice({ form: 1, pricesIncludeVat: true, lines });
  return {
    invoiceId: randomBytes(16).toString('hex'),
    formatVersion: '2.1.0',
    providerTaxCode: '0100109106',
    seller: { name: 'Nhà hàng Phở Việt', taxCode: TAX_CODE, address: '12 Phố Huế, Hai Bà Trưng, Hà Nội' },
    form: 1,
    symbol: 'C26MAA',
    number,
    mttCode: `M1-26-${SELLER_CODE}-${String(number).padStart(11, '0')}`,
    issuedAt: now,
    businessDate: '2026-11-27',
    soldAt: new Date(now.getTime() - 60_000),
    pricesIncludeVat: true,
    paymentMethod: rnd() < 0.7 ? 'cash' : 'card',
    ...(rnd() < 0.2 ? { buyer: { name: 'Nguyễn Văn An', personalId: '001085001234' } } : {}),
    lines: computed.lines,
    totals: computed.totals,
  };
}

/** A signed 206 around signed invoices, as the batcher builds it. */
function message206(invoices: string[], signer: Signer, now: Date): { id: string; xml: string } {
  const id = buildMessageId(SENDER);
  const dataId = `_${randomBytes(16).toString('hex')}`;
  const unsigned = buildInvoiceMessage(
    { version: '2.1.0', sender: SENDER, receiver: 'TCT', type: 206, messageId: id, taxCode: TAX_CODE, count: invoices.length },
    dataId,
    invoices.map((x) => x.slice(XML_DECLARATION.length)),
  );
  return { id, xml: signEnveloped(unsigned, { signer, referenceId: dataId, placeholder: MESSAGE_SIGNATURE_PLACEHOLDER, signingTime: now }) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** CPU (user + system) and wall milliseconds of `f`. */
async function measure(f: () => unknown): Promise<{ cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 };
}

/** The simulator's checks of one 206 without its database: envelope, every invoice, message signature. */
function checksOf(xml: string, now: Date): number {
  const envelope = parseMessage(envelopeSkeleton(xml));
  const sig = checkSellerSignature(xml, { referenceId: envelope.dataId as string, containerTag: 'CKSNNT', taxCode: TAX_CODE, now });
  if (!sig.ok) throw new Error(`message signature: ${sig.reason}`);
  let problems = 0;
  for (const hdon of extractInvoiceXml(xml)) {
    problems += invoiceProblems(hdon, parseInvoice(hdon), { taxCode: TAX_CODE, sellerCode: SELLER_CODE, now }).length;
  }
  return problems;
}

async function main(): Promise<void> {
  const now = new Date();
  const rnd = seededRandom(20261127);
  const signer = demoCertificates().seller({ taxCode: TAX_CODE, name: 'Nhà hàng Phở Việt', locality: 'Hà Nội', notBefore: new Date(now.getTime() - 86_400_000) });
  const n = MESSAGES * PER_MESSAGE;
  const inputs = Array.from({ length: n }, (_, i) => saleInput(rnd, i + 1, now));
  const models: InvoiceModel[] = inputs.map(invoiceModel);
  const signed = models.map((m) => signedInvoiceXml(m, signer, now));
  const messages = Array.from({ length: MESSAGES }, (_, i) => message206(signed.slice(i * PER_MESSAGE, (i + 1) * PER_MESSAGE), signer, now));
  const bytes = signed.reduce((s, x) => s + Buffer.byteLength(x), 0) / n;

  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `hm_bench_sim_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const migrated = await openDatabase({ databaseUrl: url.toString(), dataDir: os.tmpdir() });
  await migrateDatabase(migrated, url.toString());
  await migrated.close();
  let statements = 0;
  const client = postgres(url.toString(), { max: 5, onnotice: () => {}, prepare: true });
  const db = drizzle({ client, schema, casing: 'snake_case', logger: { logQuery: () => void statements++ } }) as unknown as Db;
  const sim: Simulator = await createSimulator({ db, validateXsd: XSD, replyDelayMs: 0 });

  const rounds: Record<string, number[]> = {};
  let statementsPerMessage = 0;
  try {
    // Round 0 warms up (JIT, certificate reading) and is not counted.
    for (let r = 0; r <= ROUNDS; r++) {
      const add = (k: string, v: number): void => {
        if (r > 0) (rounds[k] ??= []).push(v / n);
      };
      add('raw RSA sign', (await measure(() => inputs.forEach(() => sign('sha256', Buffer.from('hoadon-mtt'), signer.privateKey)))).cpu);
      add('XML build (model + XML)', (await measure(() => inputs.forEach((d) => buildInvoiceXml(invoiceModel(d))))).cpu);
      add('XML build + sign', (await measure(() => inputs.forEach((d) => signedInvoiceXml(invoiceModel(d), signer, now)))).cpu);
      add('sim checks (no DB)', (await measure(() => messages.forEach((m) => checksOf(m.xml, now)))).cpu);

      await sim.reset();
      const seeded = await sim.seedSeller({ taxCode: TAX_CODE, mttCode: SELLER_CODE, name: 'Nhà hàng Phở Việt' });
      if (!seeded.ok) throw new Error(`seeding the seller: ${seeded.message}`);
      statements = 0;
      const whole = await measure(async () => {
        for (const m of messages) {
          const res = await sim.receive(m.xml);
          if (res.outcome !== 'taken') throw new Error(`message ${m.id}: ${res.outcome}`);
        }
      });
      statementsPerMessage = statements / MESSAGES;
      add('sim receive, CPU', whole.cpu);
      add('sim receive, wall', whole.wall);
    }
    const stats = await sim.stats();
    if (stats.invoicesAccepted !== n || stats.invoicesRejected !== 0) throw new Error(`expected ${n} accepted, got ${JSON.stringify(stats)}`);
  } finally {
    await client.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  }

  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), node ${process.version}`);
  console.log(`${MESSAGES} messages × ${PER_MESSAGE} invoices (${bytes.toFixed(0)} B signed invoice on average), ${ROUNDS} rounds, XSD ${XSD ? 'on' : 'off'}`);
  // The median round: other work on a shared machine lands on a few rounds, not on all of them.
  for (const [k, v] of Object.entries(rounds)) console.log(`${k.padEnd(26)} ${median(v).toFixed(4)} ms per invoice (best round ${Math.min(...v).toFixed(4)})`);
  console.log(`SQL statements per message: ${statementsPerMessage.toFixed(1)} (+ BEGIN/COMMIT of one transaction)`);
}

await main();
