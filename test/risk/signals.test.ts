// The signals one by one, on hand-made facts: each fires on its pattern, stays quiet on a normal
// business, and says what it saw with its numbers.
import t from 'tap';
import { addDays, startOfBusinessDay } from '../../src/domain/dates.js';
import { judge } from '../../src/modules/risk/engine.js';
import { evaluationWindow, type BusinessFacts } from '../../src/modules/risk/facts.repo.js';
import { hourRanges, median, vnd } from '../../src/modules/risk/format.js';
import { combineScore, RISK_RULES, type Signal } from '../../src/modules/risk/rules.js';
import { lateTransmission, offHoursSales, revenueDrop, sharedBuyerId, silentTerminal } from '../../src/modules/risk/signals.js';

const now = new Date('2026-11-27T15:00:00+07:00');
const w = evaluationWindow(now, RISK_RULES);
const ctx = { w, rules: RISK_RULES };
const HOUR = 3_600_000;

/** A business that sold `perDay(day)` invoices of 100 000 VND (before VAT) a day, at lunch, for 35 days. */
function business(o: Partial<BusinessFacts> & { perDay?: (day: string) => number; id?: string; correctionsPerDay?: number } = {}): BusinessFacts {
  const days = new Map<string, { invoices: number; revenue: number; total: number; late: number; corrections: number }>();
  const hours = { baseline: new Array<number>(24).fill(0), recent: new Array<number>(24).fill(0) };
  for (let k = 0; k <= 35; k++) {
    const day = addDays(w.today, -k);
    const n = o.perDay ? o.perDay(day) : 20;
    days.set(day, { invoices: n, revenue: n * 100_000, total: n * 108_000, late: 0, corrections: o.correctionsPerDay ?? 0 });
    if (k === 0) continue;
    const bucket = day >= w.recentStart ? hours.recent : hours.baseline;
    bucket[11]! += Math.ceil(n / 2);
    bucket[12]! += Math.floor(n / 2);
  }
  return {
    id: o.id ?? 'b1',
    taxCode: '0101243150',
    name: 'Phở Việt',
    provinceCode: '01',
    sector: 'restaurant',
    since: addDays(w.today, -60),
    terminals: 1,
    days,
    hours,
    terminalActivity: [],
    lastHour: new Date(now.getTime() - 2 * HOUR),
    pendingOverdue: 0,
    sharedIds: [],
    ...Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'correctionsPerDay' && k !== 'perDay')),
  };
}

t.test('score: 100 × (1 − Π(1 − weight))', async (t) => {
  const s = (severity: Signal['severity']): Signal => ({ code: 'late_transmission', severity, detail: '', evidence: {} });
  t.equal(combineScore([]), 0);
  t.equal(combineScore([s('low')]), 10);
  t.equal(combineScore([s('high')]), 60);
  t.equal(combineScore([s('high'), s('medium')]), 72);
  t.ok(combineScore([s('high'), s('high'), s('high'), s('high'), s('high')]) <= 100);
});

t.test('formatting for officers', async (t) => {
  t.equal(vnd(1234567), '1.234.567 đ');
  t.equal(hourRanges([18, 11, 12]), '11h–13h, 18h–19h');
  t.equal(median([3, 1, 2, 10]), 2.5);
});

t.test('late transmission', async (t) => {
  t.equal(lateTransmission(business(), ctx), null, 'nothing late');
  const late = business();
  late.days.get(addDays(w.today, -3))!.late = 2;
  t.equal(lateTransmission(late, ctx), null, 'two late invoices are noise');
  late.days.get(addDays(w.today, -4))!.late = 40;
  const s = lateTransmission(late, ctx);
  t.equal(s?.severity, 'medium', '42 of 580 (7 %)');
  t.match(s?.detail, /42 hóa đơn trong 28 ngày qua được chuyển đến cơ quan thuế sau thời hạn/);
  const overdue = lateTransmission(business({ pendingOverdue: 25 }), ctx);
  t.equal(overdue?.severity, 'high');
  t.equal(overdue?.evidence.pendingPastDeadline, 25);
});

t.test('silent terminal', async (t) => {
  const terminal = (name: string, lastDaysAgo: number, invoices: number) => ({
    id: name,
    name,
    invoices,
    firstHour: new Date(now.getTime() - 30 * 24 * HOUR),
    lastHour: new Date(now.getTime() - lastDaysAgo * 24 * HOUR),
  });
  t.equal(silentTerminal(business({ terminalActivity: [terminal('Quầy 1', 0.1, 300)] }), ctx), null, 'issuing');
  t.equal(silentTerminal(business({ terminalActivity: [terminal('Quầy 1', 0.1, 300), terminal('Quầy 2', 5, 20)] }), ctx), null, 'silent, but was hardly used');
  const one = silentTerminal(business({ terminalActivity: [terminal('Quầy 1', 0.1, 300), terminal('Quầy 2', 5, 250)] }), ctx);
  t.equal(one?.severity, 'medium');
  t.match(one?.detail, /«Quầy 2» không lập hóa đơn nào trong 4 ngày/);
  t.equal(one?.evidence.terminalsStillIssuing, 1);
  const all = silentTerminal(business({ terminalActivity: [terminal('Quầy 1', 4, 300)], lastHour: new Date(now.getTime() - 4 * 24 * HOUR) }), ctx);
  t.equal(all?.severity, 'high', 'the whole business stopped issuing while registered');
  t.match(all?.detail, /không còn lập hóa đơn nào nhưng vẫn đang đăng ký hoạt động/);
});

