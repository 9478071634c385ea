// Faults on demand (authority-messages.md §8.6): refuse, delay, throttle, accept but drop the
// reply, be down, answer twice. Decisions draw from an injectable random source so a test with a
// seeded source sees the same sequence of faults every run.

export interface SimFaults {
  /** 0..1: answer 500 without processing. */
  errorRate?: number;
  /** Wait this long before answering (every /messages request). */
  latencyMs?: number;
  /** 0..1: answer 429 with `Retry-After: retryAfterSeconds`, without processing. */
  rate429?: number;
  /** Seconds in the `Retry-After` of a 429 (default 1). */
  retryAfterSeconds?: number;
  /** 0..1: process and store the message fully, then destroy the socket without answering. */
  dropRate?: number;
  /** ISO time: until then every /messages connection is destroyed at once. */
  downUntil?: string;
  /** Each business answer appears twice in the lookup list. */
  duplicateAcks?: boolean;
  /** Delay before a business answer becomes visible (overrides the simulator's option). */
  replyDelayMs?: number;
}

export type FaultKind = 'error' | 'rate429' | 'drop' | 'down' | 'latency' | 'duplicateAcks';
export const FAULT_KINDS: readonly FaultKind[] = ['error', 'rate429', 'drop', 'down', 'latency', 'duplicateAcks'];

/** What to do with one /messages request. */
export interface FaultDecision {
  action: 'proceed' | 'down' | 'error' | 'rate429';
  latencyMs: number;
  retryAfterSeconds: number;
  /** Process, then destroy the socket instead of answering (POST only). */
  drop: boolean;
}

export class FaultConfigError extends Error {
  override readonly name = 'FaultConfigError';
}

const RATES = ['errorRate', 'rate429', 'dropRate'] as const;
const DURATIONS = ['latencyMs', 'retryAfterSeconds', 'replyDelayMs'] as const;
const KNOWN = new Set<string>([...RATES, ...DURATIONS, 'downUntil', 'duplicateAcks']);

/** Checks a fault set coming from JSON (env `SIM_FAULTS`, `POST /_sim/faults`). */
export function parseFaults(input: unknown): SimFaults {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new FaultConfigError('faults must be a JSON object');
  const o = input as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new FaultConfigError(`unknown fault option(s): ${unknown.join(', ')}`);
  const out: SimFaults = {};
  for (const k of RATES) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new FaultConfigError(`${k} must be a number from 0 to 1`);
    out[k] = v;
  }
  for (const k of DURATIONS) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 3_600_000) throw new FaultConfigError(`${k} must be a number from 0 to 3600000`);
    out[k] = v;
  }
  if (o.downUntil !== undefined) {
    if (typeof o.downUntil !== 'string' || Number.isNaN(Date.parse(o.downUntil))) throw new FaultConfigError('downUntil must be an ISO date-time');
    out.downUntil = o.downUntil;
  }
  if (o.duplicateAcks !== undefined) {
    if (typeof o.duplicateAcks !== 'boolean') throw new FaultConfigError('duplicateAcks must be true or false');
    out.duplicateAcks = o.duplicateAcks;
  }
  return out;
}

export { seededRandom } from '../lib/random.js';

export class FaultInjector {
  private faults: SimFaults;
  private readonly counts = new Map<FaultKind, number>();

  constructor(
    faults: SimFaults,
    private readonly random: () => number,
    private readonly clock: () => Date,
  ) {
    this.faults = parseFaults(faults);
  }

  /** Replaces the whole set; `{}` clears it. */
  set(faults: SimFaults): void {
    this.faults = parseFaults(faults);
  }

  get(): SimFaults {
    return { ...this.faults };
  }

  /** Faults injected so far by this instance, by kind. */
  counters(): Record<FaultKind, number> {
    return Object.fromEntries(FAULT_KINDS.map((k) => [k, this.counts.get(k) ?? 0])) as Record<FaultKind, number>;
  }

  resetCounters(): void {
    this.counts.clear();
  }

  count(kind: FaultKind, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  isDown(): boolean {
    const until = this.faults.downUntil;
    if (until === undefined || this.clock().getTime() >= Date.parse(until)) return false;
    this.count('down');
    return true;
  }

  /** Draws only for the faults that are set, so unrelated settings do not shift the sequence. */
  private hit(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  decide(request: 'send' | 'lookup'): FaultDecision {
    const f = this.faults;
    const decision: FaultDecision = { action: 'proceed', latencyMs: f.latencyMs ?? 0, retryAfterSeconds: f.retryAfterSeconds ?? 1, drop: false };
    if (decision.latencyMs > 0) this.count('latency');
    if (this.hit(f.errorRate)) {
      this.count('error');
      return { ...decision, action: 'error' };
    }
    if (this.hit(f.rate429)) {
      this.count('rate429');
      return { ...decision, action: 'rate429' };
    }
    if (request === 'send' && this.hit(f.dropRate)) {
      this.count('drop');
      decision.drop = true;
    }
    return decision;
  }

  /** The lookup list with every business answer twice, when `duplicateAcks` is on. */
  duplicateAnswers(replies: Array<{ type: number; xml: string }>): string[] {
    if (!this.faults.duplicateAcks) return replies.map((r) => r.xml);
    const out: string[] = [];
    for (const r of replies) {
      out.push(r.xml);
      if (r.type !== 999) {
        out.push(r.xml);
        this.count('duplicateAcks');
      }
    }
    return out;
  }

  replyDelayMs(fallback: number): number {
    return this.faults.replyDelayMs ?? fallback;
  }
}
