// Builds the real app over a fresh database with a test config. Fakes only at the edges
// (clock, authority faults), passed in through deps.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import { closeDeps, createDeps, type Deps, type DepsOverrides } from '../../src/deps.js';
import { freshPglite, freshPostgres, type TestDatabase } from './db.js';

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return parseConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    LOOKUP_KEY: `v1:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://gateway.test',
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    ...env,
  });
}

export interface TestDeps {
  deps: Deps;
  db: TestDatabase;
}

type Teardown = { teardown(fn: () => unknown): void };

/** Deps over a fresh database; the built-in simulator plays the authority unless AUTHORITY_URL is set. */
type TestOptions = { env?: Record<string, string | undefined>; /** Embedded PostgreSQL instead of the server. */ pglite?: boolean } & DepsOverrides;

export async function buildTestDeps(t: Teardown, opts: TestOptions = {}): Promise<TestDeps> {
  const { env, pglite, ...overrides } = opts;
  const db: TestDatabase = pglite
    ? { ...(await freshPglite(t)), url: '', name: 'pglite' }
    : await freshPostgres(t);
  const config = testConfig({ ...env, DATABASE_URL: pglite ? undefined : db.url });
  const deps = await createDeps(config, {
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    simulator: { replyDelayMs: 0, ...overrides.simulator },
    ...overrides,
    database: db.database,
  });
  t.teardown(() => closeDeps(deps));
  return { deps, db };
}

export interface TestApp extends TestDeps {
  app: FastifyInstance;
}

export async function buildTestApp(t: Teardown, opts: TestOptions = {}): Promise<TestApp> {
  const built = await buildTestDeps(t, opts);
  const app = await buildApp(built.deps);
  t.teardown(() => app.close());
  return { app, ...built };
}
