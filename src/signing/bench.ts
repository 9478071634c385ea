/**
 * Signing throughput on one core: raw RSA-2048 signatures versus complete enveloped invoice
 * signatures. Not a test. After `npm run build`: `node dist/signing/bench.js [--seconds 3]`.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import forge from 'node-forge';
import { parseCertificateDer } from './certificate.js';
import type { Signer } from './pkcs12.js';
import { signEnveloped } from './xmldsig.js';

export interface SignBenchOptions {
  /** Per measurement; default 3000. */
  durationMs?: number;
  /** Default: a throwaway self-signed RSA-2048 signer. */
  signer?: Signer;
  /** A canonical document holding `<NBan></NBan>` and an element with Id="_bench"; default: sampleInvoiceXml(). */
  document?: string;
  log?: (line: string) => void;
}

export interface SignBenchResult {
  rawSignsPerSecond: number;
  envelopedSignsPerSecond: number;
  /** enveloped / raw: the share of the RSA rate left after digesting and assembling the XML. */
  ratio: number;
  documentBytes: number;
}

/** A self-signed signer for benchmarks and demos; never for real invoices. */
export function throwawaySigner(subject = 'CN=hoadon-mtt bench,UID=MST:0101243150,C=VN'): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const attrs = subject.split(',').map((pair) => {
    const [name = '', value = ''] = pair.split('=');
    return name === 'UID' ? { type: '0.9.2342.19200300.100.1.1', value } : { shortName: name, value };
  });
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), forge.md.sha256.create());
  const certificateDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const info = parseCertificateDer(certificateDer);
  return { privateKey, certificateDer, certificateBase64: certificateDer.toString('base64'), info, x509SubjectName: info.subject };
}

function line(i: number, name: string, qty: number, price: number, rate: string): string {
  const amount = Math.round(qty * price);
  return (
    `<HHDVu><TChat>1</TChat><STT>${i}</STT><THHDVu>${name}</THHDVu><DVTinh>Phần</DVTinh><SLuong>${qty}</SLuong>` +
    `<DGia>${price}</DGia><ThTien>${amount}</ThTien><TSuat>${rate}</TSuat><TTKhac><TTin><TTruong>Đơn giá sau thuế</TTruong>` +
    `<KDLieu>numeric</KDLieu><DLieu>${Math.round(price * 1.08)}</DLieu></TTin></TTKhac></HHDVu>`
  );
}

const ttin = (name: string, type: string, value: string): string =>
  `<TTin><TTruong>${name}</TTruong><KDLieu>${type}</KDLieu><DLieu>${value}</DLieu></TTin>`;

/** A representative ~3 KB five-line cash-register invoice, already in canonical form. */
export function sampleInvoiceXml(id = '_bench'): string {
  const lines = [
    line(1, 'Phở bò tái', 2, 60185, '8%'),
    line(2, 'Cà phê sữa đá', 1, 26852, '8%'),
    line(3, 'Bia Hà Nội', 3, 22727.333333, '10%'),
    line(4, 'Nem rán &amp; nước chấm', 1, 46296, '8%'),
    line(5, 'Trà đá', 2, 4630, '8%'),
  ].join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<HDon><DLHDon Id="${id}"><TTChung><PBan>2.1.0</PBan>` +
    `<THDon>Hóa đơn giá trị gia tăng khởi tạo từ máy tính tiền</THDon><KHMSHDon>1</KHMSHDon><KHHDon>C26MAA</KHHDon>` +
    `<SHDon>1234</SHDon><NLap>2026-07-15</NLap><TTKhac>${ttin('Thời điểm lập', 'dateTime', '2026-07-15T12:34:56')}` +
    `${ttin('DVTTe', 'string', 'VND')}${ttin('TGia', 'numeric', '1')}${ttin('HTTToan', 'string', 'TM/CK')}` +
    `${ttin('MSTTCGP', 'string', '0312345678')}</TTKhac></TTChung><NDHDon><NBan><Ten>Công ty TNHH Nhà hàng Phở Việt</Ten>` +
    `<MST>0101243150</MST><DChi>12 Phố Huế, phường Hai Bà Trưng, Hà Nội</DChi><SDThoai>0241234567</SDThoai></NBan>` +
    `<NMua></NMua><DSHHDVu>${lines}</DSHHDVu><TToan><THTTLTSuat><LTSuat><TSuat>8%</TSuat><ThTien>147222</ThTien>` +
    `<TThue>11778</TThue></LTSuat><LTSuat><TSuat>10%</TSuat><ThTien>68182</ThTien><TThue>6818</TThue></LTSuat>` +
    `</THTTLTSuat><TgTCThue>215404</TgTCThue><TgTThue>18596</TgTThue><TgTTTBSo>234000</TgTTTBSo>` +
    `<TgTTTBChu>Hai trăm ba mươi bốn nghìn đồng</TgTTTBChu></TToan></NDHDon></DLHDon>` +
    `<MCCQT>M1-26-A1B2C-00000001234</MCCQT><DSCKS><NBan></NBan></DSCKS></HDon>`
  );
}

export function ratePerSecond(durationMs: number, op: () => void): number {
  op(); // warm-up
  const start = performance.now();
  let n = 0;
  let elapsed = 0;
  do {
    op();
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < durationMs);
  return (n * 1000) / elapsed;
}

export function runSignBench(opts: SignBenchOptions = {}): SignBenchResult {
  const durationMs = opts.durationMs ?? 3000;
  const signer = opts.signer ?? throwawaySigner();
  const document = opts.document ?? sampleInvoiceXml();
  const log = opts.log ?? ((s: string) => console.log(s));
  const small = Buffer.from('hoadon-mtt signing benchmark');

  const rawSignsPerSecond = ratePerSecond(durationMs, () => sign('sha256', small, signer.privateKey));
  const envelopedSignsPerSecond = ratePerSecond(durationMs, () =>
    signEnveloped(document, { signer, referenceId: '_bench', placeholder: '<NBan></NBan>', signingTime: new Date() }),
  );
  const result: SignBenchResult = {
    rawSignsPerSecond,
    envelopedSignsPerSecond,
    ratio: envelopedSignsPerSecond / rawSignsPerSecond,
    documentBytes: Buffer.byteLength(document),
  };
  log(`raw RSA-2048 crypto.sign:      ${rawSignsPerSecond.toFixed(0)} signs/s`);
  log(`signEnveloped (${result.documentBytes} B invoice): ${envelopedSignsPerSecond.toFixed(0)} signs/s`);
  log(`ratio enveloped/raw:           ${(result.ratio * 100).toFixed(1)} %`);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--seconds');
  const seconds = at > 0 ? Number(process.argv[at + 1]) : 3;
  runSignBench({ durationMs: (Number.isFinite(seconds) && seconds > 0 ? seconds : 3) * 1000 });
}
