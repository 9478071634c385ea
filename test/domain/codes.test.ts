import fc from 'fast-check';
import t from 'tap';
import {
  buildMessageId,
  buildMttCode,
  buildSymbol,
  formatSymbolWithForm,
  isMttCode,
  parseMessageId,
  parseMttCode,
  parseSymbol,
  uuidv7,
} from '../../src/domain/index.js';

t.test('symbols', async (t) => {
  t.equal(buildSymbol({ year: 2026, series: 'AA' }), 'C26MAA');
  t.equal(buildSymbol({ year: 2030, series: 'BZ' }), 'C30MBZ');
  t.equal(formatSymbolWithForm(1, 'C26MAA'), '1C26MAA');
  t.same(parseSymbol('1C26MAA'), { form: 1, year: 2026, series: 'AA', hasCode: true, cashRegister: true, symbol: 'C26MAA' });
  t.same(parseSymbol('C26MAA'), { year: 2026, series: 'AA', hasCode: true, cashRegister: true, symbol: 'C26MAA' });
  for (const bad of ['K26MAA', '1C26TAA', '0C26MAA', 'C26Maa', 'C26MA', 'C2026MAA', '11C26MAA', ' 1C26MAA', '']) t.equal(parseSymbol(bad), null, bad);
  t.throws(() => buildSymbol({ year: 2026, series: 'aa' }), RangeError);
  t.throws(() => buildSymbol({ year: 26, series: 'AA' }), RangeError);
  t.throws(() => formatSymbolWithForm(0, 'C26MAA'), RangeError);
  t.throws(() => formatSymbolWithForm(1, '1C26MAA'), RangeError);
});

t.test('MTT code example of the spec', async (t) => {
  const code = buildMttCode({ form: 1, year: 2026, sellerCode: 'A1B2C', counter: 1234 });
  t.equal(code, 'M1-26-A1B2C-00000001234');
  t.equal(code.length, 23);
  t.equal(buildMttCode({ form: 1, year: 2026, sellerCode: 'A1B2C', counter: 1234n }), code);
  t.same(parseMttCode('M1-26-A1B2C-00000001234'), { form: 1, year: 2026, sellerCode: 'A1B2C', counter: 1234 });
  t.ok(isMttCode(code));
  for (const bad of ['M1-26-A1B2C-0000001234', 'M1-26-a1b2c-00000001234', 'M0-26-A1B2C-00000001234', 'M1-26-A1B2C-00000000000', 'M1-2026-A1B2C-00000001234', 'M1-26-A1B2C-00000001234 ']) {
    t.notOk(isMttCode(bad), bad);
  }
  t.notOk(isMttCode(5));
  t.equal(buildMttCode({ form: 2, year: 2027, sellerCode: 'ZZ999', counter: 99_999_999_999 }), 'M2-27-ZZ999-99999999999');
  t.throws(() => buildMttCode({ form: 1, year: 2026, sellerCode: 'A1B2C', counter: 0 }), RangeError);
  t.throws(() => buildMttCode({ form: 1, year: 2026, sellerCode: 'A1B2C', counter: 100_000_000_000n }), RangeError);
  t.throws(() => buildMttCode({ form: 1, year: 2026, sellerCode: 'A1B2', counter: 1 }), RangeError);
  t.throws(() => buildMttCode({ form: 10, year: 2026, sellerCode: 'A1B2C', counter: 1 }), RangeError);
});

t.test('message ids', async (t) => {
  const id = buildMessageId('V0101243150', '0f8fad5b-d9cb-469f-a165-70867728950e');
  t.equal(id, 'V01012431500F8FAD5BD9CB469FA16570867728950E');
  t.ok(id.length <= 46);
  t.same(parseMessageId(id), { senderCode: 'V0101243150', uuidHex: '0F8FAD5BD9CB469FA16570867728950E' });
  const random = buildMessageId('V0101243150');
  t.match(random, /^V0101243150[0-9A-F]{12}7[0-9A-F]{3}[89AB][0-9A-F]{15}$/, 'a version-7 UUID');
  t.not(random, buildMessageId('V0101243150'));
  t.same(parseMessageId('TCT' + 'A'.repeat(32)), { senderCode: 'TCT', uuidHex: 'A'.repeat(32) });
  t.equal(parseMessageId('V0101243150' + 'a'.repeat(32)), null);
  t.equal(parseMessageId('V0101243150' + 'G' + 'A'.repeat(31)), null);
  t.equal(parseMessageId('A'.repeat(32)), null, 'no sender');
  t.equal(parseMessageId('V01012431501234' + 'A'.repeat(32)), null, 'longer than 46');
  t.throws(() => buildMessageId('v0101243150'), RangeError);
  t.throws(() => buildMessageId('V0101243150', 'xyz'), RangeError);
});

t.test('round-trips', async (t) => {
  const upper2 = fc.stringMatching(/^[A-Z]{2}$/);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2000, max: 2099 }), upper2, (form, year, series) => {
      const symbol = buildSymbol({ year, series });
      const p = parseSymbol(formatSymbolWithForm(form, symbol));
      return p !== null && p.form === form && p.year === year && p.series === series && p.symbol === symbol;
    }),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 2000, max: 2099 }),
      fc.stringMatching(/^[A-Z0-9]{5}$/),
      fc.integer({ min: 1, max: 99_999_999_999 }),
      (form, year, sellerCode, counter) => {
        const code = buildMttCode({ form, year, sellerCode, counter });
        return code.length === 23 && JSON.stringify(parseMttCode(code)) === JSON.stringify({ form, year, sellerCode, counter });
      },
    ),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^V\d{10}$/), fc.uuid(), (sender, uuid) => {
      const id = buildMessageId(sender, uuid);
      const p = parseMessageId(id);
      return id.length <= 46 && p !== null && p.senderCode === sender && p.uuidHex === uuid.replace(/-/g, '').toUpperCase();
    }),
  );
  t.pass();
});

t.test('version-7 UUIDs: time first, so keys made later sort later', async (t) => {
  const at = Date.parse('2026-11-28T05:00:00.123Z');
  const id = uuidv7(at);
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), at, 'the first 48 bits are the milliseconds');
  const ids = [at - 1, at, at + 1, at + 1000, at + 86_400_000].map((ms) => uuidv7(ms));
  t.strictSame([...ids].sort(), ids, 'text order is time order');
  t.not(uuidv7(at), uuidv7(at), 'random below the millisecond');
});
