import t from 'tap';
import {
  computeInvoice,
  DomainValidationError,
  lineContribution,
  roundDiv,
  type InvoiceInput,
  type LineInput,
} from '../../src/domain/index.js';

function issuesOf(input: InvoiceInput): string[] {
  try {
    computeInvoice(input);
  } catch (e) {
    if (e instanceof DomainValidationError) {
      if (e.code !== 'sale.invalid') throw new Error(`unexpected code ${e.code}`);
      return e.issues.map((i) => `${i.path} ${i.code}`);
    }
    throw e;
  }
  return [];
}

const line = (over: Partial<LineInput> = {}): LineInput => ({ name: 'Phở bò tái', quantity: 1, unitPrice: 65000, vatRate: '8%', ...over });

t.test('roundDiv rounds half away from zero for every sign', async (t) => {
  t.equal(roundDiv(5n, 2n), 3n);
  t.equal(roundDiv(-5n, 2n), -3n);
  t.equal(roundDiv(5n, -2n), -3n);
  t.equal(roundDiv(-5n, -2n), 3n);
  t.equal(roundDiv(4n, 3n), 1n);
  t.equal(roundDiv(-4n, 3n), -1n);
  t.equal(roundDiv(1n, 3n), 0n);
  t.equal(roundDiv(2n, 3n), 1n);
  t.equal(roundDiv(-2n, 3n), -1n);
  t.equal(roundDiv(0n, 7n), 0n);
  t.throws(() => roundDiv(1n, 0n), RangeError);
});

t.test('spec §4 worked example, VAT-inclusive restaurant bill', async (t) => {
  const { lines, totals } = computeInvoice({
    form: 1,
    pricesIncludeVat: true,
    lines: [
      { code: 'PHO01', name: 'Phở bò tái', unit: 'bát', quantity: 2, unitPrice: 65000, vatRate: '8%' },
      { name: 'Cà phê sữa đá', quantity: 1, unitPrice: 29000, discount: 0, vatRate: '8%' },
      { name: 'Bia Hà Nội', quantity: 3, unitPrice: 25000, vatRate: '10%' },
    ],
  });
  t.same(
    lines.map((l) => [l.index, l.gross, l.amount, l.unitPrice, l.grossUnitPrice, l.quantity, l.vatRate]),
    [
      [1, 130000, 120370, '60185', 65000, '2', '8%'],
      [2, 29000, 26852, '26852', 29000, '1', '8%'],
      [3, 75000, 68182, '22727.333333', 25000, '3', '10%'],
    ],
  );
  t.strictSame(totals, {
    beforeVat: 215404,
    vat: 18596,
    total: 234000,
    byRate: [
      { rate: '8%', beforeVat: 147222, vat: 11778 },
      { rate: '10%', beforeVat: 68182, vat: 6818 },
    ],
  });
  t.equal(lines[0]?.code, 'PHO01');
  t.equal(lines[0]?.unit, 'bát');
  t.equal(lines[1]?.code, undefined);
});

t.test('VAT-inclusive residue goes to the largest line, the first on a tie', async (t) => {
  const { lines, totals } = computeInvoice({
    form: 1,
    pricesIncludeVat: true,
    lines: [line({ unitPrice: 1000 }), line({ unitPrice: 3000 }), line({ unitPrice: 3000 })],
  });
  // Alone each would be 926, 2778, 2778 = 6482, but 7000 / 1.08 rounds to 6481.
  t.same(lines.map((l) => l.amount), [926, 2777, 2778]);
  t.same(totals.byRate, [{ rate: '8%', beforeVat: 6481, vat: 519 }]);
  t.equal(totals.total, 7000);
  t.equal(lines[1]?.unitPrice, '2777');
});

t.test('VAT-exclusive prices: ThTien = round(q × price) − discount, VAT per rate', async (t) => {
  const { lines, totals } = computeInvoice({
    form: 1,
    pricesIncludeVat: false,
    lines: [
      line({ quantity: 2, unitPrice: 60000, discount: 5000 }),
      line({ name: 'Cà phê', unitPrice: 27000 }),
      line({ name: 'Bia', quantity: 3, unitPrice: 22727, vatRate: '10%' }),
      line({ name: 'Thịt bò', quantity: '0.333333', unitPrice: 300000, vatRate: 'KHAC:5.26' }),
      line({ name: 'Rau', quantity: 0.5, unitPrice: 25, vatRate: '10%' }),
      line({ name: 'Sách', unitPrice: 50000, vatRate: 'KCT' }),
    ],
  });
  t.same(
    lines.map((l) => [l.amount, l.unitPrice, l.grossUnitPrice, l.discount]),
    [
      [115000, '60000', undefined, 5000],
      [27000, '27000', undefined, 0],
      [68181, '22727', undefined, 0],
      [100000, '300000', undefined, 0], // 0.333333 × 300000 = 99999.9
      [13, '25', undefined, 0], // 12.5 rounds away from zero
      [50000, '50000', undefined, 0],
    ],
  );
  t.strictSame(totals.byRate, [
    { rate: '8%', beforeVat: 142000, vat: 11360 },
    { rate: '10%', beforeVat: 68194, vat: 6819 }, // 6819.4
    { rate: 'KHAC:5.26', beforeVat: 100000, vat: 5260 },
    { rate: 'KCT', beforeVat: 50000, vat: 0 },
  ]);
  t.equal(totals.beforeVat, 360194);
  t.equal(totals.vat, 23439);
  t.equal(totals.total, 383633);
});

