// Judges every business from its facts: its own history, and its peers (same sector in the same
// province, or nationwide when the province has too few). Pure: the same facts always give the
// same scores.
import type { BusinessFacts, EvaluationWindow } from './facts.repo.js';
import { median, provinceLabel } from './format.js';
import { combineScore, RISK_RULES, type RiskRules, type Signal } from './rules.js';
import {
  aggregatedInvoices,
  frequentCorrections,
  lateTransmission,
  lowRevenuePerTerminal,
  offHoursSales,
  period,
  revenueDrop,
  sharedBuyerId,
  silentTerminal,
  type Ctx,
  type PeerFigure,
} from './signals.js';

export interface Judged {
  businessId: string;
  taxCode: string;
  name: string;
  provinceCode: string;
  score: number;
  signals: Signal[];
}

interface Measures {
  id: string;
  province: string;
  sector: string;
  eligible: boolean;
  invoices: number;
  revenuePerTerminalDay: number;
  avgTotal: number;
  perDay: number;
  correctionShare: number;
}

type MeasureKey = 'revenuePerTerminalDay' | 'avgTotal' | 'perDay' | 'correctionShare';

/** Peers of a business for a measure: its province's sector if large enough, else the sector nationwide. */
function peerIndex(all: Measures[], rules: RiskRules) {
  const groups = new Map<string, Measures[]>();
  for (const m of all) {
    if (!m.eligible) continue;
    for (const key of [`${m.sector}|${m.province}`, `${m.sector}|*`]) {
      const g = groups.get(key) ?? [];
      g.push(m);
      groups.set(key, g);
    }
  }
  return (m: Measures, measure: MeasureKey): PeerFigure | null => {
    for (const [key, label] of [
      [`${m.sector}|${m.province}`, `cùng ngành tại ${provinceLabel(m.province)}`],
      [`${m.sector}|*`, 'cùng ngành trên cả nước'],
    ] as const) {
      const peers = (groups.get(key) ?? []).filter((p) => p.id !== m.id);
      if (peers.length >= rules.peers.minPeers) return { median: median(peers.map((p) => p[measure])), peers: peers.length, label };
    }
    return null;
  };
}

export function judge(facts: readonly BusinessFacts[], w: EvaluationWindow, rules: RiskRules = RISK_RULES): Judged[] {
  const ctx: Ctx = { w, rules };
  const periods = new Map(facts.map((f) => [f.id, period(f, ctx)]));
  const measures = facts.map((f): Measures => {
    const p = periods.get(f.id)!;
    const days = Math.max(p.days, 1);
    return {
      id: f.id,
      province: f.provinceCode,
      sector: f.sector,
      // A week of history at least; peers need enough invoices to be a reference.
      eligible: p.days >= 7 && p.invoices >= rules.peers.minInvoices,
      invoices: p.invoices,
      revenuePerTerminalDay: p.revenue / Math.max(1, f.terminals) / days,
      avgTotal: p.invoices > 0 ? p.total / p.invoices : 0,
      perDay: p.invoices / days,
      correctionShare: p.corrections / Math.max(p.invoices, 1),
    };
  });
  const peersOf = peerIndex(measures, rules);
  return facts.map((f, i) => {
    const m = measures[i]!;
    const p = periods.get(f.id)!;
    const judged = p.days >= 7;
    const signals = [
      lateTransmission(f, ctx),
      silentTerminal(f, ctx),
      revenueDrop(f, ctx),
      judged ? lowRevenuePerTerminal(f, ctx, m.revenuePerTerminalDay, peersOf(m, 'revenuePerTerminalDay')) : null,
      offHoursSales(f, ctx),
      judged ? aggregatedInvoices(ctx, m, peersOf(m, 'avgTotal'), peersOf(m, 'perDay')) : null,
      sharedBuyerId(f, ctx, p.invoices),
      frequentCorrections(ctx, p, judged ? peersOf(m, 'correctionShare') : null),
    ].filter((s): s is Signal => s !== null);
    return { businessId: f.id, taxCode: f.taxCode, name: f.name, provinceCode: f.provinceCode, score: combineScore(signals, rules), signals };
  });
}
