// The invoice row keeps its lines as compact JSON text of positional arrays: every computed line
// reads back exactly, in less space, and rows written before (jsonb objects) read back unchanged.
import fc from 'fast-check';
import t from 'tap';
import { computeInvoice, type LineInput } from '../../src/domain/index.js';
import { packLines, readLines, storedLines, unpackLines } from '../../src/modules/invoices/stored-lines.js';

const lineArb: fc.Arbitrary<LineInput> = fc
  .record({
    kind: fc.constantFrom<1 | 2 | 3 | 4>(1, 1, 1, 2, 3, 4),
    quantity: fc.integer({ min: 1, max: 5_000_000 }).map((m) => m / 1000),
    unitPrice: fc.integer({ min: 0, max: 3_000_000 }),
    discount: fc.constantFrom(0, 0, 500),
    vatRate: fc.constantFrom('0%', '5%', '8%', '10%', 'KCT', 'KHAC:3.50'),
    code: fc.option(fc.constantFrom('PHO01', 'CF02'), { nil: undefined }),
    unit: fc.option(fc.constantFrom('bát', 'kg', 'cốc'), { nil: undefined }),
  })
  .map((r) => ({ name: 'Phở bò tái', ...r, discount: Math.min(r.discount, Math.round(r.quantity * r.unitPrice)) }) as LineInput);

t.test('every computed line reads back exactly, in less space', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom<1 | 2>(1, 2), fc.boolean(), fc.array(lineArb, { minLength: 1, maxLength: 12 }), (form, pricesIncludeVat, items) => {
      const { lines } = computeInvoice({ form, pricesIncludeVat, lines: items.map((l) => (form === 2 ? { ...l, vatRate: undefined } : l)) });
      const text = storedLines(lines);
      t.strictSame(readLines({ lines: null, linesText: text }), lines);
      return text.length < JSON.stringify(lines).length;
    }),
    { numRuns: 300 },
  );
});

t.test('lines stored as objects (before packing) read back as they are', async (t) => {
  const legacy = [{ index: 1, kind: 1, name: 'Cà phê sữa đá', quantity: '1', unitPrice: '26852', grossUnitPrice: 29000, discount: 0, gross: 29000, amount: 26852, vatRate: '8%' }];
  t.strictSame(readLines({ lines: legacy, linesText: null }), legacy);
  t.strictSame(unpackLines(JSON.parse(JSON.stringify(packLines(legacy as never))) as unknown[]), legacy, 'and they pack like new ones');
});
