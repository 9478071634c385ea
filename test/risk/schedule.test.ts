// The risk schedule: a first check soon after start, then every interval, one run at a time, and
// nothing after stop() (which waits for a run in progress).
import t from 'tap';
import { startRiskSchedule } from '../../src/modules/risk/risk.service.js';

const log = { info: () => {}, warn: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('runs on schedule, never twice at once, and stops', async (t) => {
  let calls = 0;
  let running = 0;
  let overlap = false;
  const minAges: number[] = [];
  const schedule = startRiskSchedule(
    {
      async evaluateIfDue(minAgeMs) {
        minAges.push(minAgeMs);
        calls++;
        if (running++) overlap = true;
        await sleep(70);
        running--;
        return null;
      },
    },
    { intervalMs: 40, firstCheckMs: 5, log },
  );
  await sleep(260);
  await schedule.stop();
  const after = calls;
  t.ok(after >= 2, `ran ${after} times`);
  t.notOk(overlap, 'a tick during a run is skipped');
  t.ok(minAges.every((m) => m === 36), 'skips when another process evaluated within 90 % of the interval');
  await sleep(120);
  t.equal(calls, after, 'nothing after stop()');
});

t.test('a failed run is logged and the schedule goes on', async (t) => {
  let calls = 0;
  const warnings: string[] = [];
  const schedule = startRiskSchedule(
    {
      async evaluateIfDue() {
        calls++;
        throw new Error('database down');
      },
    },
    { intervalMs: 30, firstCheckMs: 5, log: { info: () => {}, warn: (_o, msg) => warnings.push(msg) } },
  );
  await sleep(120);
  await schedule.stop();
  t.ok(calls >= 2);
  t.equal(warnings[0], 'risk evaluation failed');
});