t.test('VAT rounds half away from zero, also on returns', async (t) => {
  const sale = computeInvoice({ form: 1, pricesIncludeVat: false, lines: [line({ unitPrice: 25, vatRate: '10%' })] });
  t.same(sale.totals, { beforeVat: 25, vat: 3, total: 28, byRate: [{ rate: '10%', beforeVat: 25, vat: 3 }] });
  const ret = computeInvoice({ form: 1, pricesIncludeVat: false, allowNegative: true, lines: [line({ quantity: -1, unitPrice: 25, vatRate: '10%' })] });
  t.same(ret.totals, { beforeVat: -25, vat: -3, total: -28, byRate: [{ rate: '10%', beforeVat: -25, vat: -3 }] });
});

t.test('form 2 has no VAT at all', async (t) => {
  for (const pricesIncludeVat of [true, false]) {
    const { lines, totals } = computeInvoice({
      form: 2,
      pricesIncludeVat,
      lines: [line({ quantity: 2, discount: 10000, vatRate: 'nonsense' }), line({ name: 'Trà đá', unitPrice: 5000, vatRate: undefined })],
    });
    t.same(lines.map((l) => [l.amount, l.gross, l.unitPrice, l.vatRate, l.grossUnitPrice]), [
      [120000, 120000, '65000', undefined, undefined],
      [5000, 5000, '5000', undefined, undefined],
    ]);
    t.strictSame(totals, { beforeVat: 125000, vat: 0, total: 125000, byRate: [] });
  }
});

t.test('promotions and notes carry no amount; trade discounts subtract', async (t) => {
  const input = (pricesIncludeVat: boolean): InvoiceInput => ({
    form: 1,
    pricesIncludeVat,
    lines: [
      line({ quantity: 2 }),
      line({ kind: 2, name: 'Trà đá (khuyến mại)', unitPrice: 5000, vatRate: 'KHAC:3.50' }),
      line({ kind: 3, name: 'Chiết khấu thương mại', unitPrice: 10000 }),
      line({ kind: 4, name: 'Khách quen', unitPrice: 0, vatRate: undefined }),
    ],
  });
  const excl = computeInvoice(input(false));
  t.same(excl.lines.map((l) => [l.kind, l.amount, l.gross, l.unitPrice, lineContribution(l)]), [
    [1, 130000, 130000, '65000', 130000],
    [2, 0, 0, '0', 0],
    [3, 10000, 10000, '10000', -10000],
    [4, 0, 0, '0', 0],
  ]);
  t.same(excl.totals, { beforeVat: 120000, vat: 9600, total: 129600, byRate: [{ rate: '8%', beforeVat: 120000, vat: 9600 }] });

  const incl = computeInvoice(input(true));
  t.same(incl.lines.map((l) => [l.amount, l.unitPrice]), [[120370, '60185'], [0, '0'], [9259, '9259'], [0, '0']]);
  t.same(incl.totals, { beforeVat: 111111, vat: 8889, total: 120000, byRate: [{ rate: '8%', beforeVat: 111111, vat: 8889 }] });
});

t.test('adjustments: mixed signs still sum exactly, and can cancel out', async (t) => {
  const cancel = computeInvoice({
    form: 1,
    pricesIncludeVat: true,
    allowNegative: true,
    lines: [line({ quantity: -1 }), line({ quantity: 1 })],
  });
  t.same(cancel.lines.map((l) => l.amount), [-60185, 60185]);
  t.same(cancel.totals, { beforeVat: 0, vat: 0, total: 0, byRate: [{ rate: '8%', beforeVat: 0, vat: 0 }] });

  const swap = computeInvoice({
    form: 1,
    pricesIncludeVat: true,
    allowNegative: true,
    lines: [line({ quantity: -1 }), line({ name: 'Cà phê sữa đá', unitPrice: 29000 }), line({ name: 'Bia', quantity: -2, unitPrice: 25000, discount: -5000, vatRate: '10%' })],
  });
  t.same(swap.lines.map((l) => [l.gross, l.amount, l.unitPrice]), [
    [-65000, -60185, '60185'],
    [29000, 26852, '26852'],
    [-45000, -40909, '20454.5'],
  ]);
  t.same(swap.totals, {
    beforeVat: -74242,
    vat: -6758,
    total: -81000,
    byRate: [
      { rate: '8%', beforeVat: -33333, vat: -2667 },
      { rate: '10%', beforeVat: -40909, vat: -4091 },
    ],
  });
});

