// Each test file gets its own PostgreSQL database (tap runs files in parallel), migrated by the
// same code as production, and dropped when the file ends.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';

export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestDatabase {
  database: Database;
  url: string;
  name: string;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function freshPostgres(t: Teardown, opts: { poolSize?: number } = {}): Promise<TestDatabase> {
  const name = `hm_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = withDatabase(ADMIN_DATABASE_URL, name);
  const database = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolSize: opts.poolSize });
  await migrateDatabase(database, url);
  t.teardown(async () => {
    await database.close().catch(() => {});
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  });
  return { database, url, name };
}

export async function freshPglite(t: Teardown): Promise<{ database: Database; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hm-pglite-'));
  const database = await openDatabase({ dataDir });
  await migrateDatabase(database);
  t.teardown(async () => {
    await database.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { database, dataDir };
}