t.test('revenue drop against the same weekdays', async (t) => {
  t.equal(revenueDrop(business(), ctx), null, 'steady');
  const drop = revenueDrop(business({ perDay: (d) => (d >= w.recentStart ? 4 : 20) }), ctx);
  t.equal(drop?.severity, 'high', '80 % down');
  t.equal(drop?.evidence.drop, 0.8);
  t.equal(revenueDrop(business({ perDay: (d) => (d >= w.recentStart ? 12 : 20) }), ctx), null, '40 % down is within the threshold');
  // Weekends are busier: a normal week compared weekday with weekday stays quiet.
  const weekly = (d: string) => ([0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()) ? 60 : 10);
  t.equal(revenueDrop(business({ perDay: weekly }), ctx), null);
  t.equal(revenueDrop(business({ since: addDays(w.today, -10) }), ctx), null, 'too new for a baseline');
});

t.test('sales outside usual hours while the peak hours go quiet', async (t) => {
  t.equal(offHoursSales(business(), ctx), null);
  const b = business();
  b.hours.recent = new Array<number>(24).fill(0);
  b.hours.recent[11] = 10;
  b.hours.recent[23] = 120;
  const s = offHoursSales(b, ctx);
  t.equal(s?.severity, 'high');
  t.match(s?.detail, /ngoài giờ bán hàng thường lệ \(23h–24h/);
  t.equal(s?.evidence.peakHours, '11h–12h', 'the busiest hours holding half the baseline');
});

t.test('a personal ID at implausibly many businesses', async (t) => {
  const shared = (usesHere: number) => business({ sharedIds: [{ ref: 'ab12cd34', businesses: 12, provinces: 5, usesHere }] });
  t.equal(sharedBuyerId(shared(1), ctx, 600), null, 'once here: not this business’s doing');
  t.equal(sharedBuyerId(shared(3), ctx, 600)?.severity, 'medium');
  const high = sharedBuyerId(shared(40), ctx, 600);
  t.equal(high?.severity, 'high');
  t.match(high?.detail, /mã tham chiếu ab12cd34\) đứng tên người mua trên 40 hóa đơn của cơ sở này và xuất hiện tại 12 cơ sở/);
});

t.test('peers: revenue per terminal and aggregated invoices', async (t) => {
  const normal = Array.from({ length: 6 }, (_, i) => business({ id: `n${i}`, perDay: () => 18 + i }));
  const lowRev = business({ id: 'low', terminals: 4, perDay: () => 5 });
  const aggregated = business({ id: 'agg', perDay: () => 1 });
  for (const d of aggregated.days.values()) {
    d.revenue = 2_000_000;
    d.total = 2_160_000;
  }
  const judged = new Map(judge([...normal, lowRev, aggregated], w).map((j) => [j.businessId, j]));
  t.ok(normal.every((b) => judged.get(b.id)!.score === 0), 'the normal businesses are clean');
  const low = judged.get('low')!.signals.find((s) => s.code === 'low_revenue_per_terminal');
  t.equal(low?.severity, 'high', '5 × 100 000 over 4 terminals against ~20 × 100 000 over 1');
  t.match(low?.detail, /cùng ngành tại Hà Nội/);
  const agg = judged.get('agg')!.signals.find((s) => s.code === 'aggregated_invoices');
  t.equal(agg?.severity, 'high');
  t.match(agg?.detail, /gộp nhiều lần bán vào một hóa đơn/);
  // Alone in its province: compared with the sector nationwide.
  const far = judge([...normal, { ...lowRev, provinceCode: '96' }], w).find((j) => j.businessId === 'low')!;
  t.match(far.signals.find((s) => s.code === 'low_revenue_per_terminal')?.detail, /cùng ngành trên cả nước/);
  t.equal(startOfBusinessDay(w.today).getTime() <= now.getTime(), true);
});

t.test('an unusual share of replaced or adjusted invoices', async (t) => {
  // 20 invoices a day; peers correct one invoice in 20 days (0.25 %).
  const peers = Array.from({ length: 6 }, (_, i) => business({ id: `p${i}`, correctionsPerDay: i % 2 === 0 ? 0 : 0.05 }));
  const some = business({ id: 'some', correctionsPerDay: 0.1 }); // 0.5 %: normal
  const many = business({ id: 'many', correctionsPerDay: 2 }); // 10 %: medium
  const most = business({ id: 'most', correctionsPerDay: 5 }); // 25 %: high
  const judged = new Map(judge([...peers, some, many, most], w).map((j) => [j.businessId, j]));
  const signal = (id: string) => judged.get(id)!.signals.find((s) => s.code === 'frequent_corrections');
  t.equal(signal('some'), undefined, 'a few corrections are normal');
  t.ok(peers.every((p) => signal(p.id) === undefined), 'peers are clean');
  t.equal(signal('many')?.severity, 'medium');
  t.equal(signal('most')?.severity, 'high');
  t.match(signal('most')?.detail, /140 hóa đơn thay thế hoặc điều chỉnh, bằng 25% số hóa đơn/);
  t.same(signal('most')?.evidence.corrections, 140);
  // A sector where corrections are common: 10 % is not unusual against peers at 5 %.
  const busyPeers = peers.map((p) => ({ ...p, days: new Map([...p.days].map(([d, f]) => [d, { ...f, corrections: 1 }])) }));
  const relative = judge([...busyPeers, many], w).find((j) => j.businessId === 'many')!;
  t.equal(relative.signals.find((s) => s.code === 'frequent_corrections'), undefined, 'within 3× the peers’ median share');
});
