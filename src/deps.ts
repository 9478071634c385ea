// The one composition root: everything a process needs, built from the config and closed in
// reverse order. Tests build the same object with their own database and clock.
import { Redis } from 'ioredis';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';

export type Clock = () => Date;

export interface Deps {
  config: Config;
  database: Database;
  redis?: Redis;
  clock: Clock;
}

export interface DepsOverrides {
  clock?: Clock;
  database?: Database;
}

export function connectRedis(url: string): Redis {
  // BullMQ workers need maxRetriesPerRequest null; producers fail fast instead of hanging a request.
  return new Redis(url, { maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
}

export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const database = overrides.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  if (!overrides.database) await migrateDatabase(database, config.databaseUrl);
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  return { config, database, redis, clock: overrides.clock ?? (() => new Date()) };
}

export async function closeDeps(deps: Deps): Promise<void> {
  if (deps.redis) await deps.redis.quit().catch(() => deps.redis?.disconnect());
  await deps.database.close();
}
