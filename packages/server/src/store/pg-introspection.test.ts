import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { storeDialects, TEST_POSTGRES_URL } from '../testing/dialects.js';
import { openStore } from './open.js';

const { newSchema, cleanup } = storeDialects('gh-pg-introspection');
afterAll(cleanup);

describe('PostgreSQL stores sharing a database', () => {
  it('migrate while other schemas of the database are created and dropped', async () => {
    // Another tenant churning schemas: Kysely's own introspector looked at every schema by name,
    // and one dropped between its catalog read and its privilege check failed the migration.
    const churn = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await churn.connect();
    let churning = true;
    const churned = (async () => {
      let rounds = 0;
      while (churning || rounds < 20) {
        const other = `gh_churn_${randomBytes(5).toString('hex')}`;
        await churn.query(`create schema ${other}`);
        await churn.query(`create table ${other}.t (id int primary key, note text)`);
        await churn.query(`drop schema ${other} cascade`);
        rounds++;
      }
      return rounds;
    })();
    try {
      for (let round = 0; round < 4; round++) {
        const stores = await Promise.all(
          Array.from({ length: 4 }, () => openStore({ postgres: TEST_POSTGRES_URL, schema: newSchema() })),
        );
        for (const store of stores) {
          await store.ping();
          await store.close();
        }
      }
    } finally {
      churning = false;
      expect(await churned).toBeGreaterThanOrEqual(20);
      await churn.end();
    }
  });

  it('sees its own tables only', async () => {
    const schema = newSchema();
    const store = await openStore({ postgres: TEST_POSTGRES_URL, schema });
    const neighbour = await openStore({ postgres: TEST_POSTGRES_URL, schema: newSchema() });
    try {
      const tables = await store.db.introspection.getTables();
      expect(tables.length).toBeGreaterThan(5);
      expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([schema]));
      expect(tables.map((t) => t.name)).toContain('audit_events');
      expect(tables.map((t) => t.name)).not.toContain('kysely_migration');
      const withInternal = await store.db.introspection.getTables({ withInternalKyselyTables: true });
      expect(withInternal.map((t) => t.name)).toEqual(
        expect.arrayContaining(['kysely_migration', 'kysely_migration_lock']),
      );
      expect((await store.db.introspection.getSchemas()).map((s) => s.name)).toEqual([schema]);
    } finally {
      await store.close();
      await neighbour.close();
    }
  });
});
