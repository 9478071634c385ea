// Issue #12, audit and secrets at rest: security-relevant events land in the append-only audit
// log (logins, refused staff tokens, tokens created, rotated and revoked, certificate changes,
// MASTER_KEY rotations) without a secret in them; and `master-key rotate` re-encrypts everything
// sealed under an old MASTER_KEY so that the old key can go.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { closeDeps, createDeps } from '../../src/deps.js';
import { buildApp } from '../../src/app.js';
import { toIsoLocal } from '../../src/domain/dates.js';
import { LEGAL_REP_AAD } from '../../src/modules/businesses/businesses.repo.js';
import { buildTestApp, buildTestDeps, testConfig } from '../helpers/app.js';
import { makeSellerPkcs12 } from '../helpers/certs.js';
import { createActiveBusiness, createBusinessKey, createStaff, createTerminal } from '../helpers/fixtures.js';
import { ROOT, spawnNode } from '../helpers/process.js';
import { pino } from 'pino';

type AuditItem = { action: string; actor: { kind: string; id: string }; detail: Record<string, unknown> | null };

t.test('security events are audited, without secrets', async (t) => {
  const { app, deps } = await buildTestApp(t);
  const admin = await createStaff(deps, 'admin');
  const b = await createActiveBusiness(deps);
  const bizKey = await createBusinessKey(deps, b.business.id);
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const actions = async () => (await queryRows<{ action: string }>(deps.database.db, sql`select action from audit_log order by id`)).map((r) => r.action);

  t.equal((await app.inject({ method: 'GET', url: '/v1/staff', headers: as(admin.token) })).statusCode, 200);
  t.same(await actions(), [], 'an ordinary API call is not a sign-in');
  t.equal((await app.inject({ method: 'GET', url: '/v1/dashboard/me', headers: as(admin.token) })).statusCode, 200);
  t.same(await actions(), ['auth.login'], 'the dashboard sign-in is audited before its answer leaves');
  t.equal((await app.inject({ method: 'GET', url: '/v1/dashboard/me', headers: as(`stf_${'z'.repeat(43)}`), remoteAddress: '203.0.113.9' })).statusCode, 401);
  t.same(await actions(), ['auth.login', 'auth.refused'], 'and so is a refused staff token');

  const made = await app.inject({ method: 'POST', url: '/v1/staff', headers: as(admin.token), payload: { name: 'Lê Văn Cán Bộ', role: 'officer', provinces: ['01'] } });
  t.equal(made.statusCode, 201);
  const officer = made.json() as { id: string; token: string };
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/staff/${officer.id}`, headers: as(admin.token) })).statusCode, 204);

  const tax = b.business.taxCode;
  const term = await app.inject({ method: 'POST', url: `/v1/businesses/${tax}/terminals`, headers: as(bizKey), payload: { name: 'Quầy 9' } });
  const termBody = term.json() as { id: string; apiKey: string };
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/businesses/${tax}/terminals/${termBody.id}`, headers: as(bizKey) })).statusCode, 204);
  const p12 = makeSellerPkcs12({ taxCode: tax, notBefore: new Date(Date.now() - 86_400_000) });
  t.equal((await app.inject({ method: 'PUT', url: `/v1/businesses/${tax}/certificate`, headers: as(bizKey), payload: { pkcs12: p12.base64, password: p12.password } })).statusCode, 200);
  const rotated = await app.inject({ method: 'POST', url: `/v1/businesses/${tax}/keys/rotate`, headers: as(bizKey) });
  const newKey = (rotated.json() as { apiKey: string }).apiKey;

  const log = await app.inject({ method: 'GET', url: '/v1/audit?limit=100', headers: as(admin.token) });
  t.equal(log.statusCode, 200);
  const items = (log.json() as { items: AuditItem[] }).items;
  const byAction = (a: string) => items.filter((i) => i.action === a);
  t.match(byAction('auth.login'), [{ actor: { kind: 'stf', id: admin.id }, detail: { ip: '127.0.0.1' } }], 'login: who and from where');
  t.match(byAction('auth.refused'), [{ actor: { kind: 'anonymous', id: '203.0.113.9' }, detail: { tokenKind: 'stf', route: '/v1/dashboard/me' } }], 'a refused staff token');
  t.match(byAction('staff.created'), [{ actor: { kind: 'stf', id: admin.id }, detail: { staffId: officer.id, role: 'officer', provinces: ['01'] } }], 'staff token created');
  t.match(byAction('staff.revoked'), [{ actor: { kind: 'stf', id: admin.id }, detail: { staffId: officer.id } }], 'staff token revoked');
  t.match(byAction('token.created'), [{ actor: { kind: 'biz', id: b.business.id }, detail: { tokenKind: 'trm', terminalId: termBody.id } }], 'terminal key created');
  t.match(byAction('token.revoked'), [{ actor: { kind: 'biz', id: b.business.id }, detail: { tokenKind: 'trm', terminalId: termBody.id } }], 'terminal key revoked');
  t.match(byAction('token.rotated'), [{ actor: { kind: 'biz', id: b.business.id }, detail: { tokenKind: 'biz', businessId: b.business.id } }], 'business key rotated');
  t.match(
    byAction('certificate.changed'),
    [{ actor: { kind: 'biz', id: b.business.id }, detail: { previousFingerprint: b.signer.info.fingerprintSha256, fingerprint: String } }],
    'certificate changed, old and new fingerprints',
  );
  const text = JSON.stringify(items);
  for (const secret of [admin.token, officer.token, termBody.apiKey, bizKey, newKey, p12.password, p12.base64.slice(100, 140)]) {
    t.notOk(text.includes(secret), `no secret in the audit log (${secret.slice(0, 4)}…)`);
  }
  t.comment(`[audit] ${items.length} events: ${[...new Set(items.map((i) => i.action))].join(', ')}`);
});

