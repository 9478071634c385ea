// The POS side of the fault suite: terminals posting sales without pause, each sale retried with
// the same Idempotency-Key and the same body until it gets a 2xx, as a POS does. Every answer is
// recorded with the fault window it fell in, so the test can judge each window afterwards.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { saleMaker } from '../../src/bench/load/fixtures.js';

export interface Attempt {
  terminal: number;
  key: string;
  window: string;
  /** 0: no HTTP answer (connection refused, reset, timed out). */
  status: number;
  /** Time to the answer (or the failure). */
  ms: number;
  startedAt: number;
  retryAfter: string | null;
  contentType: string | null;
  code?: string;
  invoiceId?: string;
  symbol?: string;
  number?: number;
}

export interface Sale {
  terminal: number;
  key: string;
  body: string;
  invoiceId?: string;
  attempts: number;
}

export interface Load {
  attempts: Attempt[];
  sales: Sale[];
  /** Labels the answers from now on (the fault being injected). */
  setWindow(name: string): void;
  /** Stops new sales, waits for the ones in flight to get their 2xx (or gives up at the deadline). */
  stop(deadlineMs: number): Promise<void>;
}

export function startLoad(base: string, terminalKeys: string[], opts: { pauseMs: number; seed: number }): Load {
  const attempts: Attempt[] = [];
  const sales: Sale[] = [];
  let window = 'warm-up';
  let stopping = false;
  let giveUpAt = Infinity;

  async function post(terminal: number, sale: Sale): Promise<void> {
    while (Date.now() < giveUpAt) {
      sale.attempts++;
      const a: Attempt = { terminal, key: sale.key, window, status: 0, ms: 0, startedAt: 0, retryAfter: null, contentType: null };
      const sentAt = Date.now();
      a.startedAt = sentAt;
      let waitMs = 250;
      try {
        const res = await fetch(`${base}/v1/sales`, {
          method: 'POST',
          headers: { authorization: `Bearer ${terminalKeys[terminal]}`, 'idempotency-key': sale.key, 'content-type': 'application/json' },
          body: sale.body,
          signal: AbortSignal.timeout(20_000),
        });
        a.status = res.status;
        a.retryAfter = res.headers.get('retry-after');
        a.contentType = res.headers.get('content-type');
        const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
        a.ms = Date.now() - sentAt;
        if (res.ok) {
          a.invoiceId = String(body.invoiceId);
          a.symbol = String(body.symbol);
          a.number = Number(body.number);
          sale.invoiceId ??= a.invoiceId;
          attempts.push(a);
          return;
        }
        a.code = typeof body.code === 'string' ? body.code : undefined;
        if (res.status === 503 && a.retryAfter) waitMs = Math.min(2000, Number(a.retryAfter) * 1000);
      } catch {
        a.ms = Date.now() - sentAt;
        // no answer: the gateway or its database is mid-restart; retry the same key
      }
      attempts.push(a);
      if (a.status !== 0 && a.status !== 503) return; // a refusal is final; the test reports it
      await sleep(waitMs);
    }
  }

  const loops = terminalKeys.map(async (_, terminal) => {
    const make = saleMaker(opts.seed + terminal);
    while (!stopping) {
      const sale: Sale = { terminal, key: randomUUID(), body: make(new Date()), attempts: 0 };
      sales.push(sale);
      await post(terminal, sale);
      await sleep(opts.pauseMs);
    }
  });

  return {
    attempts,
    sales,
    setWindow: (name) => (window = name),
    async stop(deadlineMs) {
      stopping = true;
      giveUpAt = Date.now() + deadlineMs;
      await Promise.all(loops);
    },
  };
}
