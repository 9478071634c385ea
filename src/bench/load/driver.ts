// The POS traffic: POST /v1/sales over keep-alive HTTP from many terminals. Two shapes:
// - open loop: requests fire on a fixed schedule whatever the answers, and latency counts from the
//   *intended* send time, so a slow gateway cannot hide its queue (no coordinated omission);
// - closed loop ("max"): N terminals each wait for their answer before the next sale, which finds
//   the saturation throughput; its latency is service time under saturation.
// Latencies go into HDR histograms (node:perf_hooks createHistogram, HdrHistogram underneath).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { DriveResult, LatencySummary } from './types.js';

export interface SalesTarget {
  host: string;
  port: number;
  /** Terminal keys (trm_…); requests go round-robin over them. */
  terminals: string[];
  makeBody: (now: Date) => string;
}

export type { DriveResult };

const HIGHEST_US = 600_000_000;

export function newHistogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 });
}

export function recordMs(h: RecordableHistogram, ms: number): void {
  h.record(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

export function summarize(h: RecordableHistogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.count === 0) return { count: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count: h.count,
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p95: ms(h.percentile(95)),
    p99: ms(h.percentile(99)),
    p999: ms(h.percentile(99.9)),
    max: ms(h.max),
    mean: ms(h.mean),
  };
}

class Recorder {
  readonly latency = newHistogram();
  readonly lag = newHistogram();
  readonly errors: Record<string, number> = {};
  readonly errorSamples: Record<string, string> = {};
  sent = 0;
  ok = 0;
  inFlight = 0;
  maxInFlight = 0;
  lastAnswer = 0;

  error(kind: string, sample: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
    this.errorSamples[kind] ??= sample.slice(0, 300);
  }

  result(startedAt: Date, t0: number): DriveResult {
    const lag = summarize(this.lag);
    const elapsed = Math.max(0.001, (this.lastAnswer - t0) / 1000);
    return {
      sent: this.sent,
      ok: this.ok,
      okPerSec: this.ok / elapsed,
      errors: this.errors,
      errorSamples: this.errorSamples,
      latency: summarize(this.latency),
      sendLag: { p99: lag.p99, max: lag.max },
      maxInFlight: this.maxInFlight,
      startedAt,
    };
  }
}

export function salesClient(t: SalesTarget, maxSockets: number, timeoutMs = 30_000) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const run = randomBytes(4).toString('hex');
  let seq = 0;
  let next = 0;

  /** Posts one sale; resolves when the answer is in (never rejects). */
  function post(rec: Recorder, startedAt: number): Promise<void> {
    const token = t.terminals[next++ % t.terminals.length]!;
    const body = t.makeBody(new Date());
    rec.sent++;
    rec.inFlight++;
    if (rec.inFlight > rec.maxInFlight) rec.maxInFlight = rec.inFlight;
    return new Promise<void>((resolve) => {
      let finished = false;
      // A cashier gives up `timeoutMs` after the sale was due, wherever the request is waiting.
      const deadline = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'timeout' })), Math.max(0, startedAt + timeoutMs - performance.now()));
      const done = (kind: string | null, sample = '') => {
        if (finished) return;
        finished = true;
        clearTimeout(deadline);
        const now = performance.now();
        rec.inFlight--;
        rec.lastAnswer = now;
        recordMs(rec.latency, now - startedAt);
        if (kind === null) rec.ok++;
        else rec.error(kind, sample);
        resolve();
      };
      const req = http.request(
        {
          agent,
          host: t.host,
          port: t.port,
          method: 'POST',
          path: '/v1/sales',
          headers: {
            authorization: `Bearer ${token}`,
            'idempotency-key': `bench-${run}-${++seq}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            res.resume();
            res.on('end', () => done(null));
            res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'network', err.message));
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text.length < 2000 ? (text += d) : undefined));
          res.on('end', () => done(String(status), text));
          res.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'network', err.message));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'network', err.message));
      req.end(body);
    });
  }

  /** Fires `rate` sales/s for `seconds` on schedule; waits for the stragglers before returning. */
  async function openLoop(rate: number, seconds: number, maxInFlight: number): Promise<DriveResult> {
    const rec = new Recorder();
    const startedAt = new Date();
    const t0 = performance.now();
    const total = Math.round(rate * seconds);
    const interval = 1000 / rate;
    const pending = new Set<Promise<void>>();
    let i = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (i < total && t0 + i * interval <= now) {
          const intended = t0 + i * interval;
          i++;
          recordMs(rec.lag, now - intended);
          if (rec.inFlight >= maxInFlight) {
            // Counted, not sent: the schedule goes on, and the gap shows as an error.
            rec.sent++;
            rec.error('not sent (client in-flight cap)', `more than ${maxInFlight} requests waiting`);
            continue;
          }
          const p = post(rec, intended);
          pending.add(p);
          void p.then(() => pending.delete(p));
        }
        if (i < total) setTimeout(tick, Math.max(0, t0 + i * interval - performance.now()));
        else resolve();
      };
      tick();
    });
    await Promise.all(pending);
    return rec.result(startedAt, t0);
  }

  /** `concurrency` terminals in a loop for `seconds`, each waiting for its answer. */
  async function closedLoop(concurrency: number, seconds: number): Promise<DriveResult> {
    const rec = new Recorder();
    const startedAt = new Date();
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) await post(rec, performance.now());
      }),
    );
    return rec.result(startedAt, t0);
  }

  return { openLoop, closedLoop, close: () => agent.destroy() };
}

export type SalesClient = ReturnType<typeof salesClient>;

/** Sequential GETs (a tax officer at the dashboard): latency of each, failing on a non-200. */
export async function timeGets(base: string, path: string, token: string, runs: number): Promise<LatencySummary> {
  const h = newHistogram();
  for (let r = 0; r < runs + 3; r++) {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${text.slice(0, 300)}`);
    if (r >= 3) recordMs(h, performance.now() - t0); // the first three warm caches and plans
  }
  return summarize(h);
}
