import fc from 'fast-check';
import t from 'tap';
import { amountInWords } from '../../src/domain/index.js';

t.test('spec and brief examples', async (t) => {
  const cases: Array<[number | bigint, string]> = [
    [0, 'Không đồng'],
    [1, 'Một đồng'],
    [10, 'Mười đồng'],
    [11, 'Mười một đồng'],
    [15, 'Mười lăm đồng'],
    [20, 'Hai mươi đồng'],
    [21, 'Hai mươi mốt đồng'],
    [24, 'Hai mươi bốn đồng'],
    [25, 'Hai mươi lăm đồng'],
    [105, 'Một trăm linh năm đồng'],
    [110, 'Một trăm mười đồng'],
    [111, 'Một trăm mười một đồng'],
    [1_001, 'Một nghìn không trăm linh một đồng'],
    [1_020, 'Một nghìn không trăm hai mươi đồng'],
    [10_500, 'Mười nghìn năm trăm đồng'],
    [234_000, 'Hai trăm ba mươi bốn nghìn đồng'],
    [1_284_000, 'Một triệu hai trăm tám mươi bốn nghìn đồng'],
    [110_000_000, 'Một trăm mười triệu đồng'],
    [-29_000, 'Âm hai mươi chín nghìn đồng'],
    [1_000_000_000, 'Một tỷ đồng'],
    [1_000_000_005, 'Một tỷ không trăm linh năm đồng'],
    [1_000_001_000, 'Một tỷ không trăm linh một nghìn đồng'],
    [2_021_000_000, 'Hai tỷ không trăm hai mươi mốt triệu đồng'],
    [1_000_000_000_000, 'Một nghìn tỷ đồng'],
    [1_001_000_000_000, 'Một nghìn không trăm linh một tỷ đồng'],
    [5_000_000_000_500_000n, 'Năm triệu tỷ năm trăm nghìn đồng'],
    [10n ** 18n, 'Một tỷ tỷ đồng'],
    [
      999_999_999_999_999,
      'Chín trăm chín mươi chín nghìn chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng',
    ],
  ];
  for (const [n, words] of cases) t.equal(amountInWords(n), words.normalize('NFC'), String(n));
  t.equal(amountInWords(234_000n), amountInWords(234_000));
});

t.test('output is NFC, capitalised, ends in đồng', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 18n) + 1n, max: 10n ** 18n - 1n }), (n) => {
      const w = amountInWords(n);
      return w === w.normalize('NFC') && /^[A-ZÂ]/.test(w) && w.endsWith(' đồng') && !w.includes('  ') && w.startsWith('Âm ') === n < 0n;
    }),
  );
  t.pass();
});

t.test('n and n + 1 read differently', async (t) => {
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), (n) => amountInWords(n) !== amountInWords(n + 1n)));
  fc.assert(fc.property(fc.integer({ min: 0, max: 2_000_000 }), (n) => amountInWords(n) !== amountInWords(n + 1)));
  t.pass();
});

t.test('refuses numbers that are not whole and safe', async (t) => {
  t.throws(() => amountInWords(1.5), RangeError);
  t.throws(() => amountInWords(Number.NaN), RangeError);
  t.throws(() => amountInWords(2 ** 53), RangeError);
});
