import fc from 'fast-check';
import t from 'tap';
import { crc16ccittFalse, decodeInvoiceQr, encodeInvoiceQr, makeTaxCode } from '../../src/domain/index.js';

const SPEC = '00020199720010A00000077501100101243150020110306C26MAA0403123050820261127060623400063040F88';
const DATA = { sellerTaxCode: '0101243150', form: 1, symbol: 'C26MAA', number: 123, date: '2026-11-27', total: 234000 };

t.test('CRC-16/CCITT-FALSE', async (t) => {
  t.equal(crc16ccittFalse('123456789'), '29B1', 'the standard check value');
  t.equal(crc16ccittFalse(''), 'FFFF');
  t.equal(crc16ccittFalse(SPEC.slice(0, -4)), '0F88');
  // Reference value over the UTF-8 bytes (latin1 would give 319C, UTF-16LE CE4D).
  t.equal(crc16ccittFalse('Hà Nội'), '201B');
});

t.test('the spec example is reproduced exactly', async (t) => {
  t.equal(encodeInvoiceQr(DATA), SPEC);
  t.same(decodeInvoiceQr(SPEC), DATA);
});

t.test('decoding refuses damaged or foreign strings', async (t) => {
  t.equal(decodeInvoiceQr(SPEC.replace('234000', '234001')), null, 'amount changed, CRC not');
  t.equal(decodeInvoiceQr(SPEC.slice(0, -4) + '0F89'), null);
  t.equal(decodeInvoiceQr(SPEC.slice(0, -4) + '0f88')?.total, 234000, 'lowercase CRC hex is read');
  t.equal(decodeInvoiceQr(''), null);
  t.equal(decodeInvoiceQr('x'.repeat(513)), null);
  const withBody = (body: string) => body + '6304' + crc16ccittFalse(body + '6304');
  t.equal(decodeInvoiceQr(withBody('000202' + SPEC.slice(6, -8))), null, 'unknown format version');
  t.equal(decodeInvoiceQr(withBody('000201' + '9904' + '0010')), null, 'truncated TLV');
  t.equal(decodeInvoiceQr(withBody('000201')), null, 'no invoice data');
  t.equal(decodeInvoiceQr(withBody(SPEC.slice(0, -8).replace('A000000775', 'A000000776'))), null, 'foreign AID');
  t.same(decodeInvoiceQr(withBody(SPEC.slice(0, -8) + '8003abc')), DATA, 'unknown tags are skipped');
  t.equal(decodeInvoiceQr(withBody(SPEC.slice(0, -8).replace('20261127', '20260231'))), null, 'not a date');
});

t.test('encoding validates', async (t) => {
  t.throws(() => encodeInvoiceQr({ ...DATA, sellerTaxCode: '123' }), RangeError);
  t.throws(() => encodeInvoiceQr({ ...DATA, symbol: '1C26MAA' }), RangeError);
  t.throws(() => encodeInvoiceQr({ ...DATA, number: 0 }), RangeError);
  t.throws(() => encodeInvoiceQr({ ...DATA, date: '27/11/2026' }), RangeError);
  t.throws(() => encodeInvoiceQr({ ...DATA, total: 1.5 }), RangeError);
  t.throws(() => encodeInvoiceQr({ ...DATA, form: 0 }), RangeError);
  const branch = encodeInvoiceQr({ ...DATA, sellerTaxCode: '0101243150-001' });
  t.match(branch, /01130101243150001/);
  t.equal(decodeInvoiceQr(branch)?.sellerTaxCode, '0101243150-001');
});

t.test('encode/decode round-trip', async (t) => {
  const taxCode = fc
    .tuple(fc.stringMatching(/^\d{9}$/), fc.option(fc.integer({ min: 1, max: 999 }), { nil: undefined }))
    .filter(([first9]) => {
      try {
        makeTaxCode(first9);
        return true;
      } catch {
        return false;
      }
    })
    .map(([first9, branch]) => makeTaxCode(first9) + (branch === undefined ? '' : `-${String(branch).padStart(3, '0')}`));
  fc.assert(
    fc.property(
      fc.record({
        sellerTaxCode: taxCode,
        form: fc.integer({ min: 1, max: 9 }),
        symbol: fc.tuple(fc.integer({ min: 0, max: 99 }), fc.stringMatching(/^[A-Z]{2}$/)).map(([y, s]) => `C${String(y).padStart(2, '0')}M${s}`),
        number: fc.integer({ min: 1, max: 99_999_999 }),
        date: fc.date({ min: new Date('2020-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
        total: fc.integer({ min: -1e13, max: 1e13 }),
      }),
      (data) => {
        const qr = encodeInvoiceQr(data);
        return qr.length <= 512 && JSON.stringify(decodeInvoiceQr(qr)) === JSON.stringify(data);
      },
    ),
  );
  t.pass();
});
