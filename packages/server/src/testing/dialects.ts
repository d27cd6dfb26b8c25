import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
