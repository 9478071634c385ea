// `npm run staff -- create …` prints a working token once.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { buildTestApp } from '../helpers/app.js';
import { spawnNode } from '../helpers/process.js';

t.test('the staff CLI creates an admin whose token works', async (t) => {
  const keys = { MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`, LOOKUP_KEY: `v1:${randomBytes(32).toString('base64')}` };
  const { app, db } = await buildTestApp(t, { env: keys });
  const run = spawnNode('dist/cli/staff.js', { DATABASE_URL: db.url, ...keys }, ['create', '--role', 'admin', '--name', 'Trần Thị Bình']);
  t.equal(await run.exited, 0, run.output());
  const token = /token \(shown once\): (stf_\S+)/.exec(run.output())?.[1];
  t.ok(token, 'the token is printed');
  const res = await app.inject({ url: '/v1/staff', headers: { authorization: `Bearer ${token}` } });
  t.equal(res.statusCode, 200);
  t.same(res.json().map((s: { name: string }) => s.name), ['Trần Thị Bình']);

  const bad = spawnNode('dist/cli/staff.js', { DATABASE_URL: db.url, ...keys }, ['create', '--role', 'officer', '--name', 'X', '--provinces', '99']);
  t.equal(await bad.exited, 1);
  t.match(bad.output(), /province/);
  const usage = spawnNode('dist/cli/staff.js', { DATABASE_URL: db.url, ...keys }, []);
  t.equal(await usage.exited, 64);
});
