// The embedded default (PGlite, one connection, in-process transmission, built-in simulator): a
// posted sale is accepted by the authority within seconds, and racing requests do not deadlock
// the single connection. Then the whole newcomer path through the built gateway over HTTP:
// register, become active, add a terminal, sell (`npm run build` first; npm test does it).
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { closeDeps, createDeps } from '../../src/deps.js';
import { invoices, invoiceTransmissions, transmissionFields } from '../../src/db/schema/index.js';
import { transmissionOf } from '../../src/modules/invoices/invoices.repo.js';
import { randomTaxCode, waitFor } from '../helpers/fixtures.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { freePort, ROOT, spawnNode, stop, waitForHttp } from '../helpers/process.js';
import { saleAt, salesSetup } from './sales-helpers.js';

t.test('PGlite: sales become accepted through the built-in simulator', async (t) => {
  const s = await salesSetup(t, { pglite: true, env: { BATCH_MAX_AGE_MS: '300', RECONCILE_INTERVAL_MS: '500', POLL_BASE_MS: '50' } });
  t.equal(s.deps.database.kind, 'pglite');
  const started = Date.now();
  const res = await s.post(s.sale({ buyer: { personalId: '001099012345', name: 'Nguyễn Văn A' } }));
  t.equal(res.statusCode, 201, res.body);
  const id = res.json().invoiceId as string;

  // Racing copies of one key and a few other sales at once, on the one connection.
  const key = randomUUID();
  const body = s.sale();
  const racing = await Promise.all([
    ...Array.from({ length: 5 }, () => s.post(body, key)),
    ...Array.from({ length: 5 }, () => s.post(s.sale())),
  ]);
  t.same(racing.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 201, 201, 201, 201, 201, 201]);
  const batch = await s.postBatch([{ idempotencyKey: 'b1', ...s.sale() }, { idempotencyKey: 'b2', ...s.sale() }]);
  t.same(batch.json().results.map((r: { status: number }) => r.status), [201, 201]);
  t.equal(await s.count('invoices'), 9);
  const numbers = (await s.deps.database.db.select({ n: invoices.number }).from(invoices)).map((r) => r.n).sort((a, b) => a - b);
  t.same(numbers, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  const accepted = await waitFor(async () => {
    const [row] = await s.deps.database.db.select({ tx: transmissionFields.txStatus }).from(invoices).leftJoin(invoiceTransmissions, transmissionOf).where(eq(invoices.id, id));
    return row?.tx === 'accepted' ? row : undefined;
  }, 15_000);
  t.equal(accepted.tx, 'accepted');
  t.comment(`accepted ${Date.now() - started} ms after the post`);
  const all = await s.deps.database.db.select({ tx: transmissionFields.txStatus }).from(invoices).leftJoin(invoiceTransmissions, transmissionOf).where(inArray(invoiceTransmissions.status, ['accepted']));
  t.comment(`${all.length}/9 accepted so far`);
});

t.test('the built gateway on its embedded default: a sale over HTTP is issued and accepted', async (t) => {
  const server = 'dist/server.js';
  if (!existsSync(path.join(ROOT, 'dist/modules/sales/sales.routes.js'))) throw new Error('run `npm run build` first (npm test does it)');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hm-sales-e2e-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env = { DATA_DIR: dataDir, PORT: String(port), BATCH_MAX_AGE_MS: '300', RECONCILE_INTERVAL_MS: '500', POLL_BASE_MS: '50' };
  const base = `http://127.0.0.1:${port}`;

  const gateway = spawnNode(server, env);
  t.teardown(() => stop(gateway, 'SIGKILL'));
  await waitForHttp(`${base}/health/ready`, undefined, gateway);

  // What a newcomer does on `npm start`: register the business, wait for the authority, add a till.
  const taxCode = randomTaxCode();
  const p12 = makeSellerPkcs12({ taxCode, notBefore: new Date(Date.now() - 86_400_000) });
  const json = (r: Response) => r.json() as Promise<Record<string, any>>;
  const registered = await fetch(`${base}/v1/businesses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      taxCode,
      name: 'Nhà hàng Phở Việt',
      address: '12 Phố Huế, Hà Nội',
      provinceCode: '01',
      email: 'chu@phoviet.vn',
      invoiceForm: 1,
      certificate: { pkcs12: p12.base64, password: p12.password },
      legalRepresentative: { name: 'Nguyễn Văn An', personalId: '001085012345', birthDate: '1985-04-12', sex: 'male', phone: '0912345678' },
    }),
  });
  t.equal(registered.status, 201, gateway.output());
  const biz = { authorization: `Bearer ${(await json(registered)).apiKey}`, 'content-type': 'application/json' };
  await waitFor(async () => (await json(await fetch(`${base}/v1/businesses/${taxCode}`, { headers: biz }))).status === 'active', 30_000, 200);
  const till = await fetch(`${base}/v1/businesses/${taxCode}/terminals`, { method: 'POST', headers: biz, body: JSON.stringify({ name: 'Quầy 1' }) });
  t.equal(till.status, 201);
  const terminal = { token: (await json(till)).apiKey as string };

  const started = Date.now();
  const body = JSON.stringify(saleAt(new Date(Date.now() - 60_000)));
  const post = () =>
    fetch(`${base}/v1/sales`, {
      method: 'POST',
      headers: { authorization: `Bearer ${terminal.token}`, 'idempotency-key': 'e2e-1', 'content-type': 'application/json' },
      body,
    });
  const res = await post();
  t.equal(res.status, 201, gateway.output());
  const sale = (await res.json()) as { invoiceId: string; totals: { total: number }; transmission: { status: string } };
  t.equal(sale.totals.total, 234000);
  const replay = await post();
  t.equal(replay.status, 200);
  t.equal(replay.headers.get('idempotent-replayed'), 'true');
  t.same(await replay.json(), sale, 'the same answer');
  const noKey = await fetch(`${base}/v1/sales`, { method: 'POST', headers: { authorization: `Bearer ${terminal.token}`, 'content-type': 'application/json' }, body: '{}' });
  t.equal(noKey.status, 422);

  // Nothing is left waiting for the authority once it answered.
  await waitFor(async () => {
    const ready = (await (await fetch(`${base}/health/ready`)).json()) as { backlog?: { pending: number } };
    return ready.backlog?.pending === 0;
  }, 15_000, 200);
  t.comment(`answered by the built-in simulator ${Date.now() - started} ms after the post`);
  t.equal(await stop(gateway), 0);

  const after = await createDeps(loadConfig(env), { log: pino({ level: 'silent' }) });
  t.teardown(() => closeDeps(after));
  const [row] = await after.database.db.select({ tx: transmissionFields.txStatus }).from(invoices).leftJoin(invoiceTransmissions, transmissionOf).where(eq(invoices.id, sale.invoiceId));
  t.equal(row?.tx, 'accepted', 'accepted by the authority');
});
