import fc from 'fast-check';
import t from 'tap';
import { formatDecimal, parseDecimal, parseQuantity } from '../../src/domain/index.js';

const value = (x: number | string, allowNegative = false) => {
  const r = parseQuantity(x, { allowNegative });
  return r.ok ? r.value : r.code;
};

t.test('quantities become micro-units', async (t) => {
  t.equal(value(2), 2_000_000n);
  t.equal(value(0.5), 500_000n);
  t.equal(value('0.5'), 500_000n);
  t.equal(value(1.234567), 1_234_567n);
  t.equal(value('2.500000'), 2_500_000n, 'trailing zeros are not decimals');
  t.equal(value(1e-6), 1n, 'String(1e-6) is 0.000001');
  t.equal(value('1.5e-6'), 'too_many_decimals');
  t.equal(value('15e-7'), 'too_many_decimals');
  t.equal(value('25e-7'), 'too_many_decimals');
  t.equal(value('20e-7'), 2n, 'exponent forms that stay within 6 decimals are fine');
  t.equal(value(1e21), 'too_large');
  t.equal(value('1e+3'), 1_000_000_000n);
  t.equal(value(123456789012345), 123456789012345_000_000n);
});

t.test('quantities refuse what cannot be sold', async (t) => {
  t.equal(value(1e-7), 'too_many_decimals', 'String(1e-7) is "1e-7"');
  t.equal(value(0.1 + 0.2), 'too_many_decimals', '0.30000000000000004');
  t.equal(value(1.2345678), 'too_many_decimals');
  t.equal(value(0), 'zero');
  t.equal(value(-0), 'zero');
  t.equal(value('0.000'), 'zero');
  t.equal(value('0e5'), 'zero');
  t.equal(value(-1), 'negative');
  t.equal(value(-0.5, true), -500_000n);
  t.equal(value(Number.NaN), 'not_a_number');
  t.equal(value(Number.POSITIVE_INFINITY), 'not_a_number');
  t.equal(value(Number.NEGATIVE_INFINITY, true), 'not_a_number');
  for (const s of ['', ' 1', '1 ', '+1', '.5', '5.', '1,5', 'abc', 'Infinity', 'NaN', '0x10', '1e', '--1']) {
    t.equal(value(s), 'not_a_number', JSON.stringify(s));
  }
  t.equal(value('1e-9999999'), 'too_many_decimals');
  t.equal(value('1e9999999'), 'too_large');
  t.equal(value('0e-9999999'), 'zero');
  const r = parseDecimal({} as unknown);
  t.equal(r.ok, false);
  t.same(parseDecimal('0', { allowZero: true }), { ok: true, value: 0n });
  t.same(parseDecimal('12.34', { scale: 2 }), { ok: true, value: 1234n });
});

t.test('canonical formatting', async (t) => {
  t.equal(formatDecimal(22727_333333n), '22727.333333');
  t.equal(formatDecimal(500_000n), '0.5');
  t.equal(formatDecimal(2_000_000n), '2');
  t.equal(formatDecimal(0n), '0');
  t.equal(formatDecimal(-1n), '-0.000001');
  t.equal(formatDecimal(-2_500_000n), '-2.5');
  t.equal(formatDecimal(1234n, 2), '12.34');
  t.equal(formatDecimal(1234n, 0), '1234');
  t.throws(() => formatDecimal(1n, -1));
});

t.test('format then parse is the identity on non-zero micro-units', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 20n) + 1n, max: 10n ** 20n - 1n }).filter((v) => v !== 0n), (v) => {
      const r = parseQuantity(formatDecimal(v), { allowNegative: true });
      return r.ok && r.value === v;
    }),
  );
});

t.test('any JS number with at most 6 decimals is read exactly as written', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.integer({ min: 0, max: 6 }), (n, decimals) => {
      const x = n / 10 ** decimals;
      const r = parseQuantity(x);
      return r.ok && formatDecimal(r.value) === String(x);
    }),
  );
});
