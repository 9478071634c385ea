// Runs the risk engine (on a schedule and on demand) and serves its latest results. One evaluation
// at a time across all processes: a transaction-level advisory lock, taken by the schedule only if
// free and waited for by an on-demand run. The whole run reads one snapshot and commits at once.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { queryRows, type Db, type Tx } from '../../db/client.js';
import type { Clock } from '../../deps.js';
import { toIsoLocal } from '../../domain/dates.js';
import type { Principal } from '../../plugins/auth.js';
import { isEmptyScope, provinceScope } from '../stats/scope.js';
import { judge } from './engine.js';
import { evaluationWindow, gatherFacts } from './facts.repo.js';
import { latestEvaluation, readScores, storeEvaluation, type RiskItem } from './risk.repo.js';
import { RISK_RULES, type RiskRules } from './rules.js';

/** Arbitrary constant: the advisory-lock key of risk evaluations ('risk'). */
const RISK_LOCK_KEY = 0x72_69_73_6b;

export interface RiskQuery {
  provinceCode?: string;
  minScore?: number;
  limit?: number;
}

export interface RiskList {
  evaluatedAt: string | null;
  items: RiskItem[];
}

export interface EvaluationOutcome {
  id: number;
  evaluatedAt: Date;
  businesses: number;
  flagged: number;
  durationMs: number;
}

export interface RiskServiceDeps {
  db: Db;
  clock: Clock;
  rules?: RiskRules;
}

export function createRiskService(d: RiskServiceDeps) {
  const rules = d.rules ?? RISK_RULES;

  async function run(tx: Tx): Promise<EvaluationOutcome> {
    const started = performance.now();
    const now = d.clock();
    const w = evaluationWindow(now, rules);
    const facts = await gatherFacts(tx, w, rules);
    const judged = judge(facts, w, rules);
    const durationMs = Math.round(performance.now() - started);
    const id = await storeEvaluation(tx, { evaluatedAt: now, businesses: facts.length, durationMs, rules, judged, retentionDays: rules.retentionDays });
    return { id, evaluatedAt: now, businesses: facts.length, flagged: judged.filter((j) => j.score > 0).length, durationMs };
  }

  /** Now, waiting for a run in progress elsewhere to finish first. */
  async function evaluateNow(): Promise<EvaluationOutcome> {
    return d.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${RISK_LOCK_KEY})`);
      return run(tx);
    });
  }

  /** The schedule's run: skipped when another process is evaluating or evaluated less than `minAgeMs` ago. */
  async function evaluateIfDue(minAgeMs: number): Promise<EvaluationOutcome | null> {
    return d.db.transaction(async (tx) => {
      const [lock] = await queryRows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${RISK_LOCK_KEY}) as ok`);
      if (!lock?.ok) return null;
      const last = await latestEvaluation(tx);
      if (last && d.clock().getTime() - last.evaluatedAt.getTime() < minAgeMs) return null;
      return run(tx);
    });
  }

  async function latest(p: Principal, q: RiskQuery): Promise<RiskList> {
    const last = await latestEvaluation(d.db);
    if (!last) return { evaluatedAt: null, items: [] };
    const scope = provinceScope(p, q.provinceCode);
    const items = isEmptyScope(scope) ? [] : await readScores(d.db, last.id, { scope, minScore: q.minScore ?? 1, limit: q.limit ?? 50 });
    return { evaluatedAt: toIsoLocal(last.evaluatedAt), items };
  }

  return { evaluateNow, evaluateIfDue, latest };
}

export type RiskService = ReturnType<typeof createRiskService>;

export interface RiskSchedule {
  stop(): Promise<void>;
}

/**
 * Every `intervalMs`, in consumer processes. The first check comes a minute after start (a fresh
 * deployment gets a list soon); it runs only if the latest evaluation is older than
 * the interval, so restarts and several consumers do not multiply runs.
 */
export function startRiskSchedule(
  svc: Pick<RiskService, 'evaluateIfDue'>,
  o: { intervalMs: number; log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void }; firstCheckMs?: number },
): RiskSchedule {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = svc
      .evaluateIfDue(o.intervalMs * 0.9)
      .then((r) => r && o.log.info({ businesses: r.businesses, flagged: r.flagged, durationMs: r.durationMs }, 'risk evaluation done'))
      .catch((err: unknown) => o.log.warn({ err }, 'risk evaluation failed'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(tick, Math.min(o.intervalMs, o.firstCheckMs ?? 60_000));
  const every = setInterval(tick, o.intervalMs);
  first.unref();
  every.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
