// What the benchmark's POS terminals send: businesses with their own self-signed certificate
// (PKCS#12, as a business uploads it), and realistic restaurant sales: 1–12 lines of Vietnamese
// dishes and drinks, mixed VAT rates, some weighed quantities, ~20 % with a buyer's personal ID.
import { seededRandom } from '../../lib/random.js';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { toIsoLocal } from '../../domain/dates.js';
import { makePersonalId } from '../../domain/personal-id.js';
import { makeTaxCode } from '../../domain/tax-code.js';

const UID_OID = '0.9.2342.19200300.100.1.1';

/** A throwaway self-signed certificate with subject UID "MST:<taxCode>", packaged as legacy 3DES PKCS#12. */
export function benchPkcs12(taxCode: string, name: string, password: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.rsa.setPublicKey(key.n, key.e);
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const attrs = [
    { shortName: 'CN', value: name, valueTagClass: forge.asn1.Type.UTF8 },
    { type: UID_OID, value: `MST:${taxCode}`, valueTagClass: forge.asn1.Type.UTF8 },
    { shortName: 'C', value: 'VN' },
  ] as forge.pki.CertificateField[];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64');
}

const PLACES = ['Hồ Gươm', 'Sài Gòn', 'Sông Hàn', 'Hạ Long', 'Ninh Kiều', 'Nha Trang', 'Bến Thành', 'Tây Hồ', 'Phú Quốc', 'Cố Đô'];
const KINDS = ['Nhà hàng Phở', 'Quán Bún chả', 'Cơm tấm', 'Quán Cà phê', 'Bia hơi', 'Lẩu nướng', 'Bánh mì', 'Quán Chè', 'Hải sản', 'Trà sữa'];
const PROVINCES = ['01', '79', '48', '31', '92', '56', '22', '46'];
const PEOPLE = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Hoàng Cường', 'Phạm Thu Dung', 'Hoàng Minh Đức', 'Vũ Thị Hoa', 'Đặng Quốc Huy', 'Bùi Thị Lan'];

export interface BusinessSpec {
  taxCode: string;
  body: Record<string, unknown>;
}

/** The i-th benchmark business: a valid tax code drawn from `seed`, a registration body. */
export function businessSpec(i: number, seed: number): BusinessSpec {
  let taxCode = '';
  for (let n = 0; !taxCode; n++) {
    try {
      taxCode = makeTaxCode(String(100_000_000 + ((seed * 7919 + i * 104_729 + n * 13) % 899_999_999)));
    } catch {
      // no check digit for these nine digits: try the next
    }
  }
  const name = `${KINDS[i % KINDS.length]} ${PLACES[(i * 3) % PLACES.length]} ${i + 1}`;
  const password = randomBytes(9).toString('base64url');
  return {
    taxCode,
    body: {
      taxCode,
      name,
      address: `${1 + (i % 200)} phố ${PLACES[i % PLACES.length]}`,
      provinceCode: PROVINCES[i % PROVINCES.length],
      email: `bench${i + 1}@example.vn`,
      invoiceForm: 1,
      certificate: { pkcs12: benchPkcs12(taxCode, name, password), password },
      legalRepresentative: {
        name: PEOPLE[i % PEOPLE.length],
        personalId: makePersonalId({ province: '001', sex: 'male', birthYear: 1985, serial: i % 1_000_000 }),
        birthDate: '1985-04-12',
        sex: 'male',
        phone: '0912345678',
      },
    },
  };
}

interface MenuItem {
  code: string;
  name: string;
  unit: string;
  unitPrice: number;
  vatRate: string;
  /** Sold by weight: quantities with decimals. */
  weighed?: boolean;
}

