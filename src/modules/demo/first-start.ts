// DEMO_DATA=small: the small demo country, loaded once per database at the gateway's first start,
// in the background (the gateway answers meanwhile and its numbers grow), then a risk evaluation.
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.js';
import { demoSeeds } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { createRiskService } from '../risk/risk.service.js';
import { seedDemo, SMALL_DEMO } from './seed.js';

export interface DemoLoad {
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * DEMO_DATA=small: loads the small set once per database, in the background, then evaluates risk.
 * A load interrupted by a shutdown is not resumed (its marker stays): `npm run demo:seed` adds more.
 */
export function startDemoLoad(deps: Deps, preset: 'small'): DemoLoad {
  const abort = new AbortController();
  const log = deps.log.child({ component: 'demo' });
  const done = (async () => {
    const db = deps.database.db;
    const [claimed] = await queryRows<{ name: string }>(
      db,
      sql`insert into demo_seeds (name, started_at) values (${preset}, ${deps.clock().toISOString()}::timestamptz) on conflict (name) do nothing returning name`,
    );
    if (!claimed) return log.info({ preset }, 'demo data already loaded in this database');
    log.info({ preset, invoices: SMALL_DEMO.invoices, days: SMALL_DEMO.days }, 'loading demo data (first start only)');
    let shown = 0;
    const manifest = await seedDemo(deps, {
      ...SMALL_DEMO,
      signal: abort.signal,
      onProgress: (p) => {
        const tenth = Math.floor((10 * p.invoices) / Math.max(p.expected, 1));
        if (tenth > shown) log.info({ invoices: p.invoices, businesses: p.businesses }, `demo data ${Math.min(100, (shown = tenth) * 10)}%`);
      },
    });
    await db
      .update(demoSeeds)
      .set({ finishedAt: deps.clock(), manifest: manifest as unknown as Record<string, unknown> })
      .where(sql`${demoSeeds.name} = ${preset}`);
    await createRiskService({ db, clock: deps.clock }).evaluateNow();
    log.info({ businesses: manifest.businesses, invoices: manifest.invoices, planted: manifest.planted.length, ms: manifest.durationMs }, 'demo data loaded');
  })().catch((err: unknown) => {
    if (abort.signal.aborted) log.warn({}, 'demo data load interrupted by shutdown; it will not resume');
    else log.error({ err }, 'demo data load failed');
  });
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
