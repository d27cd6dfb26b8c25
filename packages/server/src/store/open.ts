import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatehouseError } from '@gatehouse/core';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { configureSqliteConnection } from '../audit/sqlite-audit-append.js';
import type { Database } from './database.js';
import { KyselyStore } from './kysely-store.js';
import { CodeMigrationProvider, type Dialect } from './migrations.js';
import { ScopedPostgresDialect } from './pg-introspection.js';
import { redactConnectionString } from './redact.js';
import type { Store } from './store.js';

/** Where the store lives: an embedded SQLite file (the default) or PostgreSQL. */
export type StorageConfig =
  | { readonly sqlite: string }
  | { readonly postgres: string; readonly schema?: string };

// PostgreSQL returns int8 as a string to protect precision beyond 2^53;
// every int8 here is an epoch-millisecond time or a counter, well within it.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Opens the store and brings its schema up to date. Several processes may
 * open the same PostgreSQL database at once: Kysely's migration lock lets one
 * migrate while the others wait.
 */
export async function openStore(config: StorageConfig): Promise<Store> {
  const { db, dialect, describe, sqlite } =
    'sqlite' in config ? openSqlite(config.sqlite) : { ...(await openPostgres(config)), sqlite: undefined };
  const migrator = new Migrator({
    db,
    provider: new CodeMigrationProvider(dialect),
    ...('postgres' in config && config.schema !== undefined && { migrationTableSchema: config.schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new GatehouseError('GH_STORE_MIGRATION', `migration ${failed} failed on ${describe}: ${why}`, {
      cause: error,
    });
  }
  return new KyselyStore(db, dialect, describe, sqlite);
}

function openSqlite(path: string): {
  db: Kysely<Database>;
  dialect: Dialect;
  describe: string;
  sqlite: { readonly connection: SqliteDatabase.Database; readonly path: string };
} {
  // 0700: the folder also holds the master key file by default.
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let database: SqliteDatabase.Database;
  try {
    database = new SqliteDatabase(path);
  } catch (err) {
    throw new GatehouseError(
      'GH_STORE_UNAVAILABLE',
      `cannot open SQLite database ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  configureSqliteConnection(database);
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }),
    dialect: 'sqlite',
    describe: `sqlite:${path}`,
    sqlite: { connection: database, path },
  };
}

async function openPostgres(config: {
  postgres: string;
  schema?: string;
}): Promise<{ db: Kysely<Database>; dialect: Dialect; describe: string }> {
  const describe = redactConnectionString(config.postgres);
  if (config.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(config.schema)) {
    throw new GatehouseError(
      'GH_STORE_UNAVAILABLE',
      `schema name '${config.schema}' must be a lower-case SQL identifier`,
    );
  }
  const pool = new pg.Pool({
    connectionString: config.postgres,
    max: 10,
    connectionTimeoutMillis: 5000,
    types: pgTypes,
    ...(config.schema !== undefined && { options: `-c search_path=${config.schema}` }),
  });
  // A pool error (a dropped idle connection) must not crash the process;
  // the next query reports it instead.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      if (config.schema !== undefined) {
        // Two processes creating the schema at once can collide on the
        // catalog's unique index even with `if not exists`; the loser's
        // schema exists all the same.
        await client
          .query(`create schema if not exists ${config.schema}`)
          .catch((err: { code?: unknown }) => {
            if (err.code !== '23505') throw err;
          });
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    const code = (err as { code?: unknown }).code;
    throw new GatehouseError(
      'GH_STORE_UNAVAILABLE',
      `cannot reach PostgreSQL at ${describe}${typeof code === 'string' ? ` (${code})` : ''}`,
      {
        status: 503,
      },
    );
  }
  const db = new Kysely<Database>({ dialect: new ScopedPostgresDialect({ pool }, config.schema) });
  await sql`select 1`.execute(db);
  return { db, dialect: 'postgres', describe };
}