// Cooked food and drinks 8 % (reduced rate in force to 2026-12-31), alcohol and tobacco 10 %,
// bottled water 5 %, a service charge not subject to VAT (KCT).
const MENU: MenuItem[] = [
  { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', unitPrice: 65000, vatRate: '8%' },
  { code: 'PHO02', name: 'Phở gà', unit: 'bát', unitPrice: 60000, vatRate: '8%' },
  { code: 'BUN01', name: 'Bún chả Hà Nội', unit: 'suất', unitPrice: 55000, vatRate: '8%' },
  { code: 'BUN02', name: 'Bún bò Huế', unit: 'bát', unitPrice: 60000, vatRate: '8%' },
  { code: 'COM01', name: 'Cơm tấm sườn bì chả', unit: 'đĩa', unitPrice: 60000, vatRate: '8%' },
  { code: 'COM02', name: 'Cơm rang dưa bò', unit: 'đĩa', unitPrice: 70000, vatRate: '8%' },
  { code: 'NEM01', name: 'Nem rán', unit: 'đĩa', unitPrice: 55000, vatRate: '8%' },
  { code: 'GOI01', name: 'Gỏi cuốn tôm thịt', unit: 'đĩa', unitPrice: 45000, vatRate: '8%' },
  { code: 'BXE01', name: 'Bánh xèo', unit: 'cái', unitPrice: 35000, vatRate: '8%' },
  { code: 'BMI01', name: 'Bánh mì pa tê', unit: 'ổ', unitPrice: 25000, vatRate: '8%' },
  { code: 'LAU01', name: 'Lẩu thái hải sản', unit: 'nồi', unitPrice: 350000, vatRate: '8%' },
  { code: 'CUA01', name: 'Cua rang me', unit: 'kg', unitPrice: 780000, vatRate: '8%', weighed: true },
  { code: 'TOM01', name: 'Tôm hùm nướng bơ tỏi', unit: 'kg', unitPrice: 1450000, vatRate: '8%', weighed: true },
  { code: 'CF01', name: 'Cà phê sữa đá', unit: 'cốc', unitPrice: 29000, vatRate: '8%' },
  { code: 'CF02', name: 'Bạc xỉu', unit: 'cốc', unitPrice: 32000, vatRate: '8%' },
  { code: 'TRA01', name: 'Trà đá', unit: 'cốc', unitPrice: 5000, vatRate: '8%' },
  { code: 'TRA02', name: 'Trà sữa trân châu', unit: 'cốc', unitPrice: 45000, vatRate: '8%' },
  { code: 'CHE01', name: 'Chè khúc bạch', unit: 'cốc', unitPrice: 30000, vatRate: '8%' },
  { code: 'NUO01', name: 'Nước khoáng La Vie', unit: 'chai', unitPrice: 10000, vatRate: '5%' },
  { code: 'BIA01', name: 'Bia Hà Nội', unit: 'chai', unitPrice: 25000, vatRate: '10%' },
  { code: 'BIA02', name: 'Bia Sài Gòn đỏ', unit: 'chai', unitPrice: 22000, vatRate: '10%' },
  { code: 'RUO01', name: 'Rượu nếp cái hoa vàng', unit: 'chai', unitPrice: 120000, vatRate: '10%' },
  { code: 'KHN01', name: 'Khăn lạnh', unit: 'cái', unitPrice: 2000, vatRate: 'KCT' },
];

const PAYMENTS = ['cash', 'cash', 'cash', 'card', 'transfer', 'ewallet'] as const;

/** Sales differ run to run only through `seed`. */
export const prng = seededRandom;

/** Sale bodies as JSON text; `soldAt` a few seconds before the call, as a POS sends it at checkout. */
export function saleMaker(seed: number): (now: Date) => string {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const buyers = Array.from({ length: 500 }, (_, i) =>
    makePersonalId({ province: ['001', '079', '048', '031'][i % 4]!, sex: i % 2 ? 'female' : 'male', birthYear: 1950 + (i % 55), serial: (i * 7919) % 1_000_000 }),
  );
  return (now) => {
    const lines = 1 + Math.min(11, int(4) + int(4) + int(5)); // 1–12, most around 4–6
    const items = Array.from({ length: lines }, () => {
      const m = MENU[int(MENU.length)]!;
      const quantity = m.weighed ? Math.round((0.3 + rnd() * 1.5) * 1000) / 1000 : 1 + int(rnd() < 0.7 ? 2 : 6);
      const discount = rnd() < 0.05 && m.unitPrice * quantity >= 50_000 ? { discount: 5000 } : {};
      return { code: m.code, name: m.name, unit: m.unit, quantity, unitPrice: m.unitPrice, vatRate: m.vatRate, ...discount };
    });
    const sale: Record<string, unknown> = {
      soldAt: toIsoLocal(new Date(now.getTime() - 1000 - int(20_000))),
      pricesIncludeVat: true,
      items,
      payment: { method: PAYMENTS[int(PAYMENTS.length)] },
    };
    if (rnd() < 0.2) sale.buyer = { personalId: buyers[int(buyers.length)], name: PEOPLE[int(PEOPLE.length)] };
    return JSON.stringify(sale);
  };
}
