import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { StorageConfig } from '../store/index.js';

/** PostgreSQL of this machine and CI: 127.0.0.1:5432, trust auth, database `test`. */
export const TEST_POSTGRES_URL =
  process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Store configurations for a `describe.each` over both dialects: a fresh SQLite file or a fresh
 * PostgreSQL schema per call, so tests never share state. `cleanup` drops everything made.
 */
export function storeDialects(prefix: string): {
  dialects: [string, () => StorageConfig][];
  /** A directory removed by `cleanup`. */
  tempDir: string;
  /** A PostgreSQL schema name, dropped by `cleanup`. */
  newSchema: () => string;
  cleanup: () => Promise<void>;
} {
  const tempDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const schemas: string[] = [];
  const newSchema = () => {
    const schema = `gh_test_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  const dialects: [string, () => StorageConfig][] = [
    ['sqlite', () => ({ sqlite: join(tempDir, `${randomBytes(4).toString('hex')}.db`) })],
    ['postgres', () => ({ postgres: TEST_POSTGRES_URL, schema: newSchema() })],
  ];
  const cleanup = async () => {
    rmSync(tempDir, { recursive: true, force: true });
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  };
  return { dialects, tempDir, newSchema, cleanup };
}

/** A direct connection to a store's database, bypassing Gatehouse: the attacker with database access. */
export async function rawDatabase(config: StorageConfig): Promise<{
  exec(statement: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}> {
  if ('sqlite' in config) {
    const db = new SqliteDatabase(config.sqlite);
    db.pragma('busy_timeout = 5000');
    return {
      async exec(statement, params = []) {
        db.prepare(statement).run(...params);
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({
    connectionString: config.postgres,
    ...(config.schema !== undefined && { options: `-c search_path=${config.schema}` }),
  });
  await client.connect();
  return {
    async exec(statement, params = []) {
      let i = 0;
      await client.query(
        statement.replace(/\?/g, () => `$${++i}`),
        params,
      );
    },
    close: () => client.end(),
  };
}

/** Makes every insert into the audit table fail, as a full disk would. */
export async function refuseAuditWrites(config: StorageConfig): Promise<void> {
  const db = await rawDatabase(config);
  try {
    if ('sqlite' in config) {
      await db.exec(
        "create trigger refuse_audit before insert on audit_events begin select raise(abort, 'disk full'); end",
      );
    } else {
      await db.exec(
        "create or replace function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'disk full'; end $$",
      );
      await db.exec(
        'create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()',
      );
    }
  } finally {
    await db.close();
  }
}
