// Issue #12, limits: per-token and per-IP rate limits (429 problem+json with Retry-After, shared
// across gateways through Redis, and a Redis outage does not take the API down), body size
// limits, request timeouts and the connection cap, over real sockets where it matters.
import t, { type Test } from 'tap';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { createActiveBusiness, createStaff, createTerminal } from '../helpers/fixtures.js';
import { startPrivateRedis } from '../helpers/redis.js';

const isProblem429 = (t: Test, res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, what: string) => {
  t.equal(res.statusCode, 429, `${what}: 429`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`);
  t.match(res.json(), { status: 429, code: 'rate_limited' }, `${what}: code rate_limited`);
  t.ok(Number(res.headers['retry-after']) >= 1, `${what}: Retry-After ${String(res.headers['retry-after'])}`);
};

t.test('per terminal: one terminal over its budget is refused, its neighbour is not', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RATE_LIMIT_TOKEN_PER_MINUTE: '5', RATE_LIMIT_IP_PER_MINUTE: '1000' } });
  const b = await createActiveBusiness(deps);
  const [a, other] = [await createTerminal(deps, b.business.id), await createTerminal(deps, b.business.id, 'Quầy 2')];
  const get = (token: string) => app.inject({ method: 'GET', url: `/v1/invoices/00000000-0000-0000-0000-000000000000`, headers: { authorization: `Bearer ${token}` } });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await get(a.token)).statusCode);
  t.notOk(statuses.includes(429), `the first 5 pass (${statuses.join(' ')})`);
  const sixth = await get(a.token);
  isProblem429(t, sixth, 'the 6th request of the terminal');
  t.equal(sixth.headers['x-ratelimit-limit'], '5');
  t.not((await get(other.token)).statusCode, 429, 'another terminal of the same business (same IP) still passes');
  const sale = await app.inject({ method: 'POST', url: '/v1/sales', headers: { authorization: `Bearer ${a.token}`, 'idempotency-key': 'k1' }, payload: Buffer.alloc(2 * 1024 * 1024, 'a') });
  t.equal(sale.statusCode, 429, 'refused before its (oversized) body is read');
});

t.test('per IP: callers without a valid token, refused tokens included; health checks never limited', async (t) => {
  const { app, deps } = await buildTestApp(t, { env: { RATE_LIMIT_IP_PER_MINUTE: '6', RATE_LIMIT_TOKEN_PER_MINUTE: '1000' } });
  const staff = await createStaff(deps, 'admin');
  const fromA = { remoteAddress: '203.0.113.7' };
  const lookups = [];
  for (let i = 0; i < 3; i++) lookups.push((await app.inject({ method: 'GET', url: '/v1/lookup?code=M1-26-AAAAA-00000000001&total=1', ...fromA })).statusCode);
  for (let i = 0; i < 3; i++) lookups.push((await app.inject({ method: 'GET', url: '/v1/staff', headers: { authorization: `Bearer stf_${'x'.repeat(40)}` }, ...fromA })).statusCode);
  t.same(lookups, [404, 404, 404, 401, 401, 401], 'six anonymous requests: public lookups and refused tokens');
  isProblem429(t, await app.inject({ method: 'GET', url: '/v1/staff', headers: { authorization: `Bearer stf_${'y'.repeat(40)}` }, ...fromA }), 'a 7th guess at a token');
  isProblem429(t, await app.inject({ method: 'GET', url: '/v1/no-such-route', ...fromA }), 'a scan of unknown routes');
  t.equal((await app.inject({ method: 'GET', url: '/health/live', ...fromA })).statusCode, 200, 'health checks are never limited');
  t.equal((await app.inject({ method: 'GET', url: '/v1/staff', headers: { authorization: `Bearer ${staff.token}` }, ...fromA })).statusCode, 200, 'a valid token from the same IP is limited per token, not per IP');
  t.equal((await app.inject({ method: 'GET', url: '/v1/lookup?code=x&total=1', remoteAddress: '198.51.100.9' })).statusCode, 422, 'another IP is not affected');
});

t.test('TRUST_PROXY: the client IP comes from X-Forwarded-For only when the proxy is trusted', async (t) => {
  const { app } = await buildTestApp(t, { env: { RATE_LIMIT_IP_PER_MINUTE: '2', TRUST_PROXY: '10.0.0.1' } });
  const via = (client: string, remoteAddress: string) =>
    app.inject({ method: 'GET', url: '/v1/no-such-route', remoteAddress, headers: { 'x-forwarded-for': client } });
  for (let i = 0; i < 2; i++) await via('203.0.113.1', '10.0.0.1');
  t.equal((await via('203.0.113.1', '10.0.0.1')).statusCode, 429, 'a client behind the trusted proxy is limited by its own IP');
  t.equal((await via('203.0.113.2', '10.0.0.1')).statusCode, 404, 'its neighbour behind the same proxy is not');
  for (let i = 0; i < 2; i++) await via(`192.0.2.${i}`, '10.9.9.9');
  t.equal((await via('192.0.2.77', '10.9.9.9')).statusCode, 429, 'an untrusted hop cannot dodge the limit by inventing X-Forwarded-For');
});

t.test('Redis-backed: two gateways share the budget; Redis down lets requests through', async (t) => {
  const redis = await startPrivateRedis(t);
  const env = { REDIS_URL: redis.url, RATE_LIMIT_IP_PER_MINUTE: '4' };
  const one = await buildTestApp(t, { env, consume: false });
  const two = await buildApp(one.deps);
  t.teardown(() => two.close());
  const at = (app: typeof two) => app.inject({ method: 'GET', url: '/v1/no-such-route', remoteAddress: '203.0.113.50' });
  const seen = [await at(one.app), await at(two), await at(one.app), await at(two)].map((r) => r.statusCode);
  t.same(seen, [404, 404, 404, 404], 'four requests across two gateways');
  t.equal((await at(one.app)).statusCode, 429, 'the fifth, on either gateway, is over the shared budget');
  const keys = await redis.client.keys(`${one.deps.config.queuePrefix}-rl-*`);
  t.ok(keys.length > 0, `counted in Redis (${keys.join(', ')})`);
  await redis.stop();
  await sleep(200);
  const during = await at(two);
  t.equal(during.statusCode, 404, 'with Redis gone the limit is skipped, the request served (not a 500, not a hang)');
});

t.test('body size: 1 MiB on ordinary routes, 8 MiB on the batch route, refused with 413 problem+json', async (t) => {
  const { app, deps } = await buildTestApp(t);
  const b = await createActiveBusiness(deps);
  const term = await createTerminal(deps, b.business.id);
  const post = (url: string, bytes: number) =>
    app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${term.token}`, 'content-type': 'application/json', 'idempotency-key': 'k' }, payload: `{"x":"${'a'.repeat(bytes)}"}` });
  const big = await post('/v1/sales', 1024 * 1024 + 1);
  t.equal(big.statusCode, 413);
  t.match(big.json(), { code: 'request.too_large' });
  t.equal((await post('/v1/sales', 1024 * 1024 - 100)).statusCode, 422, 'just under 1 MiB is read and validated');
  t.equal((await post('/v1/sales/batch', 8 * 1024 * 1024 + 1)).statusCode, 413);
  t.equal((await post('/v1/sales/batch', 7 * 1024 * 1024)).statusCode, 422, '7 MiB is within the batch limit');
});

