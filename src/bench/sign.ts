// `npm run bench:sign`: on one core, how many invoices per second we turn into signed XML, against
// the raw node:crypto RSA-2048 signing rate measured in the same run. The gap is our overhead
// (amounts, XML writing, digests): the target is ≥ 70 % of the raw rate.
import { randomUUID, sign } from 'node:crypto';
import os from 'node:os';
import { computeInvoice } from '../domain/amounts.js';
import { buildInvoiceXml, SELLER_SIGNATURE_PLACEHOLDER } from '../invoice/xml.js';
import { invoiceModel, signedInvoiceXml, type InvoiceDocumentInput } from '../modules/sales/invoice-document.js';
import { signEnveloped } from '../signing/xmldsig.js';
import { ratePerSecond, throwawaySigner } from '../signing/bench.js';

const MENU = [
  { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', unitPrice: 65000, vatRate: '8%' },
  { code: 'CF02', name: 'Cà phê sữa đá', unit: 'cốc', unitPrice: 29000, vatRate: '8%' },
  { code: 'BIA03', name: 'Bia Hà Nội', unit: 'chai', unitPrice: 25000, vatRate: '10%' },
  { code: 'NEM04', name: 'Nem rán', unit: 'đĩa', unitPrice: 55000, vatRate: '8%' },
  { code: 'TRA05', name: 'Trà đá', unit: 'cốc', unitPrice: 5000, vatRate: '8%' },
];

function documentInput(number: number, now: Date): InvoiceDocumentInput {
  const { lines, totals } = computeInvoice({ form: 1, pricesIncludeVat: true, lines: MENU.map((m, i) => ({ ...m, quantity: 1 + (i % 3) })) });
  return {
    invoiceId: randomUUID(),
    formatVersion: '2.1.0',
    providerTaxCode: '0100109106',
    seller: { name: 'Nhà hàng Phở Việt', taxCode: '0101243150', address: '12 Phố Huế, Hà Nội' },
    form: 1,
    symbol: 'C26MAA',
    number,
    mttCode: `M1-26-A1B2C-${String(number).padStart(11, '0')}`,
    issuedAt: now,
    businessDate: '2026-11-27',
    soldAt: now,
    pricesIncludeVat: true,
    paymentMethod: 'cash',
    buyer: { name: 'Nguyễn Văn A', personalId: '001099012345' },
    lines,
    totals,
  };
}

/** Interleaves the measurements in short rounds so machine noise hits all of them alike. */
export function runInvoiceSignBench(durationMs: number) {
  const signer = throwawaySigner();
  const small = Buffer.from('hoadon-mtt');
  const now = new Date();
  const model = invoiceModel(documentInput(1, now));
  const unsigned = buildInvoiceXml(model);
  let number = 0;
  const ops = {
    raw: () => sign('sha256', small, signer.privateKey),
    signOnly: () => signEnveloped(unsigned, { signer, referenceId: model.id, placeholder: SELLER_SIGNATURE_PLACEHOLDER, signingTime: now }),
    xmlAndSign: () => signedInvoiceXml(model, signer, now),
    full: () => signedInvoiceXml(invoiceModel(documentInput(++number, now)), signer, now),
  };
  const totals = { raw: 0, signOnly: 0, xmlAndSign: 0, full: 0 };
  const rounds = 10;
  for (let r = 0; r < rounds; r++) {
    for (const k of Object.keys(ops) as Array<keyof typeof ops>) totals[k] += ratePerSecond(durationMs / rounds / 4, ops[k]);
  }
  const rate = (k: keyof typeof ops) => totals[k] / rounds;
  return { raw: rate('raw'), signOnly: rate('signOnly'), xmlAndSign: rate('xmlAndSign'), full: rate('full'), bytes: Buffer.byteLength(unsigned) };
}

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 8;
const r = runInvoiceSignBench(seconds * 1000);
const pct = (x: number) => `${((x / r.raw) * 100).toFixed(1)} %`;
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores), node ${process.version}, one core`);
console.log(`raw RSA-2048 sign (node:crypto):                 ${r.raw.toFixed(0)} /s`);
console.log(`XMLDSig of a built ${r.bytes} B invoice (digests+sign): ${r.signOnly.toFixed(0)} /s  ${pct(r.signOnly)} of raw`);
console.log(`XML writing + XMLDSig:                           ${r.xmlAndSign.toFixed(0)} /s  ${pct(r.xmlAndSign)} of raw  (target ≥ 70 %)`);
console.log(`amounts + XML + XMLDSig (whole document):        ${r.full.toFixed(0)} /s  ${pct(r.full)} of raw`);
