// Stored risk evaluations: one row per run, one per business it scored above 0.
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { riskEvaluations, riskScores, type StoredSignal } from '../../db/schema/index.js';
import type { ProvinceScope } from '../stats/scope.js';
import type { Judged } from './engine.js';

export interface RiskItem {
  taxCode: string;
  name: string;
  score: number;
  signals: StoredSignal[];
}

export async function storeEvaluation(
  db: DbOrTx,
  e: { evaluatedAt: Date; businesses: number; durationMs: number; rules: object; judged: Judged[]; retentionDays: number },
): Promise<number> {
  const flagged = e.judged.filter((j) => j.score > 0);
  const [row] = await db
    .insert(riskEvaluations)
    .values({ evaluatedAt: e.evaluatedAt, businesses: e.businesses, flagged: flagged.length, durationMs: e.durationMs, rules: e.rules as Record<string, unknown> })
    .returning({ id: riskEvaluations.id });
  const id = row!.id;
  for (let i = 0; i < flagged.length; i += 500) {
    await db.insert(riskScores).values(
      flagged.slice(i, i + 500).map((j) => ({
        evaluationId: id,
        businessId: j.businessId,
        taxCode: j.taxCode,
        name: j.name,
        provinceCode: j.provinceCode,
        score: j.score,
        signals: j.signals,
      })),
    );
  }
  // Scores go with their evaluation (on delete cascade).
  await db.delete(riskEvaluations).where(lt(riskEvaluations.evaluatedAt, new Date(e.evaluatedAt.getTime() - e.retentionDays * 86_400_000)));
  return id;
}

export async function latestEvaluation(db: DbOrTx): Promise<{ id: number; evaluatedAt: Date } | undefined> {
  const [row] = await db
    .select({ id: riskEvaluations.id, evaluatedAt: riskEvaluations.evaluatedAt })
    .from(riskEvaluations)
    .orderBy(desc(riskEvaluations.evaluatedAt), desc(riskEvaluations.id))
    .limit(1);
  return row;
}

export async function readScores(db: DbOrTx, evaluationId: number, q: { scope: ProvinceScope; minScore: number; limit: number }): Promise<RiskItem[]> {
  const where = [eq(riskScores.evaluationId, evaluationId), gte(riskScores.score, Math.max(1, q.minScore))];
  if (q.scope.kind === 'provinces') where.push(inArray(riskScores.provinceCode, q.scope.provinces));
  return db
    .select({ taxCode: riskScores.taxCode, name: riskScores.name, score: riskScores.score, signals: riskScores.signals })
    .from(riskScores)
    .where(and(...where))
    .orderBy(desc(riskScores.score), sql`${riskScores.taxCode}`)
    .limit(q.limit);
}