/** Opens a socket and sends `head`; resolves with what the server wrote before closing. */
function rawRequest(port: number, head: string, keepOpenMs: number): Promise<{ data: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', () => {});
    const done = () => resolve({ data, closedAfterMs: Date.now() - started });
    socket.on('close', done);
    setTimeout(() => socket.destroy(), keepOpenMs).unref();
  });
}

t.test('request timeout: a body that trickles in is cut off with 408', async (t) => {
  const { app } = await buildTestApp(t, { env: { REQUEST_TIMEOUT_MS: '500' } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as net.AddressInfo).port;
  const slow = await rawRequest(port, 'POST /v1/businesses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"taxCode":', 15_000);
  t.match(slow.data, /^HTTP\/1\.1 408/, `408 Request Timeout (${slow.data.split('\r\n')[0]})`);
  t.ok(slow.closedAfterMs < 15_000, 'and the connection closed by the server');
  t.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200, 'other clients are served');
});

t.test('connection cap: connections beyond MAX_CONNECTIONS are closed at once', async (t) => {
  const { app } = await buildTestApp(t, { env: { MAX_CONNECTIONS: '3' } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as net.AddressInfo).port;
  const held = await Promise.all(
    [0, 1, 2].map(
      () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => resolve(s));
          s.on('error', () => {});
        }),
    ),
  );
  await sleep(100);
  const extra = await rawRequest(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
  t.equal(extra.data, '', 'the 4th connection gets no answer');
  t.ok(extra.closedAfterMs < 3000, 'it is closed by the server');
  held.forEach((s) => s.destroy());
  await sleep(100);
  t.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200, 'once they close, new connections are served');
});
