// Exactly one invoice per sale under load and under retries: gap-free numbering with many
// terminals in flight, one invoice for twenty racing copies of one request, and a replay after
// the answer was lost on the wire.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { idempotencyKeys, invoices } from '../../src/db/schema/index.js';
import { parseMttCode } from '../../src/domain/codes.js';
import { createTerminal, waitFor } from '../helpers/fixtures.js';
import { salesSetup } from './sales-helpers.js';

async function pool<T>(count: number, inFlight: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return out;
}

t.test('1,000 sales from 10 terminals, 50 in flight: numbers 1..1000, no gap, no duplicate', async (t) => {
  const s = await salesSetup(t);
  const terminals = [s.terminal, ...(await Promise.all(Array.from({ length: 9 }, (_, i) => createTerminal(s.deps, s.seller.business.id, `Quầy ${i + 2}`))))];
  const started = Date.now();
  const statuses = await pool(1000, 50, async (i) => {
    const res = await s.post(s.sale({ items: [{ name: `Món ${i}`, quantity: 1 + (i % 3), unitPrice: 10000 + i, vatRate: '8%' }] }), `sale-${i}`, terminals[i % 10]!.token);
    return res.statusCode;
  });
  const ms = Date.now() - started;
  t.comment(`1,000 sales in ${ms} ms (${Math.round(1000 / (ms / 1000))}/s)`);
  t.same([...new Set(statuses)], [201], 'every sale issued');

  const rows = await s.deps.database.db
    .select({ number: invoices.number, mttCode: invoices.mttCode, issuedAt: invoices.issuedAt, terminalId: invoices.terminalId })
    .from(invoices)
    .orderBy(asc(invoices.number));
  t.equal(rows.length, 1000);
  t.same(rows.map((r) => r.number), Array.from({ length: 1000 }, (_, i) => i + 1), 'numbers exactly 1..1000');
  const counters = rows.map((r) => parseMttCode(r.mttCode)!.counter).sort((a, b) => a - b);
  t.same(counters, Array.from({ length: 1000 }, (_, i) => i + 1), 'MTT counters exactly 1..1000');
  t.ok(rows.every((r, i) => i === 0 || r.issuedAt.getTime() >= rows[i - 1]!.issuedAt.getTime()), 'numbers rise with issue times');
  t.equal(new Set(rows.map((r) => r.terminalId)).size, 10, 'all ten terminals issued');
  t.equal(await s.count('idempotency_keys'), 1000);
  // Sales issued together share one statistics upsert: the rollups still equal the invoices.
  const [sums] = await queryRows<Record<string, number>>(
    s.deps.database.db,
    sql`select
          (select sum(invoices)::int from stats_hourly) as hourly_n, (select sum(total)::bigint from stats_hourly) as hourly_total,
          (select sum(invoices)::int from stats_daily) as daily_n, (select sum(total)::bigint from stats_daily) as daily_total,
          (select sum(invoices)::int from stats_terminal_hourly) as terminal_n, (select sum(total)::bigint from stats_terminal_hourly) as terminal_total,
          (select sum(total)::bigint from invoices) as invoices_total,
          (select count(*)::int from (select t.terminal_id from stats_terminal_hourly t
             join (select terminal_id, count(*) as n from invoices group by 1) i on i.terminal_id = t.terminal_id
             group by t.terminal_id, i.n having sum(t.invoices) = i.n) ok) as terminals_exact`,
  );
  t.same(
    { ...sums, hourly_total: Number(sums!.hourly_total), daily_total: Number(sums!.daily_total), terminal_total: Number(sums!.terminal_total), invoices_total: Number(sums!.invoices_total) },
    {
      hourly_n: 1000,
      daily_n: 1000,
      terminal_n: 1000,
      hourly_total: Number(sums!.invoices_total),
      daily_total: Number(sums!.invoices_total),
      terminal_total: Number(sums!.invoices_total),
      invoices_total: Number(sums!.invoices_total),
      terminals_exact: 10,
    },
    'rollups equal the invoices, per terminal too',
  );
});

t.test('20 concurrent posts of one key: one invoice, one 201, nineteen identical 200 replays', async (t) => {
  const s = await salesSetup(t);
  const body = s.sale({ buyer: { personalId: '001099012345' } });
  const key = randomUUID();
  const answers = await Promise.all(Array.from({ length: 20 }, () => s.post(body, key)));
  const created = answers.filter((a) => a.statusCode === 201);
  const replayed = answers.filter((a) => a.statusCode === 200);
  t.equal(created.length, 1, 'one 201');
  t.equal(replayed.length, 19, 'nineteen 200');
  t.ok(replayed.every((a) => a.headers['idempotent-replayed'] === 'true'));
  t.ok(answers.every((a) => a.body === created[0]!.body), 'identical bodies');
  t.equal(await s.count('invoices'), 1, 'one invoice');
  t.equal(await s.count('buyer_links'), 1);
  const [stored] = await s.deps.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
  t.equal(stored!.invoiceId, created[0]!.json().invoiceId);
  t.equal(stored!.statusCode, 201);

  // The next sale still gets the next number: the racing copies consumed none.
  t.equal((await s.post(s.sale())).json().number, 2);
});

t.test('the answer lost after commit: a retry with the same key replays it', async (t) => {
  const s = await salesSetup(t);
  // Hold every answer back long enough for the client to hang up after the commit.
  s.app.addHook('onSend', async () => new Promise((r) => setTimeout(r, 300)));
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = s.app.server.address() as AddressInfo;
  const body = JSON.stringify(s.sale());
  const key = randomUUID();

  let answered = false;
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/sales',
    headers: { authorization: `Bearer ${s.terminal.token}`, 'idempotency-key': key, 'content-type': 'application/json' },
  });
  req.on('response', () => (answered = true));
  req.on('error', () => {}); // the hang-up below
  req.end(body);
  await waitFor(async () => (await s.count('invoices')) === 1, 10_000, 5);
  req.destroy();
  t.notOk(answered, 'the client never saw the answer');

  const retry = await fetch(`http://127.0.0.1:${port}/v1/sales`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.terminal.token}`, 'idempotency-key': key, 'content-type': 'application/json' },
    body,
  });
  t.equal(retry.status, 200);
  t.equal(retry.headers.get('idempotent-replayed'), 'true');
  const replay = (await retry.json()) as { invoiceId: string; number: number };
  const rows = await s.deps.database.db.select({ id: invoices.id, number: invoices.number }).from(invoices);
  t.equal(rows.length, 1, 'exactly one invoice');
  t.equal(replay.invoiceId, rows[0]!.id, 'the replay is the original invoice');
  t.equal(replay.number, 1);
});
