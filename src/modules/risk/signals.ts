// The seven revenue-loss signals, as pure functions of a business's facts (and of its peers where
// the signal compares). Each returns a sentence a tax officer reads and the numbers behind it, or
// null when the business looks normal. Thresholds: rules.ts.
import { addDays } from '../../domain/dates.js';
import type { BusinessFacts, EvaluationWindow } from './facts.repo.js';
import { hourRanges, pct, ratio, vnd, vnDate, vnHour } from './format.js';
import type { RiskRules, Severity, Signal } from './rules.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Ctx {
  w: EvaluationWindow;
  rules: RiskRules;
}

/** Figures over the `peerDays` complete days before today, counting only days since activation. */
export interface PeriodFigures {
  days: number;
  invoices: number;
  revenue: number;
  total: number;
  late: number;
  corrections: number;
}

export function period(f: BusinessFacts, ctx: Ctx): PeriodFigures {
  const out: PeriodFigures = { days: 0, invoices: 0, revenue: 0, total: 0, late: 0, corrections: 0 };
  for (let k = 1; k <= ctx.rules.window.peerDays; k++) {
    const day = addDays(ctx.w.today, -k);
    if (day < f.since) continue;
    out.days++;
    const d = f.days.get(day);
    if (!d) continue;
    out.invoices += d.invoices;
    out.revenue += d.revenue;
    out.total += d.total;
    out.late += d.late;
    out.corrections += d.corrections;
  }
  return out;
}

export function lateTransmission(f: BusinessFacts, ctx: Ctx): Signal | null {
  const r = ctx.rules.late;
  const p = period(f, ctx);
  const late = p.late + (f.days.get(ctx.w.today)?.late ?? 0);
  const invoices = p.invoices + (f.days.get(ctx.w.today)?.invoices ?? 0);
  const overdue = f.pendingOverdue;
  const count = late + overdue;
  if (count < r.minCount) return null;
  const share = count / Math.max(invoices, 1);
  const severity: Severity =
    share >= r.highShare || overdue >= r.pendingHigh ? 'high' : share >= r.mediumShare || overdue >= r.pendingMedium ? 'medium' : 'low';
  const parts: string[] = [];
  if (late > 0) parts.push(`${late} hóa đơn trong ${ctx.rules.window.peerDays} ngày qua được chuyển đến cơ quan thuế sau thời hạn`);
  if (overdue > 0) parts.push(`${overdue} hóa đơn đã quá hạn nhưng vẫn chưa được cơ quan thuế tiếp nhận`);
  return {
    code: 'late_transmission',
    severity,
    detail: `${capitalise(parts.join('; '))} (${pct(share)} số hóa đơn của kỳ).`,
    evidence: { lateAccepted: late, pendingPastDeadline: overdue, invoices, share: ratio(share) },
  };
}

export function silentTerminal(f: BusinessFacts, ctx: Ctx): Signal | null {
  const r = ctx.rules.silentTerminal;
  const now = ctx.w.now.getTime();
  const silent: Array<{ name: string; days: number; dailyBefore: number; last: Date }> = [];
  let stillIssuing = 0;
  for (const t of f.terminalActivity) {
    const lastEnd = t.lastHour.getTime() + HOUR_MS;
    const days = (now - lastEnd) / DAY_MS;
    const activeDays = Math.max(1, Math.ceil((lastEnd - t.firstHour.getTime()) / DAY_MS));
    const dailyBefore = t.invoices / activeDays;
    if (days >= r.silentDays && dailyBefore >= r.minDailyBefore) silent.push({ name: t.name, days: Math.floor(days), dailyBefore, last: t.lastHour });
    else if (days < r.silentDays) stillIssuing++;
  }
  if (silent.length === 0) return null;
  const businessSilent = !f.lastHour || (now - f.lastHour.getTime() - HOUR_MS) / DAY_MS >= r.silentDays;
  const longest = Math.max(...silent.map((s) => s.days));
  const severity: Severity = businessSilent || longest >= r.highDays ? 'high' : 'medium';
  const names = silent.map((s) => `«${s.name}»`).join(', ');
  const first = silent[0]!;
  const dailyBefore = silent.reduce((a, s) => a + s.dailyBefore, 0);
  const what =
    silent.length === 1
      ? `Máy tính tiền ${names} không lập hóa đơn nào trong ${first.days} ngày (lần cuối ${vnHour(first.last)}), trước đó trung bình ${Math.round(first.dailyBefore)} hóa đơn/ngày`
      : `${silent.length} máy tính tiền (${names}) không lập hóa đơn nào trong ít nhất ${Math.min(...silent.map((s) => s.days))} ngày, trước đó cộng lại trung bình ${Math.round(dailyBefore)} hóa đơn/ngày`;
  const context = businessSilent
    ? 'cơ sở không còn lập hóa đơn nào nhưng vẫn đang đăng ký hoạt động'
    : `${stillIssuing} máy khác của cơ sở vẫn lập hóa đơn`;
  return {
    code: 'silent_terminal',
    severity,
    detail: `${what}; ${context}.`,
    evidence: { silentTerminals: silent.length, silentDays: longest, invoicesPerDayBefore: ratio(dailyBefore), terminalsStillIssuing: stillIssuing },
  };
}

