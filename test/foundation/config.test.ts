import t from 'tap';
import { mkdtempSync, statSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config.js';

const keys = { MASTER_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`, LOOKUP_KEY: `v1:${Buffer.alloc(32, 2).toString('base64')}` };

t.test('defaults', async (t) => {
  const c = parseConfig({ ...keys });
  t.equal(c.port, 8080);
  t.equal(c.databaseUrl, undefined);
  t.equal(c.redisUrl, undefined);
  t.equal(c.runWorkers, true, 'embedded mode drains the outbox in-process');
  t.equal(c.batch.maxAgeMs, 2000);
  t.equal(c.publicUrl, 'http://localhost:8080');
  t.equal(c.masterKeys[0]!.id, 'k1');
  t.equal(c.lookupKey.id, 'v1');
  t.same(c.transmission, { timeoutMs: 15_000, leaseMs: 60_000, pollBaseMs: 500, retryBaseMs: 1000, retryMaxMs: 300_000 });
  t.ok(Object.isFrozen(c));
});

t.test('the resend back-off is configurable', async (t) => {
  const c = parseConfig({ ...keys, RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000' });
  t.equal(c.transmission.retryBaseMs, 200);
  t.equal(c.transmission.retryMaxMs, 2000);
});

t.test('each bad variable is named', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MASTER_KEY: 'k1:short' }, 'MASTER_KEY'],
    [{ LOOKUP_KEY: '!!' }, 'LOOKUP_KEY'],
    [{ ADMIN_TOKEN: 'stf_short' }, 'ADMIN_TOKEN'],
    [{ TAX_OFFICE_CODE: 'x' }, 'TAX_OFFICE_CODE'],
    [{ OFFLINE_WINDOW_HOURS: '0' }, 'OFFLINE_WINDOW_HOURS'],
    [{ INVOICE_CEILING: '99999999999999999' }, 'INVOICE_CEILING'],
    [{ RETRY_MAX_MS: '5' }, 'RETRY_MAX_MS'],
  ];
  for (const [env, variable] of cases) {
    const err = t.throws(() => parseConfig({ ...keys, ...env }), variable) as ConfigError;
    t.equal(err.variable, variable, variable);
  }
});

t.test('a shared database needs shared secrets', async (t) => {
  const missing = t.throws(() => loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', LOOKUP_KEY: keys.LOOKUP_KEY })) as ConfigError;
  t.equal(missing.variable, 'MASTER_KEY');
  const err = t.throws(() => loadConfig({ DATABASE_URL: 'postgres://x@localhost/db', MASTER_KEY: keys.MASTER_KEY })) as ConfigError;
  t.equal(err.variable, 'LOOKUP_KEY');
});

t.test('master keys rotate: first encrypts, all decrypt', async (t) => {
  const a = Buffer.alloc(32, 3).toString('base64');
  const c = parseConfig({ ...keys, MASTER_KEY: `k2:${a},${keys.MASTER_KEY}` });
  t.same(c.masterKeys.map((k) => k.id), ['k2', 'k1']);
  const dup = t.throws(() => parseConfig({ ...keys, MASTER_KEY: `k1:${a},${keys.MASTER_KEY}` })) as ConfigError;
  t.equal(dup.variable, 'MASTER_KEY');
});

t.test('embedded mode generates the secrets once, mode 0600', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hm-cfg-'));
  const first = loadConfig({ DATA_DIR: dir });
  const file = path.join(dir, 'secrets.json');
  t.equal(statSync(file).mode & 0o777, 0o600);
  const second = loadConfig({ DATA_DIR: dir });
  t.same(second.masterKeys[0]!.key, first.masterKeys[0]!.key, 'same key after a restart');
  t.same(second.lookupKey.key, first.lookupKey.key);
  t.notOk(readFileSync(file, 'utf8').includes('undefined'));
});
