// POST /v1/sales on the happy path: the worked example of spec §4 becomes a signed invoice that an
// independent verifier (xmlsec1) accepts, with the amounts, words, code and QR of the contract.
import t from 'tap';
import { eq } from 'drizzle-orm';
import { buyerLinks, invoices } from '../../src/db/schema/index.js';
import { selectInvoicesWithTransmission } from '../../src/modules/invoices/invoices.repo.js';
import { readLines } from '../../src/modules/invoices/stored-lines.js';
import { businessDate } from '../../src/domain/dates.js';
import { decodeInvoiceQr } from '../../src/domain/qr.js';
import { lookupHash } from '../../src/lib/secrets.js';
import { xmlsec1Verifier } from '../helpers/xmlsec.js';
import { storedXml } from '../helpers/fixtures.js';
import { salesSetup } from './sales-helpers.js';


const xmlsec1 = xmlsec1Verifier(t);

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

t.test('the worked example of spec §4 as a sale', async (t) => {
  const s = await salesSetup(t);
  const { seller } = s;
  const res = await s.post(s.sale({ buyer: { personalId: '001099012345', name: 'Nguyễn Văn A' } }));
  t.equal(res.statusCode, 201, res.body);
  const body = res.json();
  const today = businessDate(s.deps.clock());

  t.match(body, {
    symbol: `1C${today.slice(2, 4)}M${seller.business.symbolSeries}`,
    number: 1,
    businessDate: today,
    saleDate: today,
    issuedLate: false,
    totals: {
      beforeVat: 215404,
      vat: 18596,
      total: 234000,
      byRate: [
        { rate: '8%', beforeVat: 147222, vat: 11778 },
        { rate: '10%', beforeVat: 68182, vat: 6818 },
      ],
    },
    totalInWords: 'Hai trăm ba mươi bốn nghìn đồng',
    status: 'issued',
    transmission: { status: 'pending' },
  });
  t.equal(body.code.length, 23);
  t.match(body.code, new RegExp(`^M1-${today.slice(2, 4)}-${seller.business.mttCode}-00000000001$`));
  t.match(body.issuedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
  t.equal(body.lookupUrl, `http://gateway.test/v1/lookup?code=${body.code}&total=234000`);
  t.same(Object.keys(body).sort(), [
    'businessDate', 'code', 'invoiceId', 'issuedAt', 'issuedLate', 'lookupUrl', 'number', 'qr', 'saleDate', 'status', 'symbol',
    'totalInWords', 'totals', 'transmission',
  ]);

  t.same(decodeInvoiceQr(body.qr), {
    sellerTaxCode: seller.business.taxCode,
    form: 1,
    symbol: body.symbol.slice(1),
    number: 1,
    date: today,
    total: 234000,
  }, 'the QR decodes to this invoice');

  const [row] = await selectInvoicesWithTransmission(s.deps.database.db).where(eq(invoices.id, body.invoiceId));
  const xml = await storedXml(s.deps, row!);
  t.ok(row, 'stored');
  t.equal(row!.terminalId, s.terminal.id);
  const verified = xmlsec1(xml);
  t.ok(verified.ok, `xmlsec1 verifies the stored XML: ${verified.output}`);
  t.equal(tag(xml, 'TgTTTBSo'), String(body.totals.total), 'TgTTTBSo equals the returned total');
  t.equal(tag(xml, 'TgTThue'), '18596');
  t.equal(tag(xml, 'MCCQT'), body.code);
  t.equal(tag(xml, 'DLQRCode'), body.qr);
  t.equal(tag(xml, 'NLap'), today);
  t.match(xml, /<NMua><CCCDan>001099012345<\/CCCDan><HVTNMHang>Nguyễn Văn A<\/HVTNMHang><\/NMua>/, 'the legal XML carries the full ID');
  t.same(row!.buyer, { name: 'Nguyễn Văn A', personalIdMasked: '001*******45' }, 'the row keeps only the masked ID');
  t.notMatch(JSON.stringify(row!.buyer), /001099012345/);
  const links = await s.deps.database.db.select().from(buyerLinks).where(eq(buyerLinks.invoiceId, body.invoiceId));
  t.equal(links.length, 1);
  t.equal(links[0]!.idHash, lookupHash(s.deps.config.lookupKey, '001099012345'), 'buyer link under the keyed hash');

  const second = await s.post(s.sale());
  t.equal(second.statusCode, 201);
  t.equal(second.json().number, 2, 'numbers follow');
  t.match(second.json().code, /-00000000002$/, 'the MTT counter follows');
  t.equal(await s.count('buyer_links'), 1, 'no link without a personal ID');
  const [plain] = await selectInvoicesWithTransmission(s.deps.database.db).where(eq(invoices.id, second.json().invoiceId));
  t.match(await storedXml(s.deps, plain!), /<NMua><\/NMua>/, 'no buyer: empty NMua');
});

t.test('text: XML metacharacters escaped, NFD stored NFC, buyer from a chip ID card QR', async (t) => {
  const s = await salesSetup(t);
  const nfd = 'Bún chả Hà Nội'.normalize('NFD');
  t.not(nfd, 'Bún chả Hà Nội');
  const items = [
    { name: `Nem <4 cái> & "rau" 'sống'`, quantity: 1, unitPrice: 55000, vatRate: '8%' },
    { name: nfd, unit: 'suất'.normalize('NFD'), quantity: 0.5, unitPrice: 60000, vatRate: '8%' },
  ];
  const qr = '001099012345|123456789|Nguyễn Văn A|12031999|Nam|12 Phố Huế, Hà Nội|01022022';
  const res = await s.post(s.sale({ items, buyer: { idCardQr: qr, phone: '0912345678' } }));
  t.equal(res.statusCode, 201, res.body);
  t.equal(res.json().totals.total, 85000);
  const [row] = await selectInvoicesWithTransmission(s.deps.database.db).where(eq(invoices.id, res.json().invoiceId));
  const xml = await storedXml(s.deps, row!);
  t.ok(xml.includes(`<THHDVu>Nem &lt;4 cái&gt; &amp; "rau" 'sống'</THHDVu>`), 'metacharacters escaped in the XML');
  t.ok(xml.includes('<THHDVu>Bún chả Hà Nội</THHDVu>'), 'NFC in the XML');
  t.ok(xml.includes('<DVTinh>suất</DVTinh>'));
  const lines = readLines(row!);
  t.equal(lines[1]!.name, 'Bún chả Hà Nội', 'NFC in the stored lines');
  t.equal(lines[0]!.name, `Nem <4 cái> & "rau" 'sống'`);
  t.ok(xmlsec1(xml).ok, 'still verifies');
  t.match(xml, /<CCCDan>001099012345<\/CCCDan><HVTNMHang>Nguyễn Văn A<\/HVTNMHang>/, 'QR filled ID and name');
  t.same(row!.buyer, { name: 'Nguyễn Văn A', phone: '0912345678', personalIdMasked: '001*******45' });

  const org = await s.post(s.sale({ buyer: { taxCode: '0101243150', name: 'Công ty TNHH A & B', address: '1 Tràng Tiền' } }));
  t.equal(org.statusCode, 201, org.body);
  const [orgRow] = await selectInvoicesWithTransmission(s.deps.database.db).where(eq(invoices.id, org.json().invoiceId));
  t.match(await storedXml(s.deps, orgRow!), /<NMua><Ten>Công ty TNHH A &amp; B<\/Ten><MST>0101243150<\/MST><DChi>1 Tràng Tiền<\/DChi><\/NMua>/);
});

t.test('a form-2 business: no VAT, empty byRate', async (t) => {
  const s = await salesSetup(t, { form: 2 });
  const res = await s.post(s.sale());
  t.equal(res.statusCode, 201, res.body);
  const body = res.json();
  t.match(body.symbol, /^2C\d{2}M[A-Z]{2}$/);
  t.match(body.code, /^M2-/);
  t.same(body.totals, { beforeVat: 234000, vat: 0, total: 234000, byRate: [] });
  const [row] = await selectInvoicesWithTransmission(s.deps.database.db).where(eq(invoices.id, body.invoiceId));
  const xml = await storedXml(s.deps, row!);
  t.notMatch(xml, /<TSuat>|<THTTLTSuat>/);
  t.ok(xmlsec1(xml).ok);
});

t.test('the routes are in the OpenAPI document', async (t) => {
  const s = await salesSetup(t);
  const doc = (await s.app.inject('/openapi.json')).json();
  const sell = doc.paths['/v1/sales'].post;
  t.equal(sell.operationId, 'postSale');
  t.same(sell.tags, ['sales']);
  t.same(sell.security, [{ bearer: [] }]);
  t.ok(sell.parameters.some((p: { in: string; name: string; required: boolean }) => p.in === 'header' && p.name === 'idempotency-key' && p.required));
  for (const code of ['200', '201', '409', '422', '401']) t.ok(sell.responses[code], `documents ${code}`);
  t.ok(sell.responses['200'].headers['idempotent-replayed'], 'documents the replay header');
  t.ok(sell.requestBody.content['application/json'].schema.properties.items, 'documents the body');
  const batch = doc.paths['/v1/sales/batch'].post;
  t.equal(batch.operationId, 'postSalesBatch');
  t.ok(batch.responses['200']);
});

t.test('a failure to schedule the transmission does not fail the sale', async (t) => {
  const s = await salesSetup(t);
  s.deps.transmission.invoiceIssued = async () => {
    throw new Error('queue unavailable');
  };
  const res = await s.post(s.sale());
  t.equal(res.statusCode, 201, res.body);
  const [row] = await selectInvoicesWithTransmission(s.deps.database.db).where(eq(invoices.id, res.json().invoiceId));
  const xml = await storedXml(s.deps, row!);
  t.equal(row!.txStatus, 'pending', 'stored and left for the reconciler');
});
