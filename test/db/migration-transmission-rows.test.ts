// Migration 0012 moves the transmission state of existing invoices out of their rows: invoices that
// left keep their state, message, times and lateness in invoice_transmissions; pending ones that
// never left need no row. 0013 flags the sent ones on the work list. Run on a database migrated up
// to 0011 with invoices in every state.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import postgres from 'postgres';
import { ADMIN_DATABASE_URL } from '../helpers/db.js';

const dir = path.resolve('migrations');
const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
const statements = (tag: string): string[] =>
  readFileSync(path.join(dir, `${tag}.sql`), 'utf8')
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter(Boolean);

t.test('0012 keeps the state of invoices that left and needs no row for pending ones', async (t) => {
  const name = `hm_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  const sql = postgres(u.toString(), { max: 1, onnotice: () => {} });
  t.teardown(async () => {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });

  const tags = journal.entries.sort((a, b) => a.idx - b.idx).map((e) => e.tag);
  const at = tags.findIndex((x) => x.startsWith('0012_'));
  t.ok(at > 0, 'migration 0012 is in the journal');
  for (const tag of tags.slice(0, at)) for (const s of statements(tag)) await sql.unsafe(s);

  const [b] = await sql<Array<{ id: string }>>`
    insert into businesses (tax_code, name, address, province_code, tax_office_code, email, invoice_form, legal_representative, legal_representative_secret)
    values ('0101234567', 'Quán Phở Hà Nội', '1 Hàng Bông', '01', '10100', 'a@b.vn', 1, '{}', 'x') returning id`;
  const states = [
    { tx: 'pending', attempts: 0, error: null, message: null, late: false },
    { tx: 'pending', attempts: 1, error: '2 refused', message: null, late: false },
    { tx: 'sent', attempts: 1, error: null, message: 'M1', late: false },
    { tx: 'accepted', attempts: 2, error: null, message: 'M2', late: true },
    { tx: 'rejected', attempts: 1, error: '30007 no original', message: 'M3', late: false },
  ];
  const ids: string[] = [];
  for (const [i, s] of states.entries()) {
    const id = randomUUID();
    ids.push(id);
    const answered = s.tx === 'accepted' || s.tx === 'rejected' ? new Date('2026-11-02T01:00:00Z') : null;
    await sql`
      insert into invoices (id, business_id, tax_code, province_code, form, symbol, number, mtt_code, issued_at, business_date, sold_at,
        sale_date, prices_include_vat, payment_method, lines, before_vat, vat, total, by_rate, total_in_words, qr,
        tx_status, message_id, tx_attempts, tx_last_error, tx_result, sent_at, accepted_at, rejected_at, late)
      values (${id}, ${b!.id}, '0101234567', '01', 1, 'C26MAA', ${i + 1}, ${`M1-26-ABCDE-${String(i + 1).padStart(11, '0')}`},
        '2026-11-01T03:00:00Z', '2026-11-01', '2026-11-01T03:00:00Z', '2026-11-01', true, 'cash', '[]', 1000, 80, 1080, '[]', 'x', 'q',
        ${s.tx}, ${s.message}, ${s.attempts}, ${s.error}, ${s.tx === 'rejected' ? sql.json({ code: '30007' }) : null},
        ${s.message ? new Date('2026-11-01T03:00:05Z') : null}, ${s.tx === 'accepted' ? answered : null}, ${s.tx === 'rejected' ? answered : null}, ${s.late})`;
    if (s.tx !== 'accepted') {
      await sql`insert into unaccepted_invoices (invoice_id, business_id, form, symbol, number, issued_at, province_code, message_id, rejected)
        values (${id}, ${b!.id}, 1, 'C26MAA', ${i + 1}, '2026-11-01T03:00:00Z', '01', ${s.message}, ${s.tx === 'rejected'})`;
    }
  }

  for (const tag of tags.slice(at, at + 2)) for (const s of statements(tag)) await sql.unsafe(s);

  const rows = await sql<Array<Record<string, unknown>>>`
    select invoice_id, status, message_id, attempts, last_error, result, sent_at, accepted_at, rejected_at, late
    from invoice_transmissions order by attempts, status`;
  t.equal(rows.length, 4, 'the invoice that never left has no row');
  t.notOk(rows.some((r) => r.invoice_id === ids[0]));
  const by = new Map(rows.map((r) => [r.invoice_id as string, r]));
  t.match(by.get(ids[1]!), { status: 'pending', attempts: 1, last_error: '2 refused', message_id: null });
  t.match(by.get(ids[2]!), { status: 'sent', message_id: 'M1', sent_at: new Date('2026-11-01T03:00:05Z') });
  t.match(by.get(ids[3]!), { status: 'accepted', message_id: 'M2', attempts: 2, late: true, accepted_at: new Date('2026-11-02T01:00:00Z') });
  t.match(by.get(ids[4]!), { status: 'rejected', last_error: '30007 no original', result: { code: '30007' }, rejected_at: new Date('2026-11-02T01:00:00Z') });
  const cols = await sql<Array<{ column_name: string }>>`
    select column_name from information_schema.columns where table_name = 'invoices' and column_name in ('tx_status', 'late', 'message_id')`;
  t.same(cols, [], 'the invoice row no longer carries transmission state');
  const work = await sql<Array<{ invoice_id: string; sent: boolean; rejected: boolean }>>`select invoice_id, sent, rejected from unaccepted_invoices`;
  t.same(
    new Map(work.map((w) => [w.invoice_id, [w.sent, w.rejected]])),
    new Map([
      [ids[0], [false, false]],
      [ids[1], [false, false]],
      [ids[2], [true, false]],
      [ids[4], [false, true]],
    ]),
    'the work list says which invoices the authority took in',
  );
});
