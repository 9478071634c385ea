/**
 * Shared pieces of the simulator tests: signed invoices, signed 206/100/303 messages, a simulator
 * over a fresh PostgreSQL database reached through real HTTP. Not a test file itself.
 */
import { randomUUID } from 'node:crypto';
import { buildMessageId } from '../../src/domain/codes.js';
import { buildEnvelope, buildInvoiceMessage, MESSAGE_SIGNATURE_PLACEHOLDER, type EnvelopeHeader } from '../../src/invoice/message.js';
import type { InvoiceModel } from '../../src/invoice/model.js';
import { buildErrorNoticePayload, NOTICE_SIGNATURE_PLACEHOLDER, type ErrorNoticeModel } from '../../src/invoice/notice.js';
import {
  buildRegistrationPayload,
  CASH_REGISTER_REGISTRATION,
  REGISTRATION_SIGNATURE_PLACEHOLDER,
  type RegistrationModel,
} from '../../src/invoice/registration.js';
import { buildInvoiceXml, SELLER_SIGNATURE_PLACEHOLDER } from '../../src/invoice/xml.js';
import { loadPkcs12, type Signer } from '../../src/signing/pkcs12.js';
import { signEnveloped } from '../../src/signing/xmldsig.js';
import { httpAuthorityClient, type AuthorityClient } from '../../src/transmission/authority-client.js';
import { readReply, type Reply } from '../../src/transmission/replies.js';
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from '../../src/authority-sim/simulator.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { freshPostgres, type TestDatabase } from '../helpers/db.js';
import { sampleModel } from '../invoice/fixtures.js';

export const SENDER = 'V0100109106';
export const SELLER_TAX_CODE = '0101243150';
export const SELLER_CODE = 'A1B2C';

const signers = new Map<string, Signer>();
/** A seller's signer from the test CA, one per tax code and process. */
export function sellerSigner(taxCode = SELLER_TAX_CODE): Signer {
  let s = signers.get(taxCode);
  if (!s) {
    s = loadPkcs12(makeSellerPkcs12({ taxCode }).pkcs12, 'secret');
    signers.set(taxCode, s);
  }
  return s;
}

export const mttCode = (sellerCode: string, counter: number, form = 1): string => `M${form}-26-${sellerCode}-${String(counter).padStart(11, '0')}`;

/** Invoice `n` of the sample seller: its own Id, number and MCCQT. */
export function invoiceModel(n: number, o: { sellerCode?: string; taxCode?: string } & Partial<InvoiceModel> = {}): InvoiceModel {
  const { sellerCode = SELLER_CODE, taxCode = SELLER_TAX_CODE, ...overrides } = o;
  const base = sampleModel();
  return sampleModel({
    id: `_inv${n}x${randomUUID().slice(0, 8)}`,
    number: n,
    mttCode: mttCode(sellerCode, n),
    seller: { ...base.seller, taxCode },
    ...overrides,
  });
}

export function signInvoice(model: InvoiceModel, signer = sellerSigner(model.seller.taxCode)): string {
  return signXml(buildInvoiceXml(model), model.id, signer);
}

/** Signs an `HDon` text (possibly edited after building) as the seller does. */
export function signXml(hdon: string, id: string, signer = sellerSigner()): string {
  return signEnveloped(hdon, { signer, referenceId: id, placeholder: SELLER_SIGNATURE_PLACEHOLDER, signingTime: new Date() });
}

export interface MessageOptions {
  messageId?: string;
  taxCode?: string;
  count?: number;
  signer?: Signer;
}

export function header(type: number, o: { messageId?: string; taxCode?: string; count?: number } = {}): EnvelopeHeader {
  const h: EnvelopeHeader = { version: '2.1.0', sender: SENDER, receiver: 'TCT', type, messageId: o.messageId ?? buildMessageId(SENDER) };
  if (o.taxCode !== undefined) h.taxCode = o.taxCode;
  if (o.count !== undefined) h.count = o.count;
  return h;
}

/** A signed 206 around already-signed invoices; `count` may lie, to test SLuong. */
export function message206(invoices: string[], o: MessageOptions = {}): { id: string; xml: string } {
  const id = o.messageId ?? buildMessageId(SENDER);
  const taxCode = o.taxCode ?? SELLER_TAX_CODE;
  const dataId = `_m${randomUUID().replace(/-/g, '')}`;
  let unsigned = buildInvoiceMessage(header(206, { messageId: id, taxCode }), dataId, invoices);
  if (o.count !== undefined) unsigned = unsigned.replace(`<SLuong>${invoices.length}</SLuong>`, `<SLuong>${o.count}</SLuong>`);
  const xml = signEnveloped(unsigned, {
    signer: o.signer ?? sellerSigner(taxCode),
    referenceId: dataId,
    placeholder: MESSAGE_SIGNATURE_PLACEHOLDER,
    signingTime: new Date(),
  });
  return { id, xml };
}