t.test('every bad field is reported at once with its pointer', async (t) => {
  t.same(
    issuesOf({
      form: 1,
      pricesIncludeVat: true,
      lines: [
        line({ quantity: -1, unitPrice: 1.5, discount: -3, vatRate: '7%' }),
        line({ quantity: 0.1234567, vatRate: undefined, name: '  ' }),
        line({ quantity: 0, discount: 70000 }),
        line({ unitPrice: 10000, discount: 10001 }),
        line({ kind: 5 as never, name: 'a\u0000b', code: 'x'.repeat(51) }),
        'nope' as unknown as LineInput,
        line({ quantity: 'abc', unitPrice: -1 }),
        { name: 5, unit: [], quantity: undefined, unitPrice: undefined, vatRate: 8 } as unknown as LineInput,
      ],
    }),
    [
      '/items/0/quantity negative',
      '/items/0/unitPrice not_integer',
      '/items/0/discount negative',
      '/items/0/vatRate unknown_rate',
      '/items/1/name required',
      '/items/1/quantity too_many_decimals',
      '/items/1/vatRate required',
      '/items/2/quantity zero',
      '/items/3/discount discount_exceeds_gross',
      '/items/4/kind invalid',
      '/items/4/name control_characters',
      '/items/4/code too_long',
      '/items/5 invalid',
      '/items/6/quantity not_a_number',
      '/items/6/unitPrice negative',
      '/items/7/name invalid',
      '/items/7/unit invalid',
      '/items/7/quantity required',
      '/items/7/unitPrice required',
      '/items/7/vatRate unknown_rate',
    ],
  );
  t.same(issuesOf({ form: 1, pricesIncludeVat: true, lines: [] }), ['/items too_few']);
  t.same(issuesOf({ form: 1, pricesIncludeVat: true, lines: null as unknown as LineInput[] }), ['/items required']);
  const many = Array.from({ length: 501 }, () => line());
  t.same(issuesOf({ form: 1, pricesIncludeVat: true, lines: many }), ['/items too_many']);
  t.same(issuesOf({ form: 1, pricesIncludeVat: true, lines: many.slice(0, 500) }), []);
  t.same(issuesOf({ form: 1, pricesIncludeVat: true, allowNegative: true, lines: [line({ quantity: -1, discount: 65001 })] }), ['/items/0/discount discount_exceeds_gross']);
  t.same(issuesOf({ form: 1, pricesIncludeVat: true, allowNegative: true, lines: [line({ quantity: -1, discount: -65000 })] }), []);
});

t.test('the ceiling keeps every result a safe number', async (t) => {
  const big = (quantity: number, ceiling?: bigint): InvoiceInput => ({
    form: 1,
    pricesIncludeVat: false,
    lines: [line({ quantity, unitPrice: 1_000_000_000_000, vatRate: '0%' })],
    ...(ceiling === undefined ? {} : { ceiling }),
  });
  t.same(issuesOf(big(10)), []);
  t.same(issuesOf(big(11)), ['/items/0 amount_too_large', '/items total_too_large']);
  t.same(issuesOf({ form: 1, pricesIncludeVat: false, lines: [line({ unitPrice: 600, vatRate: '10%' }), line({ unitPrice: 400, vatRate: '10%' })], ceiling: 1000n }), ['/items total_too_large']);
  t.same(issuesOf({ form: 2, pricesIncludeVat: false, lines: [line({ unitPrice: 1001 })], ceiling: 1000n }), ['/items/0 amount_too_large', '/items total_too_large']);
  t.throws(() => computeInvoice({ ...big(1), ceiling: BigInt(Number.MAX_SAFE_INTEGER) + 1n }), RangeError);
  t.throws(() => computeInvoice({ ...big(1), ceiling: 0n }), RangeError);
  t.same(issuesOf({ form: 2, pricesIncludeVat: false, lines: [line({ unitPrice: Number.MAX_SAFE_INTEGER })], ceiling: BigInt(Number.MAX_SAFE_INTEGER) }), []);
});

t.test('text is normalised to NFC and trimmed', async (t) => {
  const { lines } = computeInvoice({ form: 2, pricesIncludeVat: false, lines: [line({ name: '  Phở bò tái '.normalize('NFD'), unit: ' bát ', code: '' })] });
  t.equal(lines[0]?.name, 'Phở bò tái'.normalize('NFC'));
  t.equal(lines[0]?.unit, 'bát');
  t.equal(lines[0]?.code, undefined);
});
