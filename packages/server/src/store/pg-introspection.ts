import {
  type DatabaseIntrospector,
  type DatabaseMetadataOptions,
  type Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';
import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE } from 'kysely/migration';

/** The migrator's own tables, listed only when asked for. */
const KYSELY_TABLES: ReadonlySet<string> = new Set([DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE]);

/**
 * What the migrator asks of the database (does my schema exist, do my tables), answered from the
 * store's own schema only.
 *
 * Kysely's PostgreSQL introspector lists the tables of every schema and calls
 * `has_schema_privilege(name, …)` on each schema's name: a schema that another tenant of the same
 * database drops meanwhile fails the whole statement with "schema … does not exist", and with it
 * this store's migration. Scoping the question to one schema removes the race.
 */
export class SchemaScopedIntrospector implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    /** The store's schema; `undefined` means the connection's `current_schema()`. */
    private readonly schema: string | undefined,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`
      select nspname as name from pg_catalog.pg_namespace where nspname = ${this.scope()}`.execute(this.db);
    return rows.map((r) => ({ name: r.name }));
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; kind: string; schema: string }>`
      select c.relname as name, c.relkind as kind, ns.nspname as schema
      from pg_catalog.pg_class c join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = ${this.scope()} and c.relkind in ('r', 'v', 'p', 'f')
      order by c.relname`.execute(this.db);
    // Columns are not read: the migrator asks only which tables exist.
    return rows
      .filter((r) => options.withInternalKyselyTables || !KYSELY_TABLES.has(r.name))
      .map((r) => ({
        name: r.name,
        schema: r.schema,
        isView: r.kind === 'v',
        isForeign: r.kind === 'f',
        columns: [],
      }));
  }

  private scope() {
    return this.schema ?? sql`current_schema()`;
  }
}

/** PostgreSQL through Kysely, with introspection scoped to the store's schema (see above). */
export class ScopedPostgresDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string | undefined,
  ) {
    super(config);
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db, this.schema);
  }
}
