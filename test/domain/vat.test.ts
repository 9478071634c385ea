import t from 'tap';
import { compareVatRates, isVatRate, parseVatRate, VAT_RATES, vatRateFraction, vatRateInForceOn, type VatRate } from '../../src/domain/index.js';

t.test('fixed rates parse as themselves', async (t) => {
  for (const r of VAT_RATES) t.equal(parseVatRate(r), r);
  t.same([...VAT_RATES], ['0%', '5%', '8%', '10%', 'KCT', 'KKKNT']);
});

t.test('other rates need exactly two decimals strictly between 0 and 100', async (t) => {
  for (const ok of ['KHAC:5.26', 'KHAC:0.01', 'KHAC:99.99', 'KHAC:12.50', 'KHAC:0.50']) t.equal(parseVatRate(ok), ok, ok);
  for (const bad of ['KHAC:5.2', 'KHAC:5.260', 'KHAC:0.00', 'KHAC:100.00', 'KHAC:05.26', 'KHAC:-1.00', 'KHAC:5,26', 'khac:5.26', 'KHAC:', '8', '8 %', '7%', '', ' 8%']) {
    t.equal(parseVatRate(bad), null, bad);
    t.notOk(isVatRate(bad), bad);
  }
  t.notOk(isVatRate(8));
});

t.test('fractions are exact', async (t) => {
  t.same(vatRateFraction('8%'), { num: 8n, den: 100n });
  t.same(vatRateFraction('10%'), { num: 10n, den: 100n });
  t.same(vatRateFraction('0%'), { num: 0n, den: 100n });
  t.same(vatRateFraction('KCT'), { num: 0n, den: 1n });
  t.same(vatRateFraction('KKKNT'), { num: 0n, den: 1n });
  t.same(vatRateFraction('KHAC:5.26'), { num: 526n, den: 10000n });
  t.throws(() => vatRateFraction('KHAC:x' as VatRate));
});

t.test('order is 0%, 5%, 8%, 10%, other rates by value, KCT, KKKNT', async (t) => {
  const shuffled: VatRate[] = ['KKKNT', 'KHAC:7.00', '10%', 'KCT', 'KHAC:5.26', '0%', '8%', '5%'];
  t.same(shuffled.sort(compareVatRates), ['0%', '5%', '8%', '10%', 'KHAC:5.26', 'KHAC:7.00', 'KCT', 'KKKNT']);
  t.equal(compareVatRates('8%', '8%'), 0);
  t.equal(compareVatRates('KHAC:5.26', 'KHAC:5.26'), 0);
});

t.test('the reduced 8% rate is dated', async (t) => {
  t.ok(vatRateInForceOn('8%', '2026-12-31'));
  t.notOk(vatRateInForceOn('8%', '2027-01-01'));
  t.ok(vatRateInForceOn('10%', '2030-01-01'));
});