t.test('the audit log is append-only: no code updates or deletes it', async (t) => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(ROOT, 'src'));
  const offenders = files.filter((f) => /\.(update|delete)\(\s*auditLog\b|(update|delete\s+from|truncate)\s+audit_log/i.test(readFileSync(f, 'utf8')));
  t.same(offenders, [], `none of ${files.length} source files updates, deletes or truncates audit_log`);
});

t.test('the database itself refuses to change or empty the audit log', async (t) => {
  for (const pglite of [false, true]) {
    const { deps } = await buildTestDeps(t, { pglite });
    const db = deps.database.db;
    await db.execute(sql`insert into audit_log (actor_kind, actor_id, action) values ('stf', 'x', 'test.entry')`);
    for (const [what, stmt] of [
      ['update', sql`update audit_log set action = 'forged'`],
      ['delete', sql`delete from audit_log`],
      ['truncate', sql`truncate audit_log`],
    ] as const) {
      const err = await db.execute(stmt).then(() => null, (e: Error & { cause?: Error }) => e);
      // drizzle wraps the database's error: its message is in the cause.
      t.match(err?.cause?.message ?? err?.message, /audit_log is append-only/, `${what} refused (${pglite ? 'PGlite' : 'PostgreSQL'})`);
    }
    const rows = await queryRows<{ action: string }>(db, sql`select action from audit_log`);
    t.same(rows.map((r) => r.action), ['test.entry'], 'the entry is intact');
  }
});

t.test('master-key rotate: everything re-sealed under the new key; the old key can go', async (t) => {
  const oldKey = `k1:${randomBytes(32).toString('base64')}`;
  const newKey = `k2:${randomBytes(32).toString('base64')}`;
  const lookupKey = `v1:${randomBytes(32).toString('base64')}`;
  const { deps, db } = await buildTestApp(t, { env: { MASTER_KEY: oldKey, LOOKUP_KEY: lookupKey } });
  const sellers = await Promise.all([0, 1, 2].map(() => createActiveBusiness(deps)));
  const terminal = await createTerminal(deps, sellers[0]!.business.id);
  const sealed = async () =>
    queryRows<{ k: string }>(deps.database.db, sql`select split_part(key_encrypted, ':', 1) as k from certificates union all select split_part(legal_representative_secret, ':', 1) from businesses`);
  t.same([...new Set((await sealed()).map((r) => r.k))], ['k1'], 'before: all sealed under k1');

  const cli = spawnNode('dist/cli/master-key.js', { DATABASE_URL: db.url, MASTER_KEY: `${newKey},${oldKey}`, LOOKUP_KEY: lookupKey }, ['rotate', '--batch', '2']);
  t.equal(await cli.exited, 0, 'rotate exits 0');
  const out = cli.output();
  t.match(out, /re-encrypted 3 private keys and 3 personal IDs under k2 \(from k1\)/);
  t.match(out, /no data sealed under k1: remove it from MASTER_KEY/);
  for (const k of [oldKey, newKey]) t.notOk(out.includes(k.slice(3)), 'no key material printed');
  t.same([...new Set((await sealed()).map((r) => r.k))], ['k2'], 'after: all sealed under k2');
  const [audited] = await queryRows<{ detail: Record<string, unknown> }>(deps.database.db, sql`select detail from audit_log where action = 'master_key.rotated'`);
  t.match(audited?.detail, { currentKeyId: 'k2', certificates: 3, legalRepresentatives: 3, from: ['k1'] }, 'the rotation is audited');

  // A gateway that knows only the new key signs sales and opens the sealed personal IDs.
  const onlyNew = await createDeps(testConfig({ DATABASE_URL: db.url, MASTER_KEY: newKey, LOOKUP_KEY: lookupKey }), { database: db.database, log: pino({ level: 'silent' }) });
  t.teardown(() => closeDeps(onlyNew));
  const app = await buildApp(onlyNew);
  t.teardown(() => app.close());
  const sale = await app.inject({
    method: 'POST',
    url: '/v1/sales',
    headers: { authorization: `Bearer ${terminal.token}`, 'idempotency-key': 'after-rotation' },
    payload: { soldAt: toIsoLocal(new Date(Date.now() - 5000)), pricesIncludeVat: true, items: [{ name: 'Phở', quantity: 1, unitPrice: 50000, vatRate: '8%' }], payment: { method: 'cash' } },
  });
  t.equal(sale.statusCode, 201, 'a sale is signed with a private key opened under k2 only');
  const [rep] = await queryRows<{ s: string }>(deps.database.db, sql`select legal_representative_secret as s from businesses limit 1`);
  t.equal(onlyNew.box.decrypt(rep!.s, LEGAL_REP_AAD).toString(), '001085012345', "the representative's personal ID opens under k2");

  const status = spawnNode('dist/cli/master-key.js', { DATABASE_URL: db.url, MASTER_KEY: newKey, LOOKUP_KEY: lookupKey }, ['status']);
  t.equal(await status.exited, 0);
  t.match(status.output(), /certificates: k2 \(current\): 3\nlegalRepresentatives: k2 \(current\): 3/, 'status: all under k2');
});
