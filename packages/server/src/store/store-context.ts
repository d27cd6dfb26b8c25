import { GatehouseError } from '@gatehouse/core';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './database.js';

/** What every table module of the store shares: the Kysely handle and the driver-error boundary. */
export class StoreContext {
  constructor(
    readonly db: Kysely<Database>,
    private readonly describe: string,
  ) {}

  /**
   * Runs `work` in a transaction that first bumps the registry revision and
   * hands it over, so every row the change writes carries that revision.
   */
  inRegistryTransaction<T>(work: (trx: Transaction<Database>, revision: number) => Promise<T>): Promise<T> {
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        const bumped = await trx
          .updateTable('registry_revision')
          .set({ value: sql`value + 1` })
          .where('id', '=', 1)
          .returning('value')
          .executeTakeFirstOrThrow();
        return work(trx, Number(bumped.value));
      }),
    );
  }

  /** Turns driver failures into `GH_STORE_UNAVAILABLE` without leaking connection details. */
  async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      if (err instanceof GatehouseError) throw err;
      if (isUniqueViolation(err))
        throw new GatehouseError('GH_CONFLICT', 'the record already exists', { status: 409, cause: err });
      throw new GatehouseError(
        'GH_STORE_UNAVAILABLE',
        `store ${this.describe} failed: ${describeDriverError(err)}`,
        { status: 503, cause: err },
      );
    }
  }
}

/** One concept's tables: its queries over the shared handle, each through the context's `guard`. */
export abstract class StoreTables {
  protected readonly db: Kysely<Database>;

  constructor(protected readonly ctx: StoreContext) {
    this.db = ctx.db;
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

function describeDriverError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : 'unknown error';
  return code ? `${code}: ${message}` : String(message);
}
