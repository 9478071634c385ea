// Command line of `npm run bench`. Every option has a default that runs the full benchmark; the
// short development run is e.g. `npm run bench -- --stage-seconds 8 --stages 50,150,300,max`.

export interface BenchOptions {
  mode: 'load' | 'growth' | 'report';
  /** --report [file]: the result file to write docs from (default: the newest of each kind). */
  reportFiles: string[];
  stageSeconds: number;
  /** Offered sales/s per stage, or "max" (closed loop at `maxConcurrency`). */
  stages: string[];
  businesses: number;
  terminals: number;
  maxConcurrency: number;
  drainSeconds: number;
  batchMaxAgeMs: number;
  simReplyDelayMs: number;
  pollBaseMs: number;
  rsaSeconds: number;
  /** A POS gives up on an answer after this long (counted as an error). */
  timeoutSeconds: number;
  /** Open loop: requests beyond this many unanswered ones are counted as errors, not sent. */
  maxInFlight: number;
  /** CPU profiles of gateway and worker (--cpu-prof), summarised into the result. */
  profile: boolean;
  growthSizes: number[];
  growthSeconds: number;
  growthQueries: number;
  outDir: string;
  keep: boolean;
  chart: boolean;
  /** Free text stored with the result (load conditions); shown in the docs. */
  note: string;
  databaseUrl: string;
  redisUrl: string;
}

export const USAGE = `usage: npm run bench -- [options]
  --mode load|growth        load (default): stages of POS traffic; growth: cost as data grows
  --report [result.json]    write docs/benchmarks.md from the newest results (or the given files)
  --stage-seconds N         length of each stage (default 20)
  --stages LIST             offered sales/s, "max" = closed loop (default 100,300,500,1000,max)
  --businesses N            registered through the API (default 20)
  --terminals N             per business (default 5)
  --max-concurrency N       terminals in flight in the "max" stage (default 64)
  --drain-seconds N         wait after a stage for its invoices to be accepted (default 90)
  --batch-age-ms N          BATCH_MAX_AGE_MS of gateway and worker (default 1000)
  --reply-delay-ms N        simulator's answer delay (default 50)
  --poll-base-ms N          POLL_BASE_MS (default 200)
  --rsa-seconds N           raw RSA-2048 signing measurement (default 3)
  --timeout-seconds N       a terminal gives up on an answer after N s (default 30)
  --max-in-flight N         open loop: unanswered requests beyond N count as errors (default 1000)
  --profile                 CPU-profile gateway and worker (slower; pair with --out bench/results/profiled,
                            where --report looks for it), summarised in the result
  --growth-sizes LIST       stored invoices before each growth point (default 0,100000,1000000)
  --growth-seconds N        ingestion window per growth point (default 15)
  --growth-queries N        requests per read endpoint per growth point (default 40)
  --out DIR                 results directory (default bench/results)
  --note TEXT               load conditions to record (e.g. "shared machine, tests running")
  --no-chart                skip the chart
  --keep                    keep the databases and Redis keys
Environment: DATABASE_URL (server to create databases on), REDIS_URL.`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, min = 1): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseArgs(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const o: BenchOptions = {
    mode: 'load',
    reportFiles: [],
    stageSeconds: 20,
    stages: ['100', '300', '500', '1000', 'max'],
    businesses: 20,
    terminals: 5,
    maxConcurrency: 64,
    drainSeconds: 90,
    batchMaxAgeMs: 1000,
    simReplyDelayMs: 50,
    pollBaseMs: 200,
    rsaSeconds: 3,
    timeoutSeconds: 30,
    maxInFlight: 1000,
    profile: false,
    growthSizes: [0, 100_000, 1_000_000],
    growthSeconds: 15,
    growthQueries: 40,
    outDir: 'bench/results',
    keep: false,
    chart: true,
    note: '',
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--mode': {
        const m = value();
        if (m !== 'load' && m !== 'growth') throw new UsageError(`--mode must be load or growth, got ${m}`);
        o.mode = m;
        break;
      }
      case '--report':
        o.mode = 'report';
        while (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) o.reportFiles.push(argv[++i]!);
        break;
      case '--stage-seconds': o.stageSeconds = positiveInt('stage-seconds', value()); break;
      case '--stages': o.stages = parseStages(value()); break;
      case '--businesses': o.businesses = positiveInt('businesses', value()); break;
      case '--terminals': o.terminals = positiveInt('terminals', value()); break;
      case '--max-concurrency': o.maxConcurrency = positiveInt('max-concurrency', value()); break;
      case '--drain-seconds': o.drainSeconds = positiveInt('drain-seconds', value()); break;
      case '--batch-age-ms': o.batchMaxAgeMs = positiveInt('batch-age-ms', value(), 0); break;
      case '--reply-delay-ms': o.simReplyDelayMs = positiveInt('reply-delay-ms', value(), 0); break;
      case '--poll-base-ms': o.pollBaseMs = positiveInt('poll-base-ms', value(), 10); break;
      case '--rsa-seconds': o.rsaSeconds = positiveInt('rsa-seconds', value()); break;
      case '--timeout-seconds': o.timeoutSeconds = positiveInt('timeout-seconds', value()); break;
      case '--max-in-flight': o.maxInFlight = positiveInt('max-in-flight', value()); break;
      case '--profile': o.profile = true; break;
      case '--growth-sizes': o.growthSizes = value().split(',').map((s) => positiveInt('growth-sizes', s.trim().replace(/_/g, ''), 0)); break;
      case '--growth-seconds': o.growthSeconds = positiveInt('growth-seconds', value()); break;
      case '--growth-queries': o.growthQueries = positiveInt('growth-queries', value()); break;
      case '--out': o.outDir = value(); break;
      case '--note': o.note = value(); break;
      case '--no-chart': o.chart = false; break;
      case '--keep': o.keep = true; break;
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  o.growthSizes = [...new Set(o.growthSizes)].sort((a, b) => a - b);
  return o;
}

function parseStages(raw: string): string[] {
  const stages = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (stages.length === 0) throw new UsageError('--stages needs at least one stage');
  for (const s of stages) if (s !== 'max') positiveInt('stages', s);
  return stages;
}