export function revenueDrop(f: BusinessFacts, ctx: Ctx): Signal | null {
  const r = ctx.rules.revenueDrop;
  const { recentDays, baselineWeeks } = ctx.rules.window;
  let recent = 0;
  let expected = 0;
  let baselineInvoices = 0;
  let weeksUsed = 0;
  for (let k = 1; k <= recentDays; k++) {
    const day = addDays(ctx.w.today, -k);
    recent += f.days.get(day)?.revenue ?? 0;
    let sum = 0;
    let n = 0;
    for (let wk = 1; wk <= baselineWeeks; wk++) {
      const same = addDays(day, -7 * wk);
      if (same < f.since) continue;
      const d = f.days.get(same);
      sum += d?.revenue ?? 0;
      baselineInvoices += d?.invoices ?? 0;
      n++;
    }
    if (n > 0) expected += sum / n;
    weeksUsed = Math.max(weeksUsed, n);
  }
  if (weeksUsed < 2 || baselineInvoices < r.minBaselineInvoices || expected <= 0) return null;
  const drop = 1 - recent / expected;
  if (drop < r.mediumDrop) return null;
  const from = addDays(ctx.w.today, -recentDays);
  const to = addDays(ctx.w.today, -1);
  return {
    code: 'revenue_drop',
    severity: drop >= r.highDrop ? 'high' : 'medium',
    detail:
      `Doanh thu chưa thuế ${recentDays} ngày gần nhất (${vnDate(from)}–${vnDate(to)}) là ${vnd(recent)}, chỉ bằng ${pct(recent / expected)} ` +
      `mức thường có của cùng các ngày trong tuần ở ${weeksUsed} tuần trước đó (${vnd(expected)}).`,
    evidence: { recentRevenue: Math.round(recent), expectedRevenue: Math.round(expected), drop: ratio(drop), baselineWeeks: weeksUsed },
  };
}

export interface PeerFigure {
  /** The peers' median of the same measure. */
  median: number;
  peers: number;
  /** "cùng ngành tại Hà Nội" or "cùng ngành trên cả nước". */
  label: string;
}

export function lowRevenuePerTerminal(f: BusinessFacts, ctx: Ctx, own: number, peer: PeerFigure | null): Signal | null {
  const r = ctx.rules.lowRevenuePerTerminal;
  if (!peer || peer.median <= 0) return null;
  const x = own / peer.median;
  if (x > r.mediumRatio) return null;
  const terminals = Math.max(1, f.terminals);
  return {
    code: 'low_revenue_per_terminal',
    severity: x <= r.highRatio ? 'high' : 'medium',
    detail:
      `Doanh thu chưa thuế bình quân mỗi máy tính tiền là ${vnd(own)}/ngày (${terminals} máy đăng ký), chỉ bằng ${pct(x)} ` +
      `trung vị của ${peer.peers} cơ sở ${peer.label} (${vnd(peer.median)}/ngày).`,
    evidence: { revenuePerTerminalDay: Math.round(own), peerMedian: Math.round(peer.median), ratio: ratio(x), terminals, peers: peer.peers },
  };
}

export function aggregatedInvoices(
  ctx: Ctx,
  own: { avgTotal: number; perDay: number; invoices: number },
  ticket: PeerFigure | null,
  count: PeerFigure | null,
): Signal | null {
  const r = ctx.rules.aggregatedInvoices;
  if (!ticket || !count || ticket.median <= 0 || count.median <= 0 || own.invoices < 5) return null;
  const ticketRatio = own.avgTotal / ticket.median;
  const countRatio = own.perDay / count.median;
  if (ticketRatio < r.mediumTicketRatio || countRatio > r.maxCountRatio) return null;
  return {
    code: 'aggregated_invoices',
    severity: ticketRatio >= r.highTicketRatio ? 'high' : 'medium',
    detail:
      `Bình quân mỗi hóa đơn ${vnd(own.avgTotal)}, gấp ${Math.round(ticketRatio)} lần trung vị của ${ticket.peers} cơ sở ${ticket.label} (${vnd(ticket.median)}), ` +
      `trong khi chỉ lập ${formatPerDay(own.perDay)} hóa đơn/ngày (trung vị ${formatPerDay(count.median)}): dấu hiệu gộp nhiều lần bán vào một hóa đơn.`,
    evidence: {
      averageTotal: Math.round(own.avgTotal),
      peerMedianTotal: Math.round(ticket.median),
      invoicesPerDay: ratio(own.perDay),
      peerMedianPerDay: ratio(count.median),
      ticketRatio: ratio(ticketRatio),
    },
  };
}

