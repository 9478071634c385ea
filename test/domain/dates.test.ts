import fc from 'fast-check';
import t from 'tap';
import {
  addDays,
  businessDate,
  businessYear,
  endOfBusinessDay,
  isBusinessDate,
  localDateTime,
  parseInstant,
  startOfBusinessDay,
  toIsoLocal,
} from '../../src/domain/index.js';

t.test('23:59:59 and 00:00:00 local fall on different business days', async (t) => {
  const late = new Date('2026-11-27T16:59:59Z'); // 23:59:59 in Hà Nội
  const midnight = new Date('2026-11-27T17:00:00Z'); // 00:00:00 the next day
  t.equal(businessDate(late), '2026-11-27');
  t.equal(businessDate(midnight), '2026-11-28');
  t.equal(localDateTime(late), '2026-11-27T23:59:59');
  t.equal(localDateTime(midnight), '2026-11-28T00:00:00');
  t.equal(toIsoLocal(late), '2026-11-27T23:59:59+07:00');
  t.equal(toIsoLocal(new Date('2026-11-27T12:42:10.999Z')), '2026-11-27T19:42:10+07:00');
});

t.test('years turn at local midnight', async (t) => {
  t.equal(businessYear(new Date('2026-12-31T16:59:59.999Z')), 2026);
  t.equal(businessYear(new Date('2026-12-31T17:00:00Z')), 2027);
  t.equal(businessDate(new Date('2026-12-31T17:00:00Z')), '2027-01-01');
});

t.test('business day bounds are UTC instants', async (t) => {
  t.equal(startOfBusinessDay('2026-11-27').toISOString(), '2026-11-26T17:00:00.000Z');
  t.equal(endOfBusinessDay('2026-11-27').toISOString(), '2026-11-27T17:00:00.000Z', 'exclusive end');
  t.equal(startOfBusinessDay('2028-02-29').toISOString(), '2028-02-28T17:00:00.000Z');
  t.throws(() => startOfBusinessDay('2026-02-29'), RangeError);
  t.throws(() => startOfBusinessDay('2026-13-01'), RangeError);
  t.throws(() => startOfBusinessDay('27/11/2026'), RangeError);
  t.equal(addDays('2026-12-31', 1), '2027-01-01');
  t.equal(addDays('2026-03-01', -1), '2026-02-28');
  t.ok(isBusinessDate('2000-02-29'));
  t.notOk(isBusinessDate('1900-02-29'));
  t.notOk(isBusinessDate('2026-04-31'));
  t.notOk(isBusinessDate('2026-1-01'));
  t.throws(() => businessDate(new Date(Number.NaN)), RangeError);
});

t.test('every instant lies within its business day', async (t) => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), (d) => {
      const day = businessDate(d);
      return startOfBusinessDay(day) <= d && d < endOfBusinessDay(day) && toIsoLocal(d).startsWith(day) && parseInstant(toIsoLocal(d))?.getTime() === Math.floor(d.getTime() / 1000) * 1000;
    }),
  );
  t.pass();
});

t.test('parseInstant needs an offset or Z', async (t) => {
  t.equal(parseInstant('2026-11-27T19:42:10+07:00')?.toISOString(), '2026-11-27T12:42:10.000Z');
  t.equal(parseInstant('2026-11-27T12:42:10Z')?.toISOString(), '2026-11-27T12:42:10.000Z');
  t.equal(parseInstant('2026-11-27T12:42:10.123456Z')?.toISOString(), '2026-11-27T12:42:10.123Z');
  t.equal(parseInstant('2026-11-27T07:42:10-05:00')?.toISOString(), '2026-11-27T12:42:10.000Z');
  t.equal(parseInstant('2026-11-27T19:42:10+0700')?.toISOString(), '2026-11-27T12:42:10.000Z');
  t.equal(parseInstant('0099-01-01T00:00:00Z')?.getUTCFullYear(), 99);
  for (const bad of [
    '2026-11-27T19:42:10',
    '2026-11-27',
    '2026-11-27 19:42:10+07:00x',
    '2026-02-30T00:00:00Z',
    '2026-11-27T24:00:00Z',
    '2026-11-27T19:60:00Z',
    '2026-11-27T19:42:60Z',
    '2026-11-27T19:42:10+24:00',
    'now',
    '',
  ]) {
    t.equal(parseInstant(bad), null, bad);
  }
  t.equal(parseInstant(5 as unknown as string), null);
});
