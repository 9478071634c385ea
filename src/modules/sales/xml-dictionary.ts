// The seller's XML dictionary (src/invoice/xml-store.ts) is a signed sample invoice of that seller
// and certificate: what its real invoices repeat is then already in it.
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { computeInvoice } from '../../domain/amounts.js';
import { buildMttCode, buildSymbol } from '../../domain/codes.js';
import { businessDate, businessYear } from '../../domain/dates.js';
import type { LineInput } from '../../domain/line-input.js';
import { xmlStoreOf, type Dictionary } from '../../invoice/xml-store.js';
import type { Signer } from '../../signing/pkcs12.js';
import type { IssuingBusiness } from './issue.js';
import { invoiceModel, signedInvoiceXml } from './invoice-document.js';

const SAMPLE_LINES: LineInput[] = [
  { code: 'M01', name: 'Cơm tấm sườn bì chả', unit: 'phần', quantity: 2, unitPrice: 55_000, vatRate: '8%' },
  { code: 'N01', name: 'Trà đá', unit: 'cốc', quantity: 1, unitPrice: 5_000, vatRate: '10%' },
];

/** Call outside any transaction (see XmlStore.dictionaryFor). */
export function sellerDictionary(db: Db, b: IssuingBusiness, signer: Signer, config: Pick<Config, 'formatVersion' | 'providerTaxCode'>, now: Date): Promise<Dictionary> {
  return xmlStoreOf(db).dictionaryFor(db, b.id, signer.certificateDer, () => {
    const form = b.invoiceForm === 2 ? 2 : 1;
    const year = businessYear(now);
    const { lines, totals } = computeInvoice({
      form,
      pricesIncludeVat: true,
      lines: form === 2 ? SAMPLE_LINES.map(({ vatRate: _, ...l }) => l) : SAMPLE_LINES,
    });
    const model = invoiceModel({
      invoiceId: randomUUID(),
      formatVersion: config.formatVersion,
      providerTaxCode: config.providerTaxCode,
      seller: { name: b.name, taxCode: b.taxCode, address: b.address, ...(b.phone ? { phone: b.phone } : {}) },
      form,
      symbol: buildSymbol({ year, series: b.symbolSeries }),
      number: 1,
      mttCode: buildMttCode({ form, year, sellerCode: b.mttCode ?? 'AAAAA', counter: 1 }),
      issuedAt: now,
      businessDate: businessDate(now),
      soldAt: now,
      pricesIncludeVat: true,
      paymentMethod: 'cash',
      lines,
      totals,
    });
    return signedInvoiceXml(model, signer, now);
  });
}
