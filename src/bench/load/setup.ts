// Businesses and terminals through the public API, as a restaurant chain would onboard: register
// (message 100 → the authority's 103 makes it active), then one key per cash register.
import { setTimeout as sleep } from 'node:timers/promises';
import { businessSpec } from './fixtures.js';
import { SetupError } from './cluster.js';

interface Json {
  status: number;
  body: Record<string, unknown>;
  retryAfter: number;
}

async function call(base: string, method: string, path: string, token?: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
}

export interface Onboarded {
  taxCodes: string[];
  terminalKeys: string[];
  seconds: number;
}

async function registerOne(base: string, i: number, seed: number, terminals: number): Promise<{ taxCode: string; keys: string[] }> {
  const spec = businessSpec(i, seed);
  let res = await call(base, 'POST', '/v1/businesses', undefined, spec.body);
  // Registration is rate-limited per client: wait as told.
  while (res.status === 429) {
    await sleep(Math.max(1, res.retryAfter) * 1000);
    res = await call(base, 'POST', '/v1/businesses', undefined, spec.body);
  }
  if (res.status !== 201) throw new SetupError(`POST /v1/businesses (${spec.taxCode}) → ${res.status} ${JSON.stringify(res.body)}`);
  const bizKey = String(res.body.apiKey);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const got = await call(base, 'GET', `/v1/businesses/${spec.taxCode}`, bizKey);
    if (got.body.status === 'active') break;
    if (got.body.status === 'rejected') throw new SetupError(`the authority rejected ${spec.taxCode}: ${JSON.stringify(got.body.rejectionReasons)}`);
    if (Date.now() > deadline) throw new SetupError(`${spec.taxCode} still ${String(got.body.status)} after 60 s (is the worker sending message 100?)`);
    await sleep(250);
  }
  const keys: string[] = [];
  for (let k = 0; k < terminals; k++) {
    const t = await call(base, 'POST', `/v1/businesses/${spec.taxCode}/terminals`, bizKey, { name: `Quầy ${k + 1}`, location: 'Tầng 1' });
    if (t.status !== 201) throw new SetupError(`POST terminals (${spec.taxCode}) → ${t.status} ${JSON.stringify(t.body)}`);
    keys.push(String(t.body.apiKey));
  }
  return { taxCode: spec.taxCode, keys };
}

/** Registers `businesses` businesses, a few at a time, and `terminals` terminals each. */
export async function onboard(base: string, businesses: number, terminals: number, seed: number): Promise<Onboarded> {
  const t0 = Date.now();
  const out: Array<{ taxCode: string; keys: string[] }> = [];
  const parallel = 5;
  for (let i = 0; i < businesses; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, businesses - i) }, (_, j) => registerOne(base, i + j, seed, terminals));
    out.push(...(await Promise.all(batch)));
    process.stderr.write(`\ronboarding  ${out.length}/${businesses} businesses active`);
  }
  process.stderr.write('\n');
  // Interleave terminals of different businesses so consecutive sales hit different sellers.
  const terminalKeys: string[] = [];
  for (let k = 0; k < terminals; k++) for (const b of out) terminalKeys.push(b.keys[k]!);
  return { taxCodes: out.map((b) => b.taxCode), terminalKeys, seconds: (Date.now() - t0) / 1000 };
}
