// Sales of one seller take turns anyway (gap-free numbering holds the seller's counters until
// commit), so a process queues them itself instead of letting each hold a pooled connection while
// it waits for the lock. A queue serves a lane of sellers (sales.service.ts): whatever queued
// while a turn ran goes together in the next, several sellers in one transaction, one commit (one
// WAL flush) for them all. Across processes the locks in the database still decide; this only
// keeps a process from queueing inside PostgreSQL.

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * `run` handles a turn's jobs and settles each (a job may fail alone); if it throws, every job of
 * the turn fails with that error.
 */
export function createSellerQueue<J, R>(run: (key: string, jobs: J[]) => Promise<Array<Settled<R>>>, maxPerTurn: number) {
  type Waiting = { job: J; resolve: (r: R) => void; reject: (e: unknown) => void };
  const queues = new Map<string, Waiting[]>();

  async function drain(key: string, waiting: Waiting[]): Promise<void> {
    while (waiting.length > 0) {
      const turn = waiting.splice(0, maxPerTurn);
      try {
        const results = await run(
          key,
          turn.map((w) => w.job),
        );
        turn.forEach((w, i) => {
          const r = results[i];
          if (!r) w.reject(new Error('seller queue: a job got no result'));
          else if (r.ok) w.resolve(r.value);
          else w.reject(r.error);
        });
      } catch (err) {
        for (const w of turn) w.reject(err);
      }
    }
    queues.delete(key);
  }

  return {
    submit(key: string, job: J): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        const waiting = queues.get(key);
        if (waiting) {
          waiting.push({ job, resolve, reject });
          return;
        }
        const fresh: Waiting[] = [{ job, resolve, reject }];
        queues.set(key, fresh);
        void drain(key, fresh);
      });
    },
    /** Sellers with work queued or running (for tests and metrics). */
    get busy(): number {
      return queues.size;
    },
  };
}
