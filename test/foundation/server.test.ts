// The built process, as a newcomer runs it: `npm start` (build + node dist/server.js).
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort, ROOT, spawnNode, stop, waitForHttp } from '../helpers/process.js';
import { freshPostgres } from '../helpers/db.js';
import { openDatabase, queryRows, sql } from '../../src/db/client.js';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { readdirSync } from 'node:fs';

const SERVER = 'dist/server.js';
if (!existsSync(path.join(ROOT, SERVER))) throw new Error('run `npm run build` first (npm test does it)');

const migrationCount = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;

t.test('bad configuration exits non-zero with one line naming the variable', async (t) => {
  const p = spawnNode(SERVER, { PORT: 'abc' });
  t.equal(await p.exited, 78);
  const lines = p.output().trim().split('\n');
  t.equal(lines.length, 1);
  t.match(lines[0], /PORT/);
});

t.test('embedded default: no services, data kept in DATA_DIR across restarts', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hm-embedded-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env = { DATA_DIR: dataDir, PORT: String(port) };

  const first = spawnNode(SERVER, env);
  t.teardown(() => stop(first, 'SIGKILL'));
  const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, undefined, first);
  t.match(await ready.json(), { status: 'ok', checks: { database: { status: 'ok' } }, backlog: { pending: 0 } });
  t.equal((await fetch(`http://127.0.0.1:${port}/docs/`)).status, 200);
  t.equal(await stop(first), 0, 'graceful shutdown on SIGTERM');
  t.ok(existsSync(path.join(dataDir, 'secrets.json')));

  // Write a row while the gateway is down, then check it survives another start.
  const db = await openDatabase({ dataDir });
  await db.db.execute(sql`insert into audit_log (actor_kind, actor_id, action) values ('test', 't1', 'persist-check')`);
  await db.close();

  const second = spawnNode(SERVER, env);
  t.teardown(() => stop(second, 'SIGKILL'));
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, undefined, second);
  t.equal(await stop(second), 0);

  const again = await openDatabase({ dataDir });
  const rows = await queryRows<{ action: string }>(again.db, sql`select action from audit_log`);
  const migrations = await queryRows<{ n: number }>(again.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  await again.close();
  t.same(rows.map((r) => r.action), ['persist-check']);
  t.equal(migrations[0]!.n, migrationCount, 'migrations applied once');
});

t.test('with DATABASE_URL: two processes starting at once migrate once', async (t) => {
  const { url } = await freshPostgres(t);
  const keys = { MASTER_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`, LOOKUP_KEY: `v1:${Buffer.alloc(32, 8).toString('base64')}` };
  const [pa, pb] = [await freePort(), await freePort()];
  const a = spawnNode(SERVER, { DATABASE_URL: url, PORT: String(pa), ...keys });
  const b = spawnNode(SERVER, { DATABASE_URL: url, PORT: String(pb), ...keys });
  t.teardown(() => Promise.all([stop(a, 'SIGKILL'), stop(b, 'SIGKILL')]));
  await waitForHttp(`http://127.0.0.1:${pa}/health/ready`);
  await waitForHttp(`http://127.0.0.1:${pb}/health/ready`);
  const sqlc = postgres(url, { max: 1, onnotice: () => {} });
  const [row] = await sqlc`select count(*)::int as n from drizzle.__drizzle_migrations`;
  await sqlc.end();
  t.equal(row!.n, migrationCount);
  t.equal(await stop(a), 0);
  t.equal(await stop(b), 0);
});
