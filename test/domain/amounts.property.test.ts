import fc from 'fast-check';
import t from 'tap';
import { computeInvoice, formatDecimal, lineContribution, vatRateFraction, type LineInput, type VatRate } from '../../src/domain/index.js';

const RATES: VatRate[] = ['0%', '5%', '8%', '10%', 'KCT', 'KKKNT', 'KHAC:5.26', 'KHAC:3.50'];

// Independent reference: half away from zero via floor on non-negative magnitudes.
function refRound(n: bigint, d: bigint): bigint {
  const neg = n < 0n !== d < 0n;
  const a = n < 0n ? -n : n;
  const b = d < 0n ? -d : d;
  const q = (2n * a + b) / (2n * b);
  return neg ? -q : q;
}

function lineArb(negative: boolean): fc.Arbitrary<LineInput> {
  const sign = negative ? fc.constantFrom(1n, -1n) : fc.constant(1n);
  return fc
    .record({
      kind: fc.constantFrom<1 | 2 | 3 | 4>(1, 1, 1, 1, 2, 3, 4),
      micro: fc.bigInt({ min: 1n, max: 50_000_000n }),
      qSign: sign,
      asString: fc.boolean(),
      price: fc.integer({ min: 0, max: 3_000_000 }),
      pSign: sign,
      discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
      withDiscount: fc.boolean(),
      rate: fc.constantFrom(...RATES),
    })
    .map((r) => {
      const q = r.micro * r.qSign;
      const price = r.price * Number(r.pSign);
      const rounded = Number(refRound(q * BigInt(price), 1_000_000n));
      const discount = r.withDiscount ? Math.trunc(rounded * r.discountShare) : 0;
      const text = formatDecimal(q);
      return { kind: r.kind, name: 'x', quantity: r.asString ? text : Number(text), unitPrice: price, discount, vatRate: r.rate };
    });
}

const invoiceArb = (negative: boolean) =>
  fc.record({
    form: fc.constantFrom<1 | 2>(1, 1, 2),
    pricesIncludeVat: fc.boolean(),
    lines: fc.array(lineArb(negative), { minLength: 1, maxLength: 30 }),
  });

function checkInvariants(input: { form: 1 | 2; pricesIncludeVat: boolean; lines: LineInput[]; allowNegative?: boolean }): void {
  const { lines, totals } = computeInvoice(input);
  const signedGross = (l: { kind: number; gross: number }) => (l.kind === 3 ? -l.gross : l.kind === 1 ? l.gross : 0);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(totals.byRate.map((r) => r.beforeVat)) !== (input.form === 1 ? totals.beforeVat : 0)) throw new Error('Σ byRate.beforeVat ≠ beforeVat');
  if (sum(totals.byRate.map((r) => r.vat)) !== totals.vat) throw new Error('Σ byRate.vat ≠ vat');
  if (totals.beforeVat + totals.vat !== totals.total) throw new Error('beforeVat + vat ≠ total');
  if (sum(lines.map(lineContribution)) !== totals.beforeVat) throw new Error('Σ lines ≠ beforeVat');
  for (const r of totals.byRate) {
    const mine = lines.filter((l) => l.vatRate === r.rate);
    if (sum(mine.map(lineContribution)) !== r.beforeVat) throw new Error(`lines of ${r.rate} ≠ its beforeVat`);
    const { num, den } = vatRateFraction(r.rate);
    if (input.pricesIncludeVat) {
      const gross = BigInt(sum(mine.map(signedGross)));
      if (BigInt(r.beforeVat) !== refRound(gross * den, den + num)) throw new Error(`${r.rate} beforeVat is not round(gross / (1 + r))`);
    } else if (BigInt(r.vat) !== refRound(BigInt(r.beforeVat) * num, den)) {
      throw new Error(`${r.rate} vat is not round(beforeVat × r)`);
    }
  }
  if (input.form === 2) {
    if (totals.vat !== 0 || totals.byRate.length !== 0) throw new Error('form 2 carries VAT');
  }
  if (input.form === 2 || input.pricesIncludeVat) {
    // What the guest paid, to the dong.
    if (totals.total !== sum(lines.map(signedGross))) throw new Error('total drifted from Σ gross');
  } else {
    for (const l of lines) if (l.amount !== l.gross) throw new Error('exclusive ThTien ≠ gross');
  }
  for (const l of lines) {
    if (l.kind === 2 || l.kind === 4) {
      if (l.amount !== 0) throw new Error('promotion or note with an amount');
      continue;
    }
    const q = BigInt(Math.round(Number(l.quantity) * 1e6));
    const dgia = BigInt(Math.round(Number(l.unitPrice) * 1e6));
    if (input.form === 1 && input.pricesIncludeVat) {
      // DGia × SLuong reproduces ThTien within the 6-decimal rounding of DGia.
      const err = dgia * q - BigInt(l.amount) * 10n ** 12n;
      if ((err < 0n ? -err : err) * 2n > (q < 0n ? -q : q)) throw new Error(`DGia ${l.unitPrice} × ${l.quantity} ≠ ${l.amount}`);
    } else if (BigInt(l.amount) + BigInt(l.discount) !== refRound(q * dgia, 10n ** 12n)) {
      throw new Error('ThTien ≠ round(q × price) − discount');
    }
  }
}

t.test('totals are the sum of their parts (sales)', async (t) => {
  fc.assert(fc.property(invoiceArb(false), (input) => checkInvariants(input)), { numRuns: 300 });
  t.pass();
});

t.test('adjustments with mixed signs still sum exactly', async (t) => {
  fc.assert(fc.property(invoiceArb(true), (input) => checkInvariants({ ...input, allowNegative: true })), { numRuns: 300 });
  t.pass();
});

t.test('VAT-inclusive totals never drift from what was paid, with many small lines', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ price: fc.integer({ min: 1, max: 99 }), rate: fc.constantFrom<VatRate>('8%', '10%', 'KHAC:5.26') }), { minLength: 1, maxLength: 500 }),
      (rows) => {
        const { totals } = computeInvoice({ form: 1, pricesIncludeVat: true, lines: rows.map((r) => ({ name: 'x', quantity: 1, unitPrice: r.price, vatRate: r.rate })) });
        return totals.total === rows.reduce((a, r) => a + r.price, 0);
      },
    ),
    { numRuns: 100 },
  );
  t.pass();
});

t.test('a sale and its full return cancel exactly', async (t) => {
  fc.assert(
    fc.property(invoiceArb(false), (input) => {
      const sale = computeInvoice(input);
      const ret = computeInvoice({
        ...input,
        allowNegative: true,
        lines: input.lines.map((l) => ({ ...l, quantity: `-${String(l.quantity)}`, discount: -(l.discount ?? 0) })),
      });
      return ret.totals.total === -sale.totals.total && ret.totals.vat === -sale.totals.vat && ret.lines.every((l, i) => l.amount === -(sale.lines[i]?.amount ?? 0));
    }),
    { numRuns: 200 },
  );
  t.pass();
});
