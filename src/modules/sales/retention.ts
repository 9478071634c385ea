// Idempotency keys are only needed while a terminal may still retry: a sale older than the offline
// window is refused anyway. Keys past IDEMPOTENCY_RETENTION_DAYS are deleted in small batches, on a
// schedule in the processes that consume transmission work (one is enough; several are harmless).
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import type { Clock } from '../../deps.js';

const DAY_MS = 86_400_000;
const BATCH = 5_000;

/** Deletes keys created before `before`; returns how many. */
export async function purgeIdempotencyKeys(db: Db, before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await queryRows<{ n: number }>(
      db,
      sql`with gone as (
            delete from idempotency_keys where (terminal_id, key) in (
              select terminal_id, key from idempotency_keys where created_at < ${before.toISOString()}::timestamptz limit ${BATCH})
            returning 1)
          select count(*)::int as n from gone`,
    );
    const n = rows[0]?.n ?? 0;
    total += n;
    if (n < BATCH) return total;
  }
}

export interface Retention {
  runNow(): Promise<number>;
  stop(): Promise<void>;
}

export function startRetention(o: { db: Db; clock: Clock; days: number; intervalMs: number; log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void } }): Retention {
  let running: Promise<number> | undefined;
  const runNow = () => {
    running ??= purgeIdempotencyKeys(o.db, new Date(o.clock().getTime() - o.days * DAY_MS))
      .then((n) => {
        if (n > 0) o.log.info({ deleted: n, days: o.days }, 'old idempotency keys deleted');
        return n;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runNow().catch((err: unknown) => o.log.warn({ err }, 'idempotency retention failed; will retry')), o.intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => 0);
    },
  };
}
