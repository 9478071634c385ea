// Businesses and invoices made through the services (no HTTP), for tests of the layers below the
// API. A business made here is already active and known to the built-in simulator.
import { randomBytes, randomInt } from 'node:crypto';
import type { Deps } from '../../src/deps.js';
import { computeInvoice } from '../../src/domain/amounts.js';
import { makeTaxCode } from '../../src/domain/tax-code.js';
import { insertBusiness, LEGAL_REP_AAD, storeCertificate, type BusinessRow } from '../../src/modules/businesses/businesses.repo.js';
import { issueInvoice, type InvoiceRow } from '../../src/modules/sales/issue.js';
import { xmlStoreOf } from '../../src/invoice/xml-store.js';
import { loadPkcs12, type Signer } from '../../src/signing/pkcs12.js';
import { makeSellerPkcs12 } from './certs.js';
import { staff, terminals } from '../../src/db/schema/index.js';
import { issueCredential } from '../../src/modules/staff/credentials.repo.js';

export function randomTaxCode(): string {
  for (;;) {
    try {
      return makeTaxCode(String(randomInt(100_000_000, 999_999_999)).padStart(9, '0'));
    } catch {
      // this prefix has no valid check digit; draw again
    }
  }
}

export const randomMttCode = (): string => randomBytes(8).toString('hex').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 5);

export interface ActiveBusiness {
  business: BusinessRow;
  signer: Signer;
}

export async function createActiveBusiness(
  deps: Deps,
  opts: { taxCode?: string; mttCode?: string; form?: 1 | 2; provinceCode?: string; name?: string; seedSimulator?: boolean } = {},
): Promise<ActiveBusiness> {
  const taxCode = opts.taxCode ?? randomTaxCode();
  const mttCode = opts.mttCode ?? randomMttCode();
  const name = opts.name ?? 'Nhà hàng Phở Việt';
  const p12 = makeSellerPkcs12({ taxCode, name, notBefore: new Date(Date.now() - 30 * 86_400_000) });
  const signer = loadPkcs12(p12.pkcs12, p12.password, { expectedTaxCode: taxCode });
  const now = deps.clock();
  const business = await deps.database.db.transaction(async (tx) => {
    const b = await insertBusiness(tx, {
      taxCode,
      name,
      address: '12 Phố Huế, Hai Bà Trưng, Hà Nội',
      provinceCode: opts.provinceCode ?? '01',
      taxOfficeCode: deps.config.taxOfficeCode,
      email: 'chu@phoviet.vn',
      invoiceForm: opts.form ?? 1,
      status: 'active',
      mttCode,
      legalRepresentative: { name: 'Nguyễn Văn An', personalIdMasked: '001*******45', birthDate: '1985-04-12', sex: 'male', phone: '0912345678' },
      legalRepresentativeSecret: deps.box.encrypt('001085012345', LEGAL_REP_AAD),
      activatedAt: now,
      createdAt: now,
    });
    await storeCertificate(tx, deps.box, b.id, signer, now);
    return b;
  });
  if (opts.seedSimulator !== false && deps.simulator) {
    const seeded = await deps.simulator.simulator.seedSeller({ taxCode, mttCode, name });
    if (!seeded.ok) throw new Error(`simulator refused the seller: ${seeded.message}`);
  }
  return { business, signer };
}

const MENU = [
  { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', unitPrice: 65000, vatRate: '8%' },
  { code: 'CF02', name: 'Cà phê sữa đá', unit: 'cốc', unitPrice: 29000, vatRate: '8%' },
  { code: 'BIA03', name: 'Bia Hà Nội', unit: 'chai', unitPrice: 25000, vatRate: '10%' },
  { code: 'NEM04', name: 'Nem rán "đặc biệt" <4 cái> & rau', unit: 'đĩa', unitPrice: 55000, vatRate: '8%' },
];

/** Issues `count` invoices for the business through the issuing service, then tells transmission. */
export async function issueInvoices(deps: Deps, b: ActiveBusiness, count: number, opts: { at?: () => Date } = {}): Promise<InvoiceRow[]> {
  const out: InvoiceRow[] = [];
  for (let i = 0; i < count; i++) {
    const items = MENU.slice(0, 1 + (i % MENU.length)).map((m, k) => ({ ...m, quantity: 1 + ((i + k) % 3) }));
    const { lines, totals } = computeInvoice({ form: b.business.invoiceForm as 1 | 2, pricesIncludeVat: true, lines: items });
    const issuedAt = opts.at?.() ?? deps.clock();
    const row = await deps.database.db.transaction((tx) =>
      issueInvoice(tx, {
        business: b.business,
        terminalId: null,
        signer: b.signer,
        issuedAt,
        soldAt: issuedAt,
        pricesIncludeVat: true,
        paymentMethod: 'cash',
        lines,
        totals,
        formatVersion: deps.config.formatVersion,
        providerTaxCode: deps.config.providerTaxCode,
      }),
    );
    await deps.transmission.invoiceIssued({ businessId: row.businessId, form: row.form, symbol: row.symbol, number: row.number, issuedAt: row.issuedAt });
    out.push(row);
  }
  return out;
}

export async function waitFor<T>(fn: () => Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<Exclude<T, false | '' | 0>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<Exclude<T, false | '' | 0>>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A terminal of the business with its bearer token (trm_…), made through the repository. */
export async function createTerminal(deps: Deps, businessId: string, name = 'Quầy 1'): Promise<{ id: string; token: string }> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const [row] = await tx.insert(terminals).values({ businessId, name, location: 'Tầng 1', createdAt: now }).returning({ id: terminals.id });
    const token = await issueCredential(tx, 'trm', { businessId, terminalId: row!.id }, now);
    return { id: row!.id, token };
  });
}

/** A staff member with a bearer token (stf_…). */
export async function createStaff(deps: Deps, role: 'officer' | 'admin', provinces: string[] = []): Promise<{ id: string; token: string }> {
  const now = deps.clock();
  return deps.database.db.transaction(async (tx) => {
    const [row] = await tx.insert(staff).values({ name: `Cán bộ ${role}`, role, provinces, createdAt: now }).returning({ id: staff.id });
    const token = await issueCredential(tx, 'stf', { staffId: row!.id }, now);
    return { id: row!.id, token };
  });
}

/** The business's own key (biz_…). */
export async function createBusinessKey(deps: Deps, businessId: string): Promise<string> {
  return issueCredential(deps.database.db, 'biz', { businessId }, deps.clock());
}

/** An invoice's signed XML as served (stored deflated or as text). */
export async function storedXml(deps: Deps, row: { id: string }): Promise<string> {
  const xml = (await xmlStoreOf(deps.database.db).byInvoiceIds(deps.database.db, [row.id])).get(row.id);
  if (xml === undefined) throw new Error(`no invoice ${row.id}`);
  return xml;
}
