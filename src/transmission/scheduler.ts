// When to run the transmission processors. Two implementations of one interface: BullMQ jobs on
// Redis (several workers), or timers in this process (embedded mode). Either way the database is
// the guarantee against duplicates; a job only says "look at this now", and the reconciler
// re-creates any job that was lost.
import type { Redis } from 'ioredis';
import { Queue, Worker, type Job } from 'bullmq';

export interface Processors {
  batch(key: string): Promise<void>;
  message(messageId: string, step: number): Promise<void>;
}

export interface Scheduler {
  /** Look at this batch key at `dueAt`; calls within one window collapse into one job. */
  batch(key: string, dueAt: Date, reason?: string): Promise<void>;
  /** Advance this message (at this step) after `delayMs`. */
  message(messageId: string, step: number, delayMs: number): Promise<void>;
  close(): Promise<void>;
}

export const QUEUE_NAME = 'hoadon-transmission';

/** Nothing waits longer than this in a queue: the reconciler re-creates later work when it is due. */
const MAX_DELAY_MS = 3_600_000;
const clampDelay = (ms: number): number => Math.min(MAX_DELAY_MS, Math.max(0, ms));

/** A job due sooner than this may be running already: ask Redis again. */
const ADDED_MARGIN_MS = 100;

/** Job ids: one batch job per key and time window, one message job per step. BullMQ forbids ':'. */
export function batchJobId(key: string, dueAt: Date, windowMs: number, now: number, reason?: string): { id: string; delayMs: number } {
  if (reason) return { id: `b_${key}_${reason}`, delayMs: clampDelay(dueAt.getTime() - now) };
  const w = Math.max(1000, windowMs);
  const bucket = Math.ceil(dueAt.getTime() / w) * w;
  return { id: `b_${key}_${bucket}`, delayMs: clampDelay(bucket - now) };
}
export const messageJobId = (messageId: string, step: number): string => `m_${messageId}_${step}`;

type JobData = { kind: 'batch'; key: string } | { kind: 'message'; messageId: string; step: number };

/** Embedded mode: timers and a small concurrency limit, in this process. */
export function inProcessScheduler(processors: () => Processors, opts: { windowMs: number; concurrency?: number; onError?: (err: unknown) => void }): Scheduler {
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const waiting: Array<() => void> = [];
  const limit = opts.concurrency ?? 4;
  let closed = false;

  const acquire = async () => {
    while (running.size >= limit) await new Promise<void>((r) => waiting.push(r));
  };
  const run = (id: string, data: JobData, delayMs: number) => {
    if (closed || timers.has(id)) return;
    const timer = setTimeout(async () => {
      await acquire();
      timers.delete(id);
      if (closed) return;
      const p = (data.kind === 'batch' ? processors().batch(data.key) : processors().message(data.messageId, data.step))
        .catch((err) => opts.onError?.(err))
        .finally(() => {
          running.delete(p);
          waiting.shift()?.();
        });
      running.add(p);
    }, clampDelay(delayMs));
    timer.unref();
    timers.set(id, timer);
  };

  return {
    async batch(key, dueAt, reason) {
      const { id, delayMs } = batchJobId(key, dueAt, opts.windowMs, Date.now(), reason);
      run(id, { kind: 'batch', key }, delayMs);
    },
    async message(messageId, step, delayMs) {
      run(messageJobId(messageId, step), { kind: 'message', messageId, step }, delayMs);
    },
    async close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

/** Producer side of BullMQ: any process may enqueue. Never blocks a request on a Redis outage. */
export function bullmqScheduler(connection: Redis, opts: { windowMs: number; prefix?: string; enqueueTimeoutMs?: number; onError?: (err: unknown) => void }): Scheduler & { queue: Queue } {
  const queue = new Queue<JobData>(QUEUE_NAME, { connection, prefix: opts.prefix });
  /** True once Redis has the job. */
  const add = async (id: string, data: JobData, delayMs: number): Promise<boolean> => {
    const job = queue.add(data.kind, data, { jobId: id, delay: clampDelay(delayMs), removeOnComplete: true, removeOnFail: true, attempts: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('enqueue timed out')), opts.enqueueTimeoutMs ?? 1000);
    });
    try {
      await Promise.race([job, timeout]);
      return true;
    } catch (err) {
      // The reconciler will find the work in the database; the caller must not fail for this.
      opts.onError?.(err);
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  // Every issued invoice asks for its batch job, and all of a window ask for the same one: a job
  // this process added that is not due yet is there already (BullMQ would ignore the duplicate
  // id anyway; this saves the round trip). Should Redis have lost it, the reconciler restores it.
  const added = new Map<string, number>();
  const remember = (id: string, dueAtMs: number): void => {
    if (added.size >= 10_000) for (const [k, due] of added) if (due <= Date.now()) added.delete(k);
    added.set(id, dueAtMs);
  };
  return {
    queue,
    async batch(key, dueAt, reason) {
      const now = Date.now();
      const { id, delayMs } = batchJobId(key, dueAt, opts.windowMs, now, reason);
      if (reason) return void (await add(id, { kind: 'batch', key }, delayMs));
      if ((added.get(id) ?? 0) > now + ADDED_MARGIN_MS) return;
      if (await add(id, { kind: 'batch', key }, delayMs)) remember(id, now + delayMs);
    },
    async message(messageId, step, delayMs) {
      await add(messageJobId(messageId, step), { kind: 'message', messageId, step }, delayMs);
    },
    async close() {
      await queue.close();
    },
  };
}

/** Consumer side of BullMQ: only worker processes (or a gateway told RUN_WORKERS=true). */
export function bullmqWorker(connection: Redis, processors: Processors, opts: { concurrency?: number; prefix?: string; onError?: (err: unknown) => void }): Worker<JobData> {
  const worker = new Worker<JobData>(
    QUEUE_NAME,
    async (job: Job<JobData>) => {
      const d = job.data;
      if (d.kind === 'batch') await processors.batch(d.key);
      else await processors.message(d.messageId, d.step);
    },
    { connection, concurrency: opts.concurrency ?? 8, prefix: opts.prefix },
  );
  worker.on('error', (err) => opts.onError?.(err));
  return worker;
}
