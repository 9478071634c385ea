// GET /v1/invoices/export: CSV with a BOM, a header, one row per invoice, Vietnamese intact,
// formula injection neutralised, officers limited to their provinces; streamed page by page.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { createInvoicesService } from '../../src/modules/invoices/invoices.service.js';
import { csvCell } from '../../src/modules/invoices/export.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createBusinessKey, createStaff } from '../helpers/fixtures.js';
import { issueAt } from '../helpers/invoices.js';

/** RFC 4180 reader (quoted cells, doubled quotes, CRLF), enough to check what Excel will see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += ch;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

t.test('csv cells', async (t) => {
  t.equal(csvCell('Phở "đặc biệt", Hà Nội'), '"Phở ""đặc biệt"", Hà Nội"');
  for (const evil of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=1', '\r=1']) t.equal(csvCell(evil), `"'${evil}"`, JSON.stringify(evil));
  t.equal(csvCell(-5000), '-5000', 'numbers stay numbers, signs included');
  t.equal(csvCell(undefined), '');
  t.equal(csvCell(false), 'false');
});

t.test('export', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  const hn = await createActiveBusiness(deps, { provinceCode: '01', name: 'Nhà hàng Phở Việt "Ngon", số 1' });
  const hcm = await createActiveBusiness(deps, { provinceCode: '79', name: '=HYPERLINK("http://evil")' });
  const base = deps.clock().getTime() - 2 * 86_400_000;
  const buyers = ['=cmd|" /C calc"!A0', '+84 912', '-Trần Thị Bích', '@SUM(1)', 'Lê Văn Đức'];
  const ids: string[] = [];
  for (let i = 0; i < 23; i++) {
    const name = buyers[i % buyers.length]!;
    ids.push((await issueAt(deps, i % 3 === 2 ? hcm : hn, { at: new Date(base + i * 60_000), buyer: { name, ...(i === 4 ? { personalId: '001099012345' } : {}) } })).id);
  }
  const admin = await createStaff(deps, 'admin');
  const officer01 = await createStaff(deps, 'officer', ['01']);
  const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  await t.test('admin: everything', async (t) => {
    const res = await get('/v1/invoices/export', admin.token);
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    t.match(res.headers['content-disposition'], /^attachment; filename="hoadon-\d{8}-\d{4}\.csv"$/);
    t.strictSame([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = res.rawPayload.subarray(3).toString('utf8');
    t.ok(text.endsWith('\r\n'));
    const rows = parseCsv(text);
    t.equal(rows[0]![0], 'Mã số thuế', 'header row, Vietnamese intact');
    t.ok(rows[0]!.includes('Tên người bán'));
    t.equal(rows.length, 1 + 23, 'one row per invoice');
    const idCol = rows[0]!.indexOf('Mã hóa đơn (id)');
    t.strictSame(rows.slice(1).map((r) => r[idCol]), [...ids].reverse(), 'newest first, each once');
    const seller = rows[0]!.indexOf('Tên người bán');
    const buyer = rows[0]!.indexOf('Người mua');
    t.ok(rows.some((r) => r[seller] === 'Nhà hàng Phở Việt "Ngon", số 1'), 'quotes and commas survive');
    t.ok(rows.some((r) => r[seller] === `'=HYPERLINK("http://evil")`), 'a formula seller name is defused');
    for (const b of ['=cmd|" /C calc"!A0', '+84 912', '-Trần Thị Bích', '@SUM(1)']) t.ok(rows.some((r) => r[buyer] === `'${b}`), `${b} defused`);
    t.ok(rows.some((r) => r[buyer] === 'Lê Văn Đức'), 'plain text untouched');
    t.notOk(text.includes('001099012345'), 'the personal ID only masked');
    t.ok(text.includes('001*******45'));
    t.ok(rows.slice(1).every((r) => !r.some((cell) => /^[=+\-@]/.test(cell))), 'no cell a spreadsheet would evaluate');
  });

  await t.test('officer of 01: only 01; filters apply', async (t) => {
    const rows = parseCsv((await get('/v1/invoices/export', officer01.token)).rawPayload.subarray(3).toString('utf8'));
    const province = rows[0]!.indexOf('Tỉnh/thành');
    t.equal(rows.length - 1, 16, '23 invoices, every third (7) in 79');
    t.ok(rows.slice(1).every((r) => r[province] === '01'));
    const none = parseCsv((await get('/v1/invoices/export?provinceCode=79', officer01.token)).rawPayload.subarray(3).toString('utf8'));
    t.equal(none.length, 1, 'header only');
    const taxRows = parseCsv((await get(`/v1/invoices/export?taxCode=${hcm.business.taxCode}`, admin.token)).rawPayload.subarray(3).toString('utf8'));
    t.equal(taxRows.length - 1, 7);
  });

  await t.test('staff only, audited', async (t) => {
    t.equal((await get('/v1/invoices/export', await createBusinessKey(deps, hn.business.id))).statusCode, 403);
    t.equal((await get('/v1/invoices/export')).statusCode, 401);
    t.equal((await get('/v1/invoices/export?from=2026-13-01', admin.token)).statusCode, 422);
    const [row] = await queryRows<{ n: number }>(deps.database.db, sql`select count(*)::int as n from audit_log where action = 'invoice.export'`);
    t.equal(row!.n, 4, 'one row per export');
  });

  await t.test('streamed in pages: memory holds one page', async (t) => {
    const svc = createInvoicesService({ db: deps.database.db, config: deps.config, clock: deps.clock, exportBatch: 5 });
    const { body } = await svc.exportCsv({ kind: 'stf', credentialId: 'x', staffId: admin.id, role: 'admin', provinces: [] }, {});
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    t.equal(chunks.length, 1 + 5, 'header, then 23 rows in pages of 5');
    const rows = parseCsv(Buffer.concat(chunks).subarray(3).toString('utf8'));
    t.equal(rows.length, 24);
  });
});
