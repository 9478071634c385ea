// Issue #12, secrets: the built gateway runs at LOG_LEVEL=trace through a full sale flow over HTTP
// (registration with a certificate and the representative's personal ID, activation by the
// authority, a terminal, sales with a buyer's personal ID, a refused sale, a buyer search, the
// signed XML, a certificate renewal with a wrong and a right password, a key rotation, delivery to
// the authority); then every line it wrote is searched for the secrets it handled.
import t from 'tap';
import { createPrivateKey, randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toIsoLocal } from '../../src/domain/dates.js';
import { makePersonalId } from '../../src/domain/personal-id.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { freshPostgres } from '../helpers/db.js';
import { randomTaxCode } from '../helpers/fixtures.js';
import { freePort, ROOT, spawnNode, stop, waitForHttp } from '../helpers/process.js';

if (!existsSync(path.join(ROOT, 'dist/server.js'))) throw new Error('run `npm run build` first (npm test does it)');

t.test('no private key, password, personal ID, token or master key in the logs of a full sale flow', async (t) => {
  const { url } = await freshPostgres(t);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const adminToken = `stf_${randomBytes(32).toString('base64url')}`;
  const masterKey = randomBytes(32).toString('base64');
  const lookupKey = randomBytes(32).toString('base64');
  const server = spawnNode('dist/server.js', {
    DATABASE_URL: url,
    PORT: String(port),
    MASTER_KEY: `k1:${masterKey}`,
    LOOKUP_KEY: `v1:${lookupKey}`,
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'trace',
    BATCH_MAX_AGE_MS: '200',
    RECONCILE_INTERVAL_MS: '500',
    POLL_BASE_MS: '100',
  });
  t.teardown(() => stop(server, 'SIGKILL'));
  await waitForHttp(`${base}/health/ready`, 60_000, server);

  const call = async (method: string, p: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as Record<string, unknown> & string };
  };

  const taxCode = randomTaxCode();
  const p12 = makeSellerPkcs12({ taxCode, password: `pw-${randomBytes(8).toString('hex')}`, notBefore: new Date(Date.now() - 86_400_000) });
  const repId = makePersonalId({ province: '001', sex: 'male', birthYear: 1985, serial: randomInt(1_000_000) });
  const buyerId = makePersonalId({ province: '079', sex: 'female', birthYear: 1992, serial: randomInt(1_000_000) });
  const badBuyerId = `0${'7'.repeat(11)}`;

  const reg = await call('POST', '/v1/businesses', undefined, {
    taxCode,
    name: 'Quán Cơm Bí Mật',
    address: '9 Phố Huế',
    provinceCode: '01',
    email: 'a@b.vn',
    invoiceForm: 1,
    certificate: { pkcs12: p12.base64, password: p12.password },
    legalRepresentative: { name: 'Nguyễn Văn An', personalId: repId, birthDate: '1985-04-12', sex: 'male', phone: '0912345678' },
  });
  t.equal(reg.status, 201, 'registered');
  let bizKey = String(reg.body.apiKey);
  for (let i = 0; i < 200 && (await call('GET', `/v1/businesses/${taxCode}`, bizKey)).body.status !== 'active'; i++) await sleep(200);
  t.equal((await call('GET', `/v1/businesses/${taxCode}`, bizKey)).body.status, 'active', 'activated by the authority');
  const terminal = await call('POST', `/v1/businesses/${taxCode}/terminals`, bizKey, { name: 'Quầy 1' });
  const trm = String(terminal.body.apiKey);

  const sale = (buyer: object) => ({
    soldAt: toIsoLocal(new Date(Date.now() - 5000)),
    pricesIncludeVat: true,
    items: [{ name: 'Cơm rang', quantity: 1, unitPrice: 45000, vatRate: '8%' }],
    payment: { method: 'cash' },
    buyer,
  });
  // One body for the sale and its retry: soldAt is read from the clock, a second later it differs.
  const withBuyer = sale({ personalId: buyerId, name: 'Trần Thị Bình' });
  const sold = await call('POST', '/v1/sales', trm, withBuyer, { 'idempotency-key': 'log-1' });
  t.equal(sold.status, 201, 'a sale with the buyer personal ID');
  t.equal((await call('POST', '/v1/sales', trm, withBuyer, { 'idempotency-key': 'log-1' })).status, 200, 'replayed');
  t.equal((await call('POST', '/v1/sales', trm, sale({ personalId: badBuyerId }), { 'idempotency-key': 'log-2' })).status, 422, 'a sale with a bad personal ID is refused');
  const search = await call('POST', '/v1/buyers/search', adminToken, { personalId: buyerId, reason: `Kiểm tra hóa đơn ${buyerId}` });
  t.equal(search.status, 200, 'a buyer search');
  t.equal((await call('GET', `/v1/invoices/${String(sold.body.invoiceId)}/xml`, adminToken)).status, 200, 'the signed XML read by staff');

  const renewed = makeSellerPkcs12({ taxCode, password: `pw2-${randomBytes(8).toString('hex')}`, notBefore: new Date(Date.now() - 86_400_000) });
  t.equal((await call('PUT', `/v1/businesses/${taxCode}/certificate`, bizKey, { pkcs12: renewed.base64, password: 'wrong-password' })).status, 422, 'a renewal with a wrong password');
  t.equal((await call('PUT', `/v1/businesses/${taxCode}/certificate`, bizKey, { pkcs12: renewed.base64, password: renewed.password })).status, 200, 'a renewal');
  const rotated = await call('POST', `/v1/businesses/${taxCode}/keys/rotate`, bizKey);
  const oldBizKey = bizKey;
  bizKey = String(rotated.body.apiKey);
  t.equal((await call('GET', `/v1/businesses/${taxCode}`, oldBizKey)).status, 401, 'the old key is refused');

  let tx = '';
  for (let i = 0; i < 200 && tx !== 'accepted'; i++) {
    tx = String(((await call('GET', `/v1/invoices/${String(sold.body.invoiceId)}`, bizKey)).body.transmission as { status: string }).status);
    if (tx !== 'accepted') await sleep(200);
  }
  t.equal(tx, 'accepted', 'delivered to the authority');
  t.equal(await stop(server), 0, 'clean shutdown');

  const logs = server.output();
  const lines = logs.split('\n').filter(Boolean);
  t.ok(lines.length > 30, `the gateway logged ${lines.length} lines at trace level`);
  t.match(logs, /incoming request/, 'including every request');

  const der = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  const chunks = (s: string, n = 3, len = 24) => Array.from({ length: n }, (_, i) => s.slice(Math.floor(((i + 1) * s.length) / (n + 1)), Math.floor(((i + 1) * s.length) / (n + 1)) + len));
  const secrets: Record<string, string[]> = {
    "representative's personal ID": [repId],
    "buyer's personal ID": [buyerId],
    'refused personal ID': [badBuyerId],
    'PKCS#12 file': chunks(p12.base64).concat(chunks(renewed.base64)),
    'PKCS#12 password': [p12.password, renewed.password, 'wrong-password'],
    'private key (PEM)': chunks(p12.keyPem.replace(/-----[^-]+-----|\s/g, '')).concat(chunks(renewed.keyPem.replace(/-----[^-]+-----|\s/g, ''))),
    'private key (DER as base64 / hex)': [...chunks(der(p12.keyPem).toString('base64')), ...chunks(der(p12.keyPem).toString('hex'))],
    'bearer tokens': [adminToken, oldBizKey, bizKey, trm],
    'MASTER_KEY and LOOKUP_KEY': [masterKey, lookupKey, Buffer.from(masterKey, 'base64').toString('hex')],
  };
  let searched = 0;
  for (const [what, values] of Object.entries(secrets)) {
    const found = values.filter((v) => v && logs.includes(v));
    searched += values.length;
    t.same(found.map((v) => `${v.slice(0, 6)}…`), [], `no ${what} in the logs`);
  }
  t.comment(`[log-secrets] ${lines.length} log lines (${(logs.length / 1024).toFixed(0)} KiB) at trace level searched for ${searched} secret values: none found`);
});
