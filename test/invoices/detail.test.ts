// GET /v1/invoices/:id and /:id/xml: the masked buyer, the transmission history from a real
// 206 round trip with the simulator, the stored bytes verified by xmlsec1, staff reads audited.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { computeInvoice, type LineInput } from '../../src/domain/index.js';
import { lookupHash } from '../../src/lib/secrets.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createBusinessKey, createStaff, createTerminal, waitFor } from '../helpers/fixtures.js';
import { CAFE, issueAt, PHO, xmlsecVerifies } from '../helpers/invoices.js';

const BUYER_ID = '001099012345';
const ITEMS = [{ ...PHO, quantity: 2 }, { ...CAFE, quantity: 1 }];

t.test('one invoice, its XML and its history', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { BATCH_MAX_AGE_MS: '100', POLL_BASE_MS: '50', RECONCILE_INTERVAL_MS: '600000' } });
  const seller = await createActiveBusiness(deps, { provinceCode: '01', name: 'Nhà hàng Phở Việt' });
  const other = await createActiveBusiness(deps, { provinceCode: '01' });
  const terminal = await createTerminal(deps, seller.business.id);
  const tokens = {
    biz: await createBusinessKey(deps, seller.business.id),
    otherBiz: await createBusinessKey(deps, other.business.id),
    trm: terminal.token,
    otherTrm: (await createTerminal(deps, other.business.id)).token,
    officer: await createStaff(deps, 'officer', ['01']),
    officer79: (await createStaff(deps, 'officer', ['79'])).token,
  };
  const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  const inv = await issueAt(deps, seller, {
    at: new Date(deps.clock().getTime() - 60_000),
    items: ITEMS,
    buyer: { personalId: BUYER_ID, name: 'Nguyễn Văn A' },
    terminalId: terminal.id,
  });
  await deps.transmission.invoiceIssued({ businessId: inv.businessId, form: inv.form, symbol: inv.symbol, number: inv.number, issuedAt: inv.issuedAt });
  await waitFor(async () => {
    const [r] = await queryRows<{ s: string }>(deps.database.db, sql`select coalesce(t.status, 'pending') as s from invoices i left join invoice_transmissions t on t.invoice_id = i.id where i.id = ${inv.id}`);
    return r?.s === 'accepted';
  });

  await t.test('the detail: lines, masked buyer, totals, transmission history', async (t) => {
    const res = await get(`/v1/invoices/${inv.id}`, tokens.biz);
    t.equal(res.statusCode, 200);
    const body = res.json();
    t.match(body, {
      id: inv.id,
      seller: { taxCode: seller.business.taxCode, name: 'Nhà hàng Phở Việt' },
      terminalId: terminal.id,
      symbol: '1C26MAA',
      number: inv.number,
      code: inv.mttCode,
      buyer: { name: 'Nguyễn Văn A', personalIdMasked: '001*******45' },
      totals: { total: 2 * 65000 + 29000, byRate: [{ rate: '8%' }] },
      status: 'issued',
      replaces: null,
      replacedBy: null,
      adjustments: [],
      transmission: { status: 'accepted', attempts: 1, lastError: null, late: false, acceptedAt: /\+07:00$/ },
    });
    t.equal(body.lines.length, 2);
    // The invoice row keeps its lines packed; the detail shows them whole, as computed at issue.
    t.strictSame(body.lines, computeInvoice({ form: 1, pricesIncludeVat: true, lines: ITEMS as LineInput[] }).lines);
    t.notOk(res.body.includes(BUYER_ID), 'the personal ID appears only masked');
    const events = (body.transmission.history as Array<{ event: string; messageId: string | null; at: string }>).map((h) => h.event);
    t.strictSame(events, ['invoice.issued', 'message.built', 'message.received', 'message.answered']);
    const messageId = body.transmission.messageId as string;
    t.match(messageId, /^V0100109106[0-9A-F]{32}$/);
    t.ok(body.transmission.history.slice(1).every((h: { messageId: string }) => h.messageId === messageId), 'events name the message');
    t.ok(body.transmission.history.every((h: { at: string }) => /\+07:00$/.test(h.at)));
    t.equal(body.lookupUrl, `http://gateway.test/v1/lookup?code=${inv.mttCode}&total=${inv.total}`);
  });

  await t.test('who may read it', async (t) => {
    for (const [who, token, status] of [
      ['business', tokens.biz, 200],
      ['its terminal', tokens.trm, 200],
      ['officer of 01', tokens.officer.token, 200],
      ['another business', tokens.otherBiz, 404],
      ["another business's terminal", tokens.otherTrm, 404],
      ['officer of 79', tokens.officer79, 404],
    ] as const) {
      t.equal((await get(`/v1/invoices/${inv.id}`, token)).statusCode, status, `${who}: detail`);
      t.equal((await get(`/v1/invoices/${inv.id}/xml`, token)).statusCode, status, `${who}: xml`);
    }
    t.equal((await get(`/v1/invoices/${inv.id}`)).statusCode, 401);
  });

  await t.test('the XML: exact stored bytes, verified by xmlsec1, staff reads audited', async (t) => {
    const audits = async () =>
      queryRows<{ actor_id: string; action: string; subject_hash: string | null; detail: Record<string, unknown> }>(
        deps.database.db,
        sql`select actor_id, action, subject_hash, detail from audit_log where action = 'invoice.xml' order by id`,
      );
    const before = (await audits()).length;
    const res = await get(`/v1/invoices/${inv.id}/xml`, tokens.biz);
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/xml; charset=utf-8');
    const [stored] = await queryRows<{ xml: string }>(deps.database.db, sql`select xml from invoices where id = ${inv.id}`);
    t.ok(Buffer.from(stored!.xml, 'utf8').equals(res.rawPayload), 'byte for byte the stored column');
    t.ok(res.body.includes(`<CCCDan>${BUYER_ID}</CCCDan>`) || res.body.includes(BUYER_ID), 'the legal document names the buyer in full');
    const verified = xmlsecVerifies(res.rawPayload);
    t.ok(verified.ok, `xmlsec1 verifies: ${verified.output}`);
    t.equal((await audits()).length, before, 'a business reading its own invoice is not audited');

    const staffRes = await get(`/v1/invoices/${inv.id}/xml`, tokens.officer.token);
    t.ok(staffRes.rawPayload.equals(res.rawPayload));
    const rows = await audits();
    t.equal(rows.length, before + 1, 'one audit row per staff read');
    t.match(rows.at(-1), {
      actor_id: tokens.officer.id,
      subject_hash: lookupHash(deps.config.lookupKey, BUYER_ID),
      detail: { invoiceId: inv.id, code: inv.mttCode },
    });
    const [dump] = await queryRows<{ t: string }>(deps.database.db, sql`select coalesce(string_agg(a::text, ''), '') as t from audit_log a`);
    t.notOk(dump!.t.includes(BUYER_ID), 'no raw personal ID in the audit log');
  });
});
