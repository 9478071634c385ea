// Idempotency keys are deleted after IDEMPOTENCY_RETENTION_DAYS, which must outlast the offline
// window: a retry inside the window still replays, and nothing else is touched.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { parseConfig, ConfigError } from '../../src/config.js';
import { queryRows } from '../../src/db/client.js';
import { purgeIdempotencyKeys } from '../../src/modules/sales/retention.js';
import { salesSetup } from './sales-helpers.js';

const DAY = 86_400_000;

t.test('keys past retention are deleted, recent ones replay', async (t) => {
  const s = await salesSetup(t);
  const key = randomUUID();
  const body = s.sale();
  const first = await s.post(body, key);
  t.equal(first.statusCode, 201);
  // 12 old keys of finished sales, as if written 8 days ago.
  for (let i = 0; i < 12; i++) t.equal((await s.post(s.sale(), `old-${i}`)).statusCode, 201);
  await s.deps.database.db.execute(sql`update idempotency_keys set created_at = now() - interval '8 days' where key like 'old-%'`);

  t.ok(s.deps.retention, 'the retention job runs where transmission is consumed');
  const deleted = await s.deps.retention!.runNow();
  t.equal(deleted, 12, 'the old keys');
  const left = await queryRows<{ key: string }>(s.deps.database.db, sql`select key from idempotency_keys`);
  t.same(left.map((r) => r.key), [key], 'the recent key stays');
  t.equal(await s.count('invoices'), 13, 'invoices are never touched');

  const again = await s.post(body, key);
  t.equal(again.statusCode, 200, 'a retry within the window replays');
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(again.json().invoiceId, first.json().invoiceId);
  t.equal(await purgeIdempotencyKeys(s.deps.database.db, new Date(Date.now() - 7 * DAY)), 0, 'nothing left to delete');
});

t.test('retention must outlast the offline window', async (t) => {
  const base = { MASTER_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`, LOOKUP_KEY: `v1:${Buffer.alloc(32, 2).toString('base64')}` };
  t.equal(parseConfig(base).idempotencyRetentionDays, 7, 'a week by default');
  t.throws(() => parseConfig({ ...base, OFFLINE_WINDOW_HOURS: '72', IDEMPOTENCY_RETENTION_DAYS: '3' }), ConfigError);
  t.equal(parseConfig({ ...base, OFFLINE_WINDOW_HOURS: '72', IDEMPOTENCY_RETENTION_DAYS: '4' }).idempotencyRetentionDays, 4);
});
