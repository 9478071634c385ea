// The database handle: drizzle over postgres.js when DATABASE_URL is set, over PGlite (embedded
// PostgreSQL compiled to WASM) in DATA_DIR otherwise. Everything above this file sees one `Db` type.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { AnyColumn, SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle: the same query API as `Db`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Connections per process (postgres.js). */
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(opts.databaseUrl, {
      max: opts.poolSize ?? 10,
      onnotice: () => {},
      connect_timeout: 5,
      // Seconds before the n-th reconnect: capped at 1 s (the driver's default grows to 20 s, so the
      // first requests after a database restart waited up to 18 s; issue 12's fault suite).
      backoff: (n: number) => Math.min(0.05 * 2 ** n, 1),
      // Prepared statements are cached per connection; safe behind a session-mode pooler.
      prepare: true,
      // Plan every execution for its values and the tables as they are now: a generic plan made
      // while a table was small (a sequential scan) would stay with the connection as it grows.
      // Statements kept prepared (preparedRows, .prepare()) still skip parsing and describing.
      connection: { plan_cache_mode: 'force_custom_plan' },
    });
    const db = drizzle({ client, schema, casing: 'snake_case' }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const dir = path.join(opts.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const db = drizzle({ client, schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}

/** Rows of a raw query, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T = Record<string, unknown>>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export { sql };

type Internal = {
  dialect: { sqlToQuery(q: SQL): unknown };
  session: { prepareQuery(q: unknown, fields: undefined, name: string, arrayMode: boolean): { execute(): Promise<unknown> } };
};

/**
 * Rows of a raw statement kept prepared on its connection. drizzle runs `execute(sql)` unnamed,
 * and postgres.js then parses, describes (one more round trip) and plans it every time: for the
 * statements of every sale that is most of their cost. Only for statements whose text does not
 * vary (values as parameters): postgres.js keeps each text prepared for the life of a connection.
 * PGlite runs it as any query.
 */
export async function preparedRows<T = Record<string, unknown>>(db: DbOrTx, name: string, query: SQL): Promise<T[]> {
  const d = db as unknown as Internal;
  const result = (await d.session.prepareQuery(d.dialect.sqlToQuery(query), undefined, name, false).execute()) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * `column = any(ids)` with the ids as one jsonb parameter: the statement's text does not vary with
 * their number. An array, not `in (select …)`: the planner guesses 100 rows for a set-returning
 * function and would hash-join a sequential scan of the whole table.
 */
export const inIds = (column: SQL | AnyColumn, ids: readonly string[]): SQL =>
  sql`${column} = any(array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid))`;
