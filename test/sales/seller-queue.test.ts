// The per-seller queue on its own: a seller's jobs take turns, what queued during a turn goes in
// the next one together, sellers do not wait for each other, and failures stay with their jobs.
import t from 'tap';
import { createSellerQueue, type Settled } from '../../src/modules/sales/seller-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

t.test('jobs queued during a turn go together in the next; sellers run side by side', async (t) => {
  const turns: Array<{ seller: string; jobs: number[] }> = [];
  let running = 0;
  let overlapSameSeller = false;
  const active = new Set<string>();
  const q = createSellerQueue<number, number>(async (seller, jobs) => {
    if (active.has(seller)) overlapSameSeller = true;
    active.add(seller);
    running++;
    turns.push({ seller, jobs });
    await tick();
    running--;
    active.delete(seller);
    return jobs.map((j): Settled<number> => ({ ok: true, value: j * 10 }));
  }, 3);
  const first = q.submit('a', 1);
  const rest = [2, 3, 4, 5].map((j) => q.submit('a', j));
  const other = q.submit('b', 9);
  t.equal(q.busy, 2);
  t.same(await Promise.all([first, ...rest, other]), [10, 20, 30, 40, 50, 90]);
  t.same(
    turns.filter((x) => x.seller === 'a').map((x) => x.jobs),
    [[1], [2, 3, 4], [5]],
    'the first alone, then up to three at a time, in order',
  );
  t.notOk(overlapSameSeller, 'one turn at a time per seller');
  t.equal(running, 0);
  t.equal(q.busy, 0, 'idle sellers are forgotten');
});

t.test('a failed job fails alone; a failed turn fails its jobs only', async (t) => {
  let calls = 0;
  const q = createSellerQueue<number, number>(async (_seller, jobs) => {
    calls++;
    await tick();
    if (jobs.includes(13)) throw new Error('database down');
    return jobs.map((j): Settled<number> => (j % 2 ? { ok: true, value: j } : { ok: false, error: new Error(`even ${j}`) }));
  }, 2);
  const a = q.submit('s', 1);
  const b = q.submit('s', 13);
  const c = q.submit('s', 4);
  const d = q.submit('s', 7);
  t.equal(await a, 1);
  await t.rejects(b, /database down/);
  await t.rejects(c, /database down/, 'the same turn as 13');
  t.equal(await d, 7, 'the next turn runs');
  await t.rejects(q.submit('s', 2), /even 2/);
  t.equal(calls, 4);
});
