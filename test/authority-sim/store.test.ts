// The simulator's repository where one statement does the work of several: looking up accepted
// codes and numbers together, and adding to several counters at once.
import t from 'tap';
import { alreadyAccepted, bumpCounter, bumpCounters, counters, insertAcceptedInvoices } from '../../src/authority-sim/store.js';
import { freshPostgres } from '../helpers/db.js';

const { database } = await freshPostgres(t);
const db = database.db;
const at = new Date();
const row = (mttCode: string, symbol: string, number: number) => ({ taxCode: '0101243150', mttCode, form: 1, symbol, number, messageId: 'm', acceptedAt: at });

t.test('alreadyAccepted: a code whatever its symbol, a number only under the same form and symbol', async (t) => {
  await insertAcceptedInvoices(db, [row('M1-26-A1B2C-00000000001', 'C26MAA', 1), row('M1-26-A1B2C-00000000002', 'C26MBB', 2), row('M1-26-A1B2C-00000000003', 'C26MAA', 3)]);
  const seen = await alreadyAccepted(db, {
    taxCode: '0101243150',
    form: 1,
    symbol: 'C26MAA',
    mttCodes: ['M1-26-A1B2C-00000000002', 'M1-26-A1B2C-00000000009'],
    numbers: [2, 3, 9],
  });
  t.strictSame([...seen.codes], ['M1-26-A1B2C-00000000002'], 'found by code under another symbol');
  t.strictSame([...seen.numbers], [3], 'number 2 is under another symbol; 3 came back for its number alone');
  const none = await alreadyAccepted(db, { taxCode: '0100109106', form: 1, symbol: 'C26MAA', mttCodes: ['M1-26-A1B2C-00000000001'], numbers: [1] });
  t.strictSame([none.codes.size, none.numbers.size], [0, 0], 'another seller');
  const empty = await alreadyAccepted(db, { taxCode: '0101243150', form: 1, symbol: 'C26MAA', mttCodes: [], numbers: [] });
  t.strictSame([empty.codes.size, empty.numbers.size], [0, 0]);
});

t.test('bumpCounters adds to each counter, creating it, and returns the new values', async (t) => {
  t.equal(await bumpCounter(db, 'notice_number'), 1);
  t.strictSame(await bumpCounters(db, [['duplicates', 2], ['invoices_rejected', 3], ['notice_number', 1]]), { duplicates: 2, invoices_rejected: 3, notice_number: 2 });
  t.strictSame(await bumpCounters(db, [['duplicates', 1], ['notice_number', 1]]), { duplicates: 3, notice_number: 3 });
  t.strictSame(await bumpCounters(db, []), {});
  t.match(await counters(db), { duplicates: 3, invoices_rejected: 3, notice_number: 3 });
});
