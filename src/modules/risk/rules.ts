// Every threshold of the risk engine, in one place. Each evaluation stores the rules it used, so an
// old result can still be explained after a threshold changes. Days are business dates in
// Asia/Ho_Chi_Minh; "recent" and "baseline" never include today, which is not over yet.
//
// Score: each signal has a severity; a business's score is 100 × (1 − Π(1 − weight)) over its
// signals, so one high signal gives 60, high + medium 72, and the score never passes 100.
export const RISK_RULES = {
  severityWeight: { low: 0.1, medium: 0.3, high: 0.6 },

  /** Recent = the last `recentDays` complete days; baseline = the `baselineWeeks` weeks before them. */
  window: { recentDays: 7, baselineWeeks: 4, peerDays: 28 },

  /** Invoices accepted after their deadline (midnight after their date) or still pending past it, over `peerDays`. */
  late: {
    /** Fewer late invoices than this is noise (an outage, a clock). */
    minCount: 3,
    /** Share of the period's invoices: medium from here… */
    mediumShare: 0.05,
    /** …high from here. */
    highShare: 0.2,
    /** Pending past the deadline right now: medium from this many, high from `pendingHigh`. */
    pendingMedium: 3,
    pendingHigh: 20,
  },

  /** A terminal that used to issue and stopped, while its business stays registered. */
  silentTerminal: {
    /** Silent for at least this many days (counted from its last invoice to now). */
    silentDays: 3,
    /** Only terminals that issued at least this many invoices a day before falling silent. */
    minDailyBefore: 2,
    /** High when every active terminal of the business fell silent, or after this many days. */
    highDays: 7,
  },

  /** Recent revenue against the same weekdays of the baseline weeks. */
  revenueDrop: {
    /** Baseline invoices needed to judge. */
    minBaselineInvoices: 40,
    /** Recent revenue at most (1 − drop) of the expected one. */
    mediumDrop: 0.5,
    highDrop: 0.75,
  },

  /** Comparisons with peers: businesses of the same sector in the same province (else nationwide). */
  peers: {
    /** Fewer peers than this in the province: compare with the sector nationwide. */
    minPeers: 5,
    /** Peers and businesses with fewer invoices over `peerDays` take no part. */
    minInvoices: 20,
  },

  /** Pre-VAT revenue per registered terminal and day over `peerDays`, against the peers' median. */
  lowRevenuePerTerminal: { mediumRatio: 0.25, highRatio: 0.1 },

  /** Sales outside the business's usual hours while its peak hours go quiet (recent vs baseline). */
  offHours: {
    /** An hour of the day is usual when it held at least this share of the baseline invoices. */
    usualHourShare: 0.02,
    /** Peak hours: the busiest hours holding together this share of the baseline invoices. */
    peakCoverage: 0.5,
    minBaselineInvoices: 100,
    minRecentInvoices: 20,
    /** Recent share of invoices outside usual hours, at least this and `riseBy` above the baseline share… */
    mediumOffShare: 0.15,
    highOffShare: 0.3,
    riseBy: 0.1,
    /** …while the peak hours hold at most this share of what the baseline expects. */
    mediumPeakRatio: 0.4,
    highPeakRatio: 0.2,
  },

  /** Few invoices with very large totals: the average invoice against the peers' median. */
  aggregatedInvoices: {
    /** Average total per invoice at least this many times the peers' median… */
    mediumTicketRatio: 5,
    highTicketRatio: 10,
    /** …with at most this share of the peers' median number of invoices a day. */
    maxCountRatio: 0.3,
  },

  /** One personal ID as buyer at implausibly many businesses over `peerDays`. */
  sharedBuyerId: {
    /** Distinct businesses where the same ID bought. */
    minBusinesses: 8,
    /** Invoices with that ID at this business: from 2 the business is named… */
    minUsesHere: 2,
    /** …high from this many, or from `highShareHere` of its invoices. */
    highUsesHere: 10,
    highShareHere: 0.1,
  },

  /**
   * Replacement and adjustment invoices over `peerDays`, as a share of the invoices issued: many
   * corrections can hide sales taken back after the guest paid.
   */
  corrections: {
    /** Fewer corrections than this is noise. */
    minCount: 5,
    /** Share from which it is unusual… */
    mediumShare: 0.05,
    highShare: 0.15,
    /** …and at least this many times the peers' median share (when there are peers). */
    peerMultiple: 3,
  },

  /** Evaluations kept; older ones are deleted. */
  retentionDays: 30,
} as const;

export type RiskRules = typeof RISK_RULES;
export type Severity = 'low' | 'medium' | 'high';

export const SIGNAL_CODES = [
  'late_transmission',
  'silent_terminal',
  'revenue_drop',
  'low_revenue_per_terminal',
  'off_hours_sales',
  'aggregated_invoices',
  'shared_buyer_id',
  'frequent_corrections',
] as const;
export type SignalCode = (typeof SIGNAL_CODES)[number];

export interface Signal {
  code: SignalCode;
  severity: Severity;
  /** One sentence for a tax officer, in Vietnamese. */
  detail: string;
  /** The numbers behind the sentence. */
  evidence: Record<string, number | string>;
}

export function combineScore(signals: readonly Signal[], rules: RiskRules = RISK_RULES): number {
  const clean = signals.reduce((p, s) => p * (1 - rules.severityWeight[s.severity]), 1);
  return Math.round(100 * (1 - clean));
}
