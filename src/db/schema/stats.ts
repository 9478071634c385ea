// Statistics rollups, risk evaluations and the demo-data marker.
//
// Rollups are kept incrementally inside the transaction that issues an invoice
// (src/modules/stats/rollups.ts), so they never disagree with the invoices they count. Every level
// is keyed by business or by one of its terminals: the issuing transaction already holds that
// business's number sequence, so the upserts add no contention between businesses. Province and
// country figures are summed at query time over the (province_code, time) indexes.
import { bigint, bigserial, date, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** The signed sums every rollup row keeps (fresh builders for each table). */
const sums = () => ({
  invoices: integer('invoices').notNull().default(0),
  /** Σ before_vat (TgTCThue). */
  revenue: bigint('revenue', { mode: 'number' }).notNull().default(0),
  /** Σ vat (TgTThue). */
  vat: bigint('vat', { mode: 'number' }).notNull().default(0),
  /** Σ total (TgTTTBSo). */
  total: bigint('total', { mode: 'number' }).notNull().default(0),
});

/** What the business rows (hourly, daily) count besides. */
const businessCounts = () => ({
  /** Invoices of the row accepted by the authority after their deadline. */
  late: integer('late').notNull().default(0),
  /** Replacement and adjustment invoices issued in the row (by their own issue time). */
  replacements: integer('replacements').notNull().default(0),
  adjustments: integer('adjustments').notNull().default(0),
});

/**
 * Per business and hour of issue. Money is signed: an adjustment adds its signed amounts, a
 * replacement subtracts its original (see rollups.ts).
 */
export const statsHourly = pgTable(
  'stats_hourly',
  {
    businessId: uuid('business_id').notNull(),
    /** Start of the hour of issue (Asia/Ho_Chi_Minh hours coincide with UTC hours). */
    hourStart: timestamp('hour_start', { withTimezone: true }).notNull(),
    provinceCode: text('province_code').notNull(),
    ...sums(),
    ...businessCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.hourStart] }),
    index('stats_hourly_province_idx').on(t.provinceCode, t.hourStart),
    index('stats_hourly_hour_idx').on(t.hourStart),
  ],
);

/** Per terminal and hour of issue (invoices issued through a terminal only), same sums. */
export const statsTerminalHourly = pgTable(
  'stats_terminal_hourly',
  {
    terminalId: uuid('terminal_id').notNull(),
    hourStart: timestamp('hour_start', { withTimezone: true }).notNull(),
    businessId: uuid('business_id').notNull(),
    ...sums(),
  },
  (t) => [primaryKey({ columns: [t.terminalId, t.hourStart] }), index('stats_terminal_hourly_hour_idx').on(t.hourStart)],
);

/** Per business and business date (date of issue, Asia/Ho_Chi_Minh): what day and month series read. */
export const statsDaily = pgTable(
  'stats_daily',
  {
    businessId: uuid('business_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    provinceCode: text('province_code').notNull(),
    ...sums(),
    ...businessCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.day] }),
    index('stats_daily_province_idx').on(t.provinceCode, t.day),
    index('stats_daily_day_idx').on(t.day),
  ],
);

/** One run of the risk engine; `rules` are the thresholds it used, for explaining old results. */
export const riskEvaluations = pgTable(
  'risk_evaluations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    evaluatedAt: timestamp('evaluated_at', { withTimezone: true }).notNull(),
    businesses: integer('businesses').notNull(),
    flagged: integer('flagged').notNull(),
    durationMs: integer('duration_ms').notNull(),
    rules: jsonb('rules').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('risk_evaluations_at_idx').on(t.evaluatedAt.desc())],
);

export interface StoredSignal {
  code: string;
  severity: 'low' | 'medium' | 'high';
  detail: string;
  evidence: Record<string, number | string>;
}

/** The businesses an evaluation scored above 0, with their signals (names as at evaluation time). */
export const riskScores = pgTable(
  'risk_scores',
  {
    evaluationId: bigint('evaluation_id', { mode: 'number' })
      .notNull()
      .references(() => riskEvaluations.id, { onDelete: 'cascade' }),
    businessId: uuid('business_id').notNull(),
    taxCode: text('tax_code').notNull(),
    name: text('name').notNull(),
    provinceCode: text('province_code').notNull(),
    score: smallint('score').notNull(),
    signals: jsonb('signals').$type<StoredSignal[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.evaluationId, t.businessId] }), index('risk_scores_rank_idx').on(t.evaluationId, t.score.desc())],
);

/** Demo data sets loaded into this database (DEMO_DATA=small loads once). */
export const demoSeeds = pgTable('demo_seeds', {
  name: text('name').primaryKey(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  manifest: jsonb('manifest').$type<Record<string, unknown>>(),
});
