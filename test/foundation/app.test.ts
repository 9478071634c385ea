import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

t.test('health, docs and problem responses', async (t) => {
  const { app } = await buildTestApp(t);

  const live = await app.inject('/health/live');
  t.equal(live.statusCode, 200);
  t.same(live.json(), { status: 'ok' });

  const ready = await app.inject('/health/ready');
  t.equal(ready.statusCode, 200);
  t.same(ready.json().checks.database, { status: 'ok' });

  const openapi = await app.inject('/openapi.json');
  t.equal(openapi.statusCode, 200);
  t.equal(openapi.json().openapi, '3.1.0');
  t.ok(openapi.json().paths['/health/ready'], 'routes are documented');

  const docs = await app.inject('/docs/');
  t.equal(docs.statusCode, 200);
  t.match(docs.headers['content-type'], /text\/html/);

  const missing = await app.inject({ url: '/nope', headers: { 'x-request-id': 'abcdef123456' } });
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], /application\/problem\+json/);
  t.same(missing.json(), {
    type: 'urn:hoadon-mtt:problem:route.not_found',
    title: 'Not found',
    status: 404,
    detail: 'No route GET /nope',
    code: 'route.not_found',
    requestId: 'abcdef123456',
  });
  t.equal(missing.headers['x-request-id'], 'abcdef123456');
});

t.test('malformed JSON, oversize body, validation', async (t) => {
  const { app } = await buildTestApp(t);
  app.post(
    '/echo',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['a', 'b'],
          properties: { a: { type: 'integer', minimum: 0 }, b: { type: 'string' }, c: { type: 'array', items: { type: 'integer' } } },
        },
      },
    },
    async (req) => req.body,
  );
  const bad = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'request.malformed_json');

  const big = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ a: 1, b: 'x'.repeat(1024 * 1024 + 10) }),
  });
  t.equal(big.statusCode, 413);
  t.equal(big.json().code, 'request.too_large');

  const invalid = await app.inject({ method: 'POST', url: '/echo', payload: { a: -1, c: ['x'], z: 1 } });
  t.equal(invalid.statusCode, 422);
  const body = invalid.json();
  t.equal(body.code, 'validation.failed');
  const paths = body.errors.map((e: { path: string }) => e.path).sort();
  t.same(paths, ['/a', '/b', '/c/0', '/z'], 'every bad field is reported at once');
});

t.test('a database outage is a 503 with Retry-After, not a 500', async (t) => {
  const { app, db } = await buildTestApp(t);
  app.get('/needs-db', async () => {
    await db.database.ping();
    return { ok: true };
  });
  await db.database.close();
  const res = await app.inject('/needs-db');
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'unavailable');
  t.ok(Number(res.headers['retry-after']) > 0);
  const ready = await app.inject('/health/ready');
  t.equal(ready.statusCode, 503);
  t.equal(ready.json().checks.database.status, 'down');
});