export function registrationModel(o: Partial<RegistrationModel> & { taxCode?: string } = {}): RegistrationModel {
  const { taxCode = SELLER_TAX_CODE, ...overrides } = o;
  const signer = sellerSigner(taxCode);
  return {
    id: `_reg${randomUUID().replace(/-/g, '')}`,
    version: '2.1.0',
    kind: 1,
    business: { name: 'Công ty TNHH Nhà hàng Phở Việt', taxCode },
    taxOffice: { name: 'Thuế cơ sở 1 thành phố Hà Nội', code: '10100' },
    legalRepresentative: { name: 'Nguyễn Văn An', phone: '0912345678', personalId: '001085001234', birthDate: '1985-03-14', sex: 'male' },
    contact: { address: '12 Lý Thường Kiệt, Hà Nội', email: 'ketoan@phoviet.vn', name: 'Trần Thị Bình', phone: '0987654321' },
    place: 'Hà Nội',
    date: '2026-11-27',
    ...structuredClone(CASH_REGISTER_REGISTRATION),
    invoiceTypes: { vat: true, sales: false, publicAssets: false, nationalReserve: false, other: false, documents: false },
    certificates: [
      { index: 1, issuer: 'Test CA hoadon-mtt', serial: signer.info.serial, validFrom: signer.info.notBefore, validTo: signer.info.notAfter, action: 1 },
    ],
    ...overrides,
  };
}

export function message100(model: RegistrationModel, o: MessageOptions = {}): { id: string; xml: string } {
  const id = o.messageId ?? buildMessageId(SENDER);
  const unsigned = buildEnvelope(header(100, { messageId: id, taxCode: model.business.taxCode, count: 1 }), buildRegistrationPayload(model));
  const xml = signEnveloped(unsigned, {
    signer: o.signer ?? sellerSigner(model.business.taxCode),
    referenceId: model.id,
    placeholder: REGISTRATION_SIGNATURE_PLACEHOLDER,
    signingTime: new Date(),
  });
  return { id, xml };
}

export function message303(model: ErrorNoticeModel, o: MessageOptions = {}): { id: string; xml: string } {
  const id = o.messageId ?? buildMessageId(SENDER);
  const unsigned = buildEnvelope(header(303, { messageId: id, taxCode: model.seller.taxCode, count: 1 }), buildErrorNoticePayload(model));
  const xml = signEnveloped(unsigned, {
    signer: o.signer ?? sellerSigner(model.seller.taxCode),
    referenceId: model.id,
    placeholder: NOTICE_SIGNATURE_PLACEHOLDER,
    signingTime: new Date(),
  });
  return { id, xml };
}

export interface TestSim {
  db: TestDatabase;
  sim: RunningSimulator;
  client: AuthorityClient;
  /** JSON from a /_sim/ route. */
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Sends, expects a 999, returns it read. */
  send(m: { id: string; xml: string }): Promise<Extract<Reply, { type: 999 }>>;
  /** Looks a message up and reads every reply. */
  replies(id: string): Promise<Reply[]>;
}

async function json<T>(res: Response): Promise<{ status: number; body: T }> {
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function startTestSim(
  t: { teardown(fn: () => unknown): void },
  opts: Partial<Omit<StartSimulatorOptions, 'db'>> & { db?: TestDatabase } = {},
): Promise<TestSim> {
  const db = opts.db ?? (await freshPostgres(t));
  const { db: _given, ...rest } = opts;
  const sim = await startSimulator({ replyDelayMs: 0, testRoutes: true, ...rest, db: db.database.db });
  t.teardown(() => sim.close());
  return wrap(db, sim);
}

export function wrap(db: TestDatabase, sim: RunningSimulator): TestSim {
  const client = httpAuthorityClient({ baseUrl: sim.url, timeoutMs: 10_000 });
  const out: TestSim = {
    db,
    sim,
    client,
    get: async (path) => json(await fetch(sim.url + path)),
    post: async (path, body) =>
      json(
        await fetch(sim.url + path, {
          method: 'POST',
          ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        }),
      ),
    async send(m) {
      const res = await client.send(m.id, m.xml);
      if (res.kind !== 'answered') throw new Error(`send failed: ${res.error}`);
      const r = readReply(res.xml);
      if (r.type !== 999) throw new Error(`expected a 999, got ${r.type}`);
      return r as Extract<Reply, { type: 999 }>;
    },
    async replies(id) {
      const res = await client.lookup(id);
      if (res.kind !== 'found') throw new Error(`lookup of ${id}: ${res.kind}`);
      return res.replies.map(readReply);
    },
  };
  return out;
}
