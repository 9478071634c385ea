// `npm run demo:seed -- [--invoices N] [--days D] [--seed S] [--provinces 01,79] [--concurrency C]`
// Loads a demo country into the configured database (DATABASE_URL, or the embedded one in
// DATA_DIR), then runs the risk evaluation so the dashboard has a list at once. Progress on stderr,
// the summary (with the planted businesses) on stdout.
import { pino } from 'pino';
import { closeDeps, createDeps } from '../../deps.js';
import { PROVINCE_CODES } from '../../domain/provinces.js';
import { configOrExit, startOrExit } from '../../lib/process.js';
import { createRiskService } from '../risk/risk.service.js';
import { seedDemo, type SeedOptions, type SeedProgress } from './seed.js';

const USAGE = 'usage: npm run demo:seed -- [--invoices 1000000] [--days 35] [--seed 42] [--provinces 01,79,48] [--concurrency 3]';

function parseArgs(argv: string[]): SeedOptions {
  const o: SeedOptions = { invoices: 1_000_000, days: 35 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const int = (min: number, max: number) => {
      const n = Number(value);
      if (!value || !Number.isInteger(n) || n < min || n > max) fail(`${flag} must be an integer between ${min} and ${max}`);
      i++;
      return n;
    };
    if (flag === '--invoices') o.invoices = int(100, 100_000_000);
    else if (flag === '--days') o.days = int(14, 366);
    else if (flag === '--seed') o.seed = int(1, 2 ** 31 - 1);
    else if (flag === '--concurrency') o.concurrency = int(1, 32);
    else if (flag === '--provinces') {
      const list = (value ?? '').split(',').filter(Boolean);
      if (!list.length || list.some((p) => !(PROVINCE_CODES as readonly string[]).includes(p))) fail('--provinces must list 2-digit province codes, e.g. 01,79');
      o.provinces = list;
      i++;
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${flag}`);
  }
  return o;
}

function fail(message: string): never {
  process.stderr.write(`demo:seed: ${message}\n${USAGE}\n`);
  process.exit(64);
}

const group = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const duration = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${Math.round(s)}s`);

/** A bar redrawn in place on a terminal; one line per 5 % otherwise (logs, CI). */
function progressBar(): (p: SeedProgress) => void {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastDraw = 0;
  let lastStep = -1;
  return (p) => {
    const share = Math.min(1, p.invoices / Math.max(p.expected, 1));
    const now = Date.now();
    if (tty ? now - lastDraw < 200 && p.businesses < p.totalBusinesses : Math.floor(share * 20) === lastStep) return;
    lastDraw = now;
    lastStep = Math.floor(share * 20);
    const rate = p.invoices / Math.max((now - started) / 1000, 0.001);
    const eta = rate > 0 ? Math.max(0, p.expected - p.invoices) / rate : 0;
    const width = 30;
    const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░');
    const line = `[${bar}] ${(share * 100).toFixed(1).padStart(5)}% ${group(p.invoices)}/${group(p.expected)} invoices · ${p.businesses}/${p.totalBusinesses} businesses · ${group(rate)}/s · ETA ${duration(eta)}`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
}

startOrExit('demo:seed', async () => {
  const options = parseArgs(process.argv.slice(2));
  // This process loads data: no first-start demo load, no scheduled evaluation of half a country.
  const config = { ...configOrExit('demo:seed'), demoData: undefined };
  const deps = await createDeps(config, { log: pino({ level: 'warn' }) });
  await deps.risk?.stop();
  try {
    process.stderr.write(`demo:seed: about ${group(options.invoices)} invoices over ${options.days} days into ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}\n`);
    if (options.days < 35) process.stderr.write('demo:seed: with fewer than 35 days, patterns judged against 4 weeks of history may not show\n');
    const manifest = await seedDemo(deps, { ...options, onProgress: progressBar() });
    process.stderr.write('\n');
    const risk = await createRiskService({ db: deps.database.db, clock: deps.clock }).evaluateNow();
    const rate = manifest.invoices / (manifest.durationMs / 1000);
    process.stdout.write(
      [
        `Seeded ${group(manifest.invoices)} invoices for ${manifest.businesses} businesses, ${manifest.firstDay} → ${manifest.today} (seed ${manifest.seed}) in ${duration(manifest.durationMs / 1000)} (${group(rate)}/s).`,
        `Risk evaluation: ${risk.flagged} of ${risk.businesses} businesses flagged in ${risk.durationMs} ms.`,
        'Planted revenue-loss patterns:',
        ...manifest.planted.map((p) => `  ${p.signal.padEnd(26)} ${p.taxCode}  ${p.name} (${p.provinceCode})`),
        '',
      ].join('\n'),
    );
  } finally {
    await closeDeps(deps);
  }
});
