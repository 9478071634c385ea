// Builds the real app over a fresh database with a test config. Fakes only at the edges
// (clock, authority), passed in through deps.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import type { Clock, Deps } from '../../src/deps.js';
import { freshPostgres, type TestDatabase } from './db.js';

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return parseConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    LOOKUP_KEY: `v1:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://gateway.test',
    ...env,
  });
}

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  db: TestDatabase;
}

export async function buildTestApp(
  t: { teardown(fn: () => unknown): void },
  opts: { env?: Record<string, string | undefined>; clock?: Clock } = {},
): Promise<TestApp> {
  const db = await freshPostgres(t);
  const config = testConfig({ ...opts.env, DATABASE_URL: db.url });
  const deps: Deps = { config, database: db.database, clock: opts.clock ?? (() => new Date()) };
  const app = await buildApp(deps);
  t.teardown(() => app.close());
  return { app, deps, db };
}
