// The bulk seeder (bench:search, demo data): the requested count, gap-free numbers rising with
// issue times per seller, codes unique, buyers linked across sellers, and a real sale after the
// seed continues each seller's numbering.
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { seedInvoices } from '../../src/bench/seed.js';
import { lookupHash } from '../../src/lib/secrets.js';
import { buildTestDeps } from '../helpers/app.js';
import { issueAt } from '../helpers/invoices.js';

t.test('seedInvoices', async (t) => {
  const { deps } = await buildTestDeps(t, { env: { RECONCILE_INTERVAL_MS: '600000' } });
  const db = deps.database.db;
  const phases = new Set<string>();
  const seeded = await seedInvoices({
    db,
    box: deps.box,
    config: deps.config,
    invoices: 1003,
    businesses: 4,
    buyerPool: 5,
    buyerShare: 0.5,
    chunk: 200,
    to: deps.clock(),
    onProgress: (_d, _t, phase) => phases.add(phase),
  });
  t.strictSame([...phases].sort(), ['analyze', 'businesses', 'copies', 'templates']);
  t.equal(seeded.businesses.length, 4);
  t.equal(seeded.templates, 12);
  const [n] = await queryRows<{ n: number; codes: number; ids: number }>(
    db,
    sql`select count(*)::int as n, count(distinct (business_id, mtt_code))::int as codes, count(distinct id)::int as ids from invoices`,
  );
  t.strictSame(n, { n: 1003, codes: 1003, ids: 1003 });

  const perSeller = await queryRows<{ business_id: string; n: number; max: number; out_of_order: number }>(
    db,
    sql`select business_id, count(*)::int as n, max(number)::int as max,
               (select count(*)::int from (select number, lag(issued_at) over (order by number) as prev, issued_at
                                             from invoices j where j.business_id = i.business_id) x where prev > issued_at) as out_of_order
          from invoices i group by business_id order by business_id`,
  );
  t.strictSame(perSeller.map((r) => r.n).sort(), [250, 251, 251, 251]);
  t.ok(perSeller.every((r) => r.max === r.n), 'numbers 1…n, no gap');
  t.ok(perSeller.every((r) => r.out_of_order === 0), 'numbers rise with issue times');

  const states = await queryRows<{ s: string; n: number }>(db, sql`select coalesce(t.status, 'pending') as s, count(*)::int as n from invoices i left join invoice_transmissions t on t.invoice_id = i.id group by 1`);
  t.ok(states.find((x) => x.s === 'accepted')!.n > 900, 'most accepted');
  t.ok(states.find((x) => x.s === 'pending')!.n >= 4, 'the newest wait for transmission');

  const buyerHashes = seeded.buyers.map((id) => lookupHash(deps.config.lookupKey, id));
  const [links] = await queryRows<{ n: number; sellers: number }>(
    db,
    sql`select count(*)::int as n, max(s)::int as sellers
          from (select id_hash, count(distinct business_id) as s from buyer_links group by id_hash) x`,
  );
  t.ok(links!.n > 0 && links!.n <= buyerHashes.length, 'buyers from the pool');
  t.ok(links!.sellers > 1, 'a buyer bought from several sellers');
  const [foreign] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from buyer_links where id_hash not in ${buyerHashes}`);
  t.equal(foreign!.n, 0, 'every link is a pool buyer under LOOKUP_KEY');

  const sb = seeded.businesses[0]!;
  const next = await issueAt(deps, sb, { at: deps.clock() });
  t.equal(next.number, sb.invoices + 1, 'a real sale continues the numbering');
  t.match(next.mttCode, new RegExp(`-${String(sb.invoices + 1).padStart(11, '0')}$`));
});
