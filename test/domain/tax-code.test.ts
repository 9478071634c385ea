import fc from 'fast-check';
import t from 'tap';
import { makePersonalId, makeTaxCode, normaliseTaxCode, taxCodeCheckDigit, validateTaxCode } from '../../src/domain/index.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const reason = (s: string) => {
  const r = validateTaxCode(s, NOW);
  return r.ok ? `ok:${r.kind}:${r.value}` : r.reason;
};

t.test('real tax codes of the spec are valid', async (t) => {
  for (const code of ['0100109106', '0101243150', '0102182292', '0311357436', '1201496252']) {
    t.equal(reason(code), `ok:enterprise:${code}`);
    t.equal(makeTaxCode(code.slice(0, 9)), code);
  }
});

t.test('branches, spacing and dashes', async (t) => {
  t.equal(normaliseTaxCode('0101 243 150-001'), '0101243150-001');
  t.equal(normaliseTaxCode('0101243150 - 001'), '0101243150-001');
  t.equal(normaliseTaxCode('0101243150\u2013001'), '0101243150-001');
  t.equal(reason('0101 243 150-001'), 'ok:branch:0101243150-001');
  t.equal(reason('0101243150 - 999'), 'ok:branch:0101243150-999');
  t.equal(reason('0101243150-000'), 'branch_suffix');
  t.equal(reason('0101243150-01'), 'branch_suffix');
  t.equal(reason('0101243150-0001'), 'branch_suffix');
  t.equal(reason('0101243150-'), 'branch_suffix');
  t.equal(reason('0101243151-001'), 'checksum');
});

t.test('each reason', async (t) => {
  t.equal(reason('0101243151'), 'checksum');
  t.equal(reason('0100109107'), 'checksum');
  t.equal(reason('010124315'), 'length');
  t.equal(reason('01012431500'), 'length');
  t.equal(reason(''), 'length');
  t.equal(reason('01012A3150'), 'format');
  t.equal(reason('0101243150/001'), 'format');
  t.equal(reason('-001'), 'length');
  t.equal(reason('0101-243150'), 'length');
  t.equal(reason('001099012345'), 'ok:personal:001099012345');
  t.equal(reason('003099012345'), 'personal_id', 'province 003 does not exist');
  t.equal(reason('001299012345'), 'personal_id', 'born 2099 is in the future');
  t.equal(validateTaxCode(12 as unknown as string).ok, false);
});

t.test('check digit: remainder 10 gives 0, remainder 0 has none', async (t) => {
  t.equal(taxCodeCheckDigit('010124315'), 0, '0101243150 has remainder 10');
  // Σ = 11·k ⇒ remainder 0: 000000011 weighs 5 + 3 = 8; 100000000 weighs 31 ≡ 9; 110000000: 60 ≡ 5.
  t.equal(taxCodeCheckDigit('000000000'), null);
  t.throws(() => makeTaxCode('000000000'), RangeError);
  t.throws(() => makeTaxCode('12345678'), RangeError);
  t.equal(taxCodeCheckDigit('01012431a'), null);
  t.equal(reason('0000000000'), 'checksum');
});

t.test('every generated code validates, and changing its check digit breaks it', async (t) => {
  fc.assert(
    fc.property(fc.stringMatching(/^\d{9}$/), fc.integer({ min: 1, max: 9 }), (first9, delta) => {
      const check = taxCodeCheckDigit(first9);
      if (check === null) return [...'0123456789'].every((d) => !validateTaxCode(first9 + d).ok);
      const code = makeTaxCode(first9);
      const other = first9 + String((check + delta) % 10);
      return validateTaxCode(code).ok && !validateTaxCode(other).ok;
    }),
  );
  t.pass();
});

t.test('a household uses its owner personal ID', async (t) => {
  const id = makePersonalId({ province: '079', sex: 'female', birthYear: 1985, serial: 42 });
  t.equal(reason(id), `ok:personal:${id}`);
});