export function offHoursSales(f: BusinessFacts, ctx: Ctx): Signal | null {
  const r = ctx.rules.offHours;
  const { baseline, recent } = f.hours;
  const B = baseline.reduce((a, b) => a + b, 0);
  const R = recent.reduce((a, b) => a + b, 0);
  if (B < r.minBaselineInvoices || R < r.minRecentInvoices) return null;
  const usual = baseline.map((n) => n / B >= r.usualHourShare);
  const offRecent = recent.reduce((a, n, h) => a + (usual[h] ? 0 : n), 0) / R;
  const offBase = baseline.reduce((a, n, h) => a + (usual[h] ? 0 : n), 0) / B;
  const peak: number[] = [];
  let covered = 0;
  for (const h of [...baseline.keys()].sort((a, b) => baseline[b]! - baseline[a]!)) {
    if (covered >= r.peakCoverage * B) break;
    peak.push(h);
    covered += baseline[h]!;
  }
  const { recentDays, baselineWeeks } = ctx.rules.window;
  // The baseline is shorter for a business active since less than `baselineWeeks`.
  const baselineDays = Math.min(7 * baselineWeeks, daysBetween(maxDate(f.since, ctx.w.start), ctx.w.recentStart));
  if (baselineDays <= 0) return null;
  const expectedPeak = (covered * recentDays) / baselineDays;
  const peakRatio = peak.reduce((a, h) => a + recent[h]!, 0) / Math.max(expectedPeak, 1);
  if (offRecent < r.mediumOffShare || offRecent < offBase + r.riseBy || peakRatio > r.mediumPeakRatio) return null;
  const offHours = recent.map((n, h) => (!usual[h] && n > 0 ? h : -1)).filter((h) => h >= 0);
  return {
    code: 'off_hours_sales',
    severity: offRecent >= r.highOffShare && peakRatio <= r.highPeakRatio ? 'high' : 'medium',
    detail:
      `Trong ${recentDays} ngày qua, ${pct(offRecent)} hóa đơn được lập ngoài giờ bán hàng thường lệ (${hourRanges(offHours)}; trước đây ${pct(offBase)}), ` +
      `trong khi các giờ cao điểm (${hourRanges(peak)}) chỉ còn ${pct(peakRatio)} số hóa đơn thường có: dấu hiệu bán hàng không lập hóa đơn ngay rồi lập dồn ngoài giờ.`,
    evidence: { offHoursShare: ratio(offRecent), baselineOffHoursShare: ratio(offBase), peakHoursRatio: ratio(peakRatio), recentInvoices: R, peakHours: hourRanges(peak) },
  };
}

export function sharedBuyerId(f: BusinessFacts, ctx: Ctx, invoices: number): Signal | null {
  const r = ctx.rules.sharedBuyerId;
  const named = f.sharedIds.filter((s) => s.usesHere >= r.minUsesHere).sort((a, b) => b.usesHere - a.usesHere);
  const top = named[0];
  if (!top) return null;
  const high = top.usesHere >= r.highUsesHere || top.usesHere / Math.max(invoices, 1) >= r.highShareHere;
  const more = named.length > 1 ? ` (và ${named.length - 1} số định danh khác cùng dạng)` : '';
  return {
    code: 'shared_buyer_id',
    severity: high ? 'high' : 'medium',
    detail:
      `Cùng một số định danh cá nhân (mã tham chiếu ${top.ref}) đứng tên người mua trên ${top.usesHere} hóa đơn của cơ sở này và xuất hiện tại ` +
      `${top.businesses} cơ sở kinh doanh ở ${top.provinces} tỉnh, thành phố trong ${ctx.rules.window.peerDays} ngày${more}.`,
    evidence: { idRef: top.ref, usesHere: top.usesHere, businesses: top.businesses, provinces: top.provinces, ids: named.length },
  };
}

/** An unusual share of replaced or adjusted invoices, against the business's peers when it has some. */
export function frequentCorrections(ctx: Ctx, p: PeriodFigures, peers: PeerFigure | null): Signal | null {
  const r = ctx.rules.corrections;
  if (p.corrections < r.minCount) return null;
  const share = p.corrections / Math.max(p.invoices, 1);
  if (share < r.mediumShare) return null;
  if (peers && share < r.peerMultiple * peers.median) return null;
  const against = peers ? `, gấp ${formatPerDay(share / Math.max(peers.median, 0.001))} lần mức trung vị ${pct(peers.median)} của ${peers.peers} cơ sở ${peers.label}` : '';
  return {
    code: 'frequent_corrections',
    severity: share >= r.highShare ? 'high' : 'medium',
    detail:
      `Trong ${ctx.rules.window.peerDays} ngày qua, cơ sở đã lập ${p.corrections} hóa đơn thay thế hoặc điều chỉnh, bằng ${pct(share)} số hóa đơn${against}: ` +
      'dấu hiệu hủy bỏ doanh thu sau khi đã thu tiền của khách.',
    evidence: { corrections: p.corrections, invoices: p.invoices, share: ratio(share), ...(peers ? { peerMedianShare: ratio(peers.median), peers: peers.peers } : {}) },
  };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const formatPerDay = (x: number): string => (x >= 10 ? String(Math.round(x)) : x.toFixed(1).replace('.', ','));
const maxDate = (a: string, b: string): string => (a > b ? a : b);
const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
