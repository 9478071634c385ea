// Issue #12, security headers and transport: helmet on every answer (API, errors, docs), a CSP of
// same-origin scripts under which the swagger UI really renders in Chromium, CORS closed by
// default and open only to configured origins, and nothing for CSRF to ride on (no cookies, no
// form-encoded bodies).
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createStaff, createTerminal } from '../helpers/fixtures.js';
import { launch, openTab } from '../dashboard/helpers.js';

const { app, deps } = await buildTestApp(t);
const b = await createActiveBusiness(deps);
const terminal = await createTerminal(deps, b.business.id);
const admin = await createStaff(deps, 'admin');

const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([k, ...v]) => [k!, v]));

t.test('every kind of answer carries the security headers', async (t) => {
  const answers = {
    'a JSON answer': await app.inject({ method: 'GET', url: '/health/live' }),
    'a 401 problem': await app.inject({ method: 'GET', url: '/v1/staff' }),
    'a 404 problem': await app.inject({ method: 'GET', url: '/nowhere' }),
    'a 422 problem': await app.inject({ method: 'POST', url: '/v1/sales', headers: { authorization: `Bearer ${terminal.token}` }, payload: {} }),
    'an authenticated list': await app.inject({ method: 'GET', url: '/v1/staff', headers: { authorization: `Bearer ${admin.token}` } }),
    'the OpenAPI document': await app.inject({ method: 'GET', url: '/openapi.json' }),
    'the docs page': await app.inject({ method: 'GET', url: '/docs/' }),
  };
  for (const [what, res] of Object.entries(answers)) {
    const h = res.headers;
    const csp = directives(String(h['content-security-policy']));
    t.same(csp.get('default-src'), ["'self'"], `${what}: CSP default-src 'self'`);
    t.same(csp.get('script-src'), ["'self'"], `${what}: scripts only from the same origin, none inline`);
    t.same(csp.get('frame-ancestors'), ["'none'"], `${what}: never framed`);
    t.same(csp.get('object-src'), ["'none'"], `${what}: no plugins`);
    t.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
    t.equal(h['referrer-policy'], 'no-referrer', `${what}: no referrer`);
    t.equal(h['cross-origin-resource-policy'], 'same-origin', `${what}: CORP same-origin`);
    t.equal(h['cross-origin-opener-policy'], 'same-origin', `${what}: COOP same-origin`);
    t.match(String(h['strict-transport-security']), /max-age=\d{7,}/, `${what}: HSTS`);
    t.notOk(h['x-powered-by'], `${what}: no x-powered-by`);
    t.notOk(h['set-cookie'], `${what}: no cookie`);
    t.notOk(h['access-control-allow-origin'], `${what}: no CORS grant`);
  }
});

t.test('the swagger UI renders under the CSP in a real browser, without a CSP refusal', async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const html = await (await fetch(`${base}/docs/`)).text();
  t.notMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, 'the page has no inline script');
  const browser = await launch(t);
  const { page, problems } = await openTab(browser);
  const refused: string[] = [];
  page.on('console', (m) => /Content Security Policy/i.test(m.text()) && refused.push(m.text()));
  await page.goto(`${base}/docs/`);
  await page.locator('.swagger-ui .info .title').waitFor();
  t.match(await page.locator('.swagger-ui .info .title').innerText(), /hoadon-mtt/, 'the API title is rendered');
  t.ok((await page.locator('.opblock').count()) > 20, 'the operations are listed');
  t.same(refused, [], 'no CSP refusal');
  t.same(problems, [], 'no console or page errors');
});

t.test('CORS is closed by default', async (t) => {
  const origin = 'https://evil.example';
  const get = await app.inject({ method: 'GET', url: '/v1/lookup?code=x&total=1', headers: { origin } });
  t.notOk(get.headers['access-control-allow-origin'], 'a cross-origin GET gets no grant (the browser hides the answer)');
  const pre = await app.inject({
    method: 'OPTIONS',
    url: '/v1/sales',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  t.equal(pre.statusCode, 404, 'a preflight finds no route');
  t.match(String(pre.headers['content-type']), /^application\/problem\+json/);
  t.notOk(pre.headers['access-control-allow-origin'], 'and no grant: the browser will not send the POST');
});

t.test('CORS_ORIGINS opens the API to those origins only', async (t) => {
  const open = await buildTestApp(t, { env: { CORS_ORIGINS: 'https://pos.example.vn,http://localhost:5173' } });
  const pre = await open.app.inject({
    method: 'OPTIONS',
    url: '/v1/sales',
    headers: { origin: 'https://pos.example.vn', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
  });
  t.equal(pre.statusCode, 204);
  t.equal(pre.headers['access-control-allow-origin'], 'https://pos.example.vn');
  t.match(String(pre.headers['access-control-allow-headers']), /idempotency-key/);
  t.match(String(pre.headers['access-control-allow-methods']), /POST/);
  t.notOk(pre.headers['access-control-allow-credentials'], 'never with credentials (bearer tokens only)');
  const other = await open.app.inject({ method: 'OPTIONS', url: '/v1/sales', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  t.equal(other.statusCode, 404, 'another origin: no preflight');
  t.notOk(other.headers['access-control-allow-origin']);
  const get = await open.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'http://localhost:5173' } });
  t.equal(get.headers['access-control-allow-origin'], 'http://localhost:5173');
  t.match(String(get.headers.vary), /Origin/i, 'Vary: Origin, so caches keep answers apart');
});

t.test('CSRF: nothing rides on ambient credentials, and forms cannot post', async (t) => {
  // A cross-site <form> can only send these three content types, with cookies but no Authorization header.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain']) {
    const res = await app.inject({ method: 'POST', url: '/v1/sales', headers: { 'content-type': type, authorization: `Bearer ${terminal.token}`, 'idempotency-key': 'csrf' }, payload: 'a=1' });
    t.equal(res.statusCode, 415, `${type} → 415`);
  }
  const noToken = await app.inject({ method: 'POST', url: '/v1/staff', headers: { cookie: 'session=anything' }, payload: { name: 'x', role: 'admin' } });
  t.equal(noToken.statusCode, 401, 'cookies authenticate nothing');
  const dashboard = await app.inject({ method: 'GET', url: '/dashboard' });
  t.notOk(dashboard.headers['set-cookie'], 'the dashboard sets no cookie (its token lives in sessionStorage)');
  t.equal(dashboard.headers['x-content-type-options'], 'nosniff', 'and carries the security headers');
});
