// Fixed material of the seeder: names, menus, provinces, a seedable random source, and
// certificates valid from before the first seeded invoice.
import { seededRandom } from '../lib/random.js';
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import type { LineInput } from '../domain/index.js';
import { parseCertificateDer } from '../signing/certificate.js';
import type { Signer } from '../signing/pkcs12.js';

export const DEFAULT_PROVINCES = [
  { code: '01', weight: 30 },
  { code: '79', weight: 35 },
  { code: '48', weight: 8 },
  { code: '31', weight: 8 },
  { code: '92', weight: 7 },
  { code: '56', weight: 6 },
  { code: '22', weight: 6 },
];

export const NAMES = ['Nhà hàng Phở', 'Quán Bún chả', 'Cơm tấm', 'Quán Cà phê', 'Bia hơi', 'Lẩu nướng', 'Bánh mì', 'Quán Chè', 'Nhà hàng Hải sản', 'Tiệm Trà sữa'];
export const PLACES = ['Hồ Gươm', 'Sài Gòn', 'Hàn', 'Hạ Long', 'Ninh Kiều', 'Nha Trang', 'Bến Thành', 'Tây Hồ', 'Đồ Sơn', 'Phú Quốc'];
export const MENU: Array<LineInput & { unitPrice: number }> = [
  { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', unitPrice: 65000, vatRate: '8%', quantity: 1 },
  { code: 'BUN02', name: 'Bún chả Hà Nội', unit: 'suất', unitPrice: 55000, vatRate: '8%', quantity: 1 },
  { code: 'COM03', name: 'Cơm tấm sườn bì chả', unit: 'đĩa', unitPrice: 60000, vatRate: '8%', quantity: 1 },
  { code: 'CF04', name: 'Cà phê sữa đá', unit: 'cốc', unitPrice: 29000, vatRate: '8%', quantity: 1 },
  { code: 'BIA05', name: 'Bia Hà Nội', unit: 'chai', unitPrice: 25000, vatRate: '10%', quantity: 1 },
  { code: 'NEM06', name: 'Nem rán', unit: 'đĩa', unitPrice: 55000, vatRate: '8%', quantity: 1 },
  { code: 'TRA07', name: 'Trà đá', unit: 'cốc', unitPrice: 5000, vatRate: '8%', quantity: 1 },
  { code: 'LAU08', name: 'Lẩu thái hải sản', unit: 'nồi', unitPrice: 350000, vatRate: '8%', quantity: 1 },
];
export const BUYER_NAMES = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Hoàng Cường', 'Phạm Thu Dung', 'Hoàng Minh Đức', 'Vũ Thị Hoa'];

export { seededRandom };

/** A self-signed certificate valid from a day before the first seeded invoice; never for real invoices. */
export function seedSigner(taxCode: string, validFrom: Date): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${taxCode}`;
  cert.validity.notBefore = new Date(validFrom.getTime() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const attrs = [{ shortName: 'CN', value: `Seed ${taxCode}` }, { type: '0.9.2342.19200300.100.1.1', value: `MST:${taxCode}` }, { shortName: 'C', value: 'VN' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  const certificateDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const info = parseCertificateDer(certificateDer);
  return { privateKey, certificateDer, certificateBase64: certificateDer.toString('base64'), info, x509SubjectName: info.subject };
}

export function weighted(xs: Array<{ code: string; weight: number }>, rnd: () => number): string {
  const sum = xs.reduce((n, x) => n + x.weight, 0);
  let r = rnd() * sum;
  for (const x of xs) if ((r -= x.weight) < 0) return x.code;
  return xs[xs.length - 1]!.code;
}
