// The shape of bench/results/load-*.json and growth-*.json: what the run measured, read back by
// the --report step that writes docs/benchmarks.md. Times in milliseconds unless named otherwise.
import type { ProfileSummary } from './profile.js';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** `npm run bench:stats`: statistics and risk reads at a number of stored invoices (issue 9). */
export interface StatsResult {
  kind: 'stats';
  at: string;
  machine: { cpuModel: string; cores: number; loadAvgStart: number; loadAvgEnd: number; node: string; postgres: string };
  /** Invoices the rollups stand for, of which `issued` went through the issuing service. */
  invoices: number;
  issued: number;
  synthetic: number;
  hourlyRows: number;
  dailyRows: number;
  databaseBytes: number;
  risk: { businesses: number; flagged: number; durationMs: number };
  runs: number;
  requests: Array<{ name: string; p50: number; p95: number; max: number }>;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
  postgres: string;
  redis: string;
  /** 1-minute load average when the run started and ended (a loaded machine shows > cores). */
  loadAvgStart: number;
  loadAvgEnd: number;
}

/** CPU used during a stage, in % of one core (200 % = both cores of a 2-core machine). */
export interface CpuShare {
  gateway: number;
  worker: number;
  simulator: number;
  /** PostgreSQL backends of the gateway's database (gateway, worker). */
  postgres: number;
  /** PostgreSQL backends of the simulator's database (the real authority is elsewhere). */
  postgresSim: number;
  loadGenerator: number;
  /** Everything else on the machine (other engineers' work, Redis, the kernel). */
  others: number;
  /** The whole machine, busy share of all cores. */
  machineBusyPct: number;
}

export interface Acceptance {
  invoices: number;
  accepted: number;
  rejected: number;
  unfinished: number;
  /** From issued_at to accepted_at, seconds. */
  p50s: number | null;
  p95s: number | null;
  p99s: number | null;
  maxs: number | null;
  /** Accepted invoices ÷ (last accepted_at − stage start). */
  acceptedPerSec: number | null;
  drainSeconds: number;
  /** Where the time to acceptance goes, in seconds (p50 / p99 over the stage's invoices). */
  pipeline: {
    /** 206 messages that carried the stage's invoices, and invoices per message. */
    messages: number;
    invoicesPerMessage: number | null;
    /** Issue → its 206 message built and signed (batching window + queue). */
    toMessage: { p50: number | null; p99: number | null };
    /** Message built → the authority's 999 in hand (queue wait, HTTP, the authority's intake checks). */
    toTakenIn: { p50: number | null; p99: number | null };
    /** Taken in → accepted (the authority's answer delay + polling back-off). */
    toAccepted: { p50: number | null; p99: number | null };
  };
}

/** What the load driver measures of one stage of requests. */
export interface DriveResult {
  sent: number;
  ok: number;
  /** 2xx answers ÷ seconds from the stage start to the last answer. */
  okPerSec: number;
  errors: Record<string, number>;
  errorSamples: Record<string, string>;
  /** POST /v1/sales, from the intended send time (open) or the send (closed). */
  latency: LatencySummary;
  /** How late the generator sent compared to its schedule (its own saturation shows here). */
  sendLag: { p99: number; max: number };
  maxInFlight: number;
  startedAt: Date;
}

export interface StageResult extends Omit<DriveResult, 'startedAt'> {
  name: string;
  /** open: requests fire on a fixed schedule; closed: `concurrency` terminals each wait for their answer. */
  kind: 'open' | 'closed';
  offeredPerSec: number | null;
  concurrency: number | null;
  seconds: number;
  acceptance: Acceptance;
  cpu: CpuShare;
  /** Largest VmRSS seen during the stage, MiB. */
  rssMiB: { gateway: number; worker: number; simulator: number };
  /** hoadon_invoices_pending from the gateway's /metrics at the end of the stage (before the drain). */
  pendingAtEnd: number | null;
}

export interface StorageResult {
  invoices: number;
  totalBytes: number;
  /** All tables ÷ invoices: fixed costs (businesses, empty index pages) included. */
  bytesPerInvoice: number;
  /** (All tables now − before the first sale) ÷ invoices: what each further invoice costs. */
  marginalBytesPerInvoice: number;
  baseline: { invoices: number; totalBytes: number };
  /** Invoices table alone (heap + TOAST + indexes). */
  invoiceTableBytesPerInvoice: number;
  avgXmlBytes: number;
  avgXmlStoredBytes: number;
  /** Per table; `reusableBytes` = free space + dead row versions in heap and TOAST (pgstattuple), null without the extension. */
  tables: Array<{ table: string; bytes: number; indexBytes: number; reusableBytes: number | null }>;
  /** (All tables − reusable space − before the first sale) ÷ added invoices: the cost once freed space is reused by later rows. */
  liveBytesPerInvoice: number | null;
}

export interface LoadResult {
  kind: 'load';
  startedAt: string;
  finishedAt: string;
  note: string;
  machine: Machine;
  settings: {
    businesses: number;
    terminalsPerBusiness: number;
    stageSeconds: number;
    stages: string[];
    maxConcurrency: number;
    batchMaxAgeMs: number;
    simReplyDelayMs: number;
    pollBaseMs: number;
    drainSeconds: number;
    timeoutSeconds: number;
    maxInFlight: number;
    profiled: boolean;
  };
  rawSign: { threads: number; seconds: number; signsPerSec: number; perThread: number[] };
  stages: StageResult[];
  /** Best okPerSec of a stage with ≤ 1 % errors whose invoices were all accepted after the drain. */
  sustained: { perSec: number; stage: string } | null;
  ratioToRawSign: number | null;
  peakRssMiB: { gateway: number; worker: number; simulator: number };
  storage: StorageResult;
  /** With --profile: where gateway and worker spent their CPU over the whole run. */
  profiles: ProfileSummary[];
  chart: { svg: string; png: string | null };
}

export interface GrowthPoint {
  stored: number;
  seedSeconds: number;
  ingest: { seconds: number; concurrency: number; ok: number; okPerSec: number; errors: Record<string, number>; latency: LatencySummary };
  reads: Array<{ name: string; path: string; latency: LatencySummary }>;
  databaseBytes: number;
  bytesPerInvoice: number;
}

export interface GrowthResult {
  kind: 'growth';
  startedAt: string;
  finishedAt: string;
  note: string;
  machine: Machine;
  settings: { sizes: number[]; businesses: number; terminalsPerBusiness: number; ingestSeconds: number; concurrency: number; queries: number };
  points: GrowthPoint[];
  skipped: string[];
}
