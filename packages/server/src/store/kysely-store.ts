import {
  type AuditCheckpoint,
  type AuditDraft,
  type AuditRow,
  chainAuditEvent,
  prepareAuditEvent,
  type SealedAuditEvent,
} from '@gatehouse/core';
import type SqliteDatabase from 'better-sqlite3';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuditKeyRecord, AuditQuery } from '../audit/audit-store.js';
import {
  flattenPrepared,
  newAuditEventId,
  type SessionRow,
  type SqliteAuditAppend,
  sealedBatch,
  sqliteAuditAppend,
  sqliteSessionSave,
} from '../audit/sqlite-audit-append.js';
import { SqliteAuditWriter } from '../audit/sqlite-audit-writer.js';
import { ApprovalTables } from './approval-tables.js';
import { CatalogTables } from './catalog-tables.js';
import type { AuditEventsTable, Database } from './database.js';
import { IdentityTables } from './identity-tables.js';
import type { Dialect } from './migrations.js';
import type { LoadedSession, Store, StoredSession } from './store.js';
import { StoreContext } from './store-context.js';
import { VaultTables } from './vault-tables.js';

/** The `Store` over Kysely: the same queries for SQLite and PostgreSQL. */
export class KyselyStore implements Store {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    describe: string,
    sqliteFile?: { readonly connection: SqliteDatabase.Database; readonly path: string },
  ) {
    this.ctx = new StoreContext(db, describe);
    this.catalog = new CatalogTables(this.ctx);
    this.identity = new IdentityTables(this.ctx);
    this.approvals = new ApprovalTables(this.ctx);
    this.vault = new VaultTables(this.ctx);
    this.sqlite = sqliteFile?.connection;
    if (sqliteFile && sqliteFile.path !== ':memory:') this.sqlitePath = sqliteFile.path;
    // A file gets the audit writer's thread; `:memory:` cannot be opened by a second connection.
    if (sqliteFile && sqliteFile.path !== ':memory:')
      this.#auditWriter = new SqliteAuditWriter(sqliteFile.path, describe);
  }

  private readonly ctx: StoreContext;
  // Each concept's tables live in their own module; the store hands their methods on (below).
  private readonly catalog: CatalogTables;
  private readonly identity: IdentityTables;
  private readonly approvals: ApprovalTables;
  private readonly vault: VaultTables;

  /** The SQLite file, when the store is one (not `:memory:`). */
  readonly sqlitePath: string | undefined;
  /** The SQLite connection under `db`, for prepared statements on the hot paths. */
  private readonly sqlite: SqliteDatabase.Database | undefined;
  #auditWriter: SqliteAuditWriter | undefined;
  #auditAppend: SqliteAuditAppend | undefined;

  /** Appends may overlap when a writer thread commits them (in call order). */
  get concurrentAppends(): boolean {
    return this.#auditWriter !== undefined;
  }

  // Policy versions, registered tools, tool pins.
  readonly recordPolicyVersion: CatalogTables['recordPolicyVersion'] = (...a) =>
    this.catalog.recordPolicyVersion(...a);
  readonly currentPolicyVersion: CatalogTables['currentPolicyVersion'] = (...a) =>
    this.catalog.currentPolicyVersion(...a);
  readonly listPolicyVersions: CatalogTables['listPolicyVersions'] = (...a) =>
    this.catalog.listPolicyVersions(...a);
  readonly listToolPins: CatalogTables['listToolPins'] = (...a) => this.catalog.listToolPins(...a);
  readonly insertToolPin: CatalogTables['insertToolPin'] = (...a) => this.catalog.insertToolPin(...a);
  readonly swapToolPin: CatalogTables['swapToolPin'] = (...a) => this.catalog.swapToolPin(...a);
  readonly listRegisteredTools: CatalogTables['listRegisteredTools'] = (...a) =>
    this.catalog.listRegisteredTools(...a);
  readonly putRegisteredTool: CatalogTables['putRegisteredTool'] = (...a) =>
    this.catalog.putRegisteredTool(...a);
  readonly deleteRegisteredTool: CatalogTables['deleteRegisteredTool'] = (...a) =>
    this.catalog.deleteRegisteredTool(...a);
  readonly registeredToolsStamp: CatalogTables['registeredToolsStamp'] = (...a) =>
    this.catalog.registeredToolsStamp(...a);

  // Agents, credentials, revocations, users, signing keys.
  readonly createAgent: IdentityTables['createAgent'] = (...a) => this.identity.createAgent(...a);
  readonly upsertPolicyAgents: IdentityTables['upsertPolicyAgents'] = (...a) =>
    this.identity.upsertPolicyAgents(...a);
  readonly findAgent: IdentityTables['findAgent'] = (...a) => this.identity.findAgent(...a);
  readonly listAgents: IdentityTables['listAgents'] = (...a) => this.identity.listAgents(...a);
  readonly setAgentStatus: IdentityTables['setAgentStatus'] = (...a) => this.identity.setAgentStatus(...a);
  readonly touchAgent: IdentityTables['touchAgent'] = (...a) => this.identity.touchAgent(...a);
  readonly addCredential: IdentityTables['addCredential'] = (...a) => this.identity.addCredential(...a);
  readonly listCredentials: IdentityTables['listCredentials'] = (...a) => this.identity.listCredentials(...a);
  readonly expireCredentials: IdentityTables['expireCredentials'] = (...a) =>
    this.identity.expireCredentials(...a);
  readonly revokeToken: IdentityTables['revokeToken'] = (...a) => this.identity.revokeToken(...a);
  readonly rememberAssertion: IdentityTables['rememberAssertion'] = (...a) =>
    this.identity.rememberAssertion(...a);
  readonly changesSince: IdentityTables['changesSince'] = (...a) => this.identity.changesSince(...a);
  readonly pruneExpired: IdentityTables['pruneExpired'] = (...a) => this.identity.pruneExpired(...a);
  readonly createUser: IdentityTables['createUser'] = (...a) => this.identity.createUser(...a);
  readonly findUserByTokenDigest: IdentityTables['findUserByTokenDigest'] = (...a) =>
    this.identity.findUserByTokenDigest(...a);
  readonly findUserByEmail: IdentityTables['findUserByEmail'] = (...a) => this.identity.findUserByEmail(...a);
  readonly replaceUserToken: IdentityTables['replaceUserToken'] = (...a) =>
    this.identity.replaceUserToken(...a);
  readonly listUsers: IdentityTables['listUsers'] = (...a) => this.identity.listUsers(...a);
  readonly listSigningKeys: IdentityTables['listSigningKeys'] = (...a) => this.identity.listSigningKeys(...a);
  readonly insertSigningKey: IdentityTables['insertSigningKey'] = (...a) =>
    this.identity.insertSigningKey(...a);
  readonly deleteSigningKeysExpiredBefore: IdentityTables['deleteSigningKeysExpiredBefore'] = (...a) =>
    this.identity.deleteSigningKeysExpiredBefore(...a);

  // Approvals.
  readonly insertApproval: ApprovalTables['insertApproval'] = (...a) => this.approvals.insertApproval(...a);
  readonly getApproval: ApprovalTables['getApproval'] = (...a) => this.approvals.getApproval(...a);
  readonly swapApproval: ApprovalTables['swapApproval'] = (...a) => this.approvals.swapApproval(...a);
  readonly approvalsForAction: ApprovalTables['approvalsForAction'] = (...a) =>
    this.approvals.approvalsForAction(...a);
  readonly listApprovals: ApprovalTables['listApprovals'] = (...a) => this.approvals.listApprovals(...a);
  readonly lapsedApprovals: ApprovalTables['lapsedApprovals'] = (...a) =>
    this.approvals.lapsedApprovals(...a);

  // Brokered secrets and the rewrap of encrypted keys.
  readonly insertSecret: VaultTables['insertSecret'] = (...a) => this.vault.insertSecret(...a);
  readonly getSecret: VaultTables['getSecret'] = (...a) => this.vault.getSecret(...a);
  readonly listSecrets: VaultTables['listSecrets'] = (...a) => this.vault.listSecrets(...a);
  readonly secretVersions: VaultTables['secretVersions'] = (...a) => this.vault.secretVersions(...a);
  readonly swapSecret: VaultTables['swapSecret'] = (...a) => this.vault.swapSecret(...a);
  readonly deleteSecret: VaultTables['deleteSecret'] = (...a) => this.vault.deleteSecret(...a);
  readonly swapSigningKeyJwe: VaultTables['swapSigningKeyJwe'] = (...a) => this.vault.swapSigningKeyJwe(...a);
  readonly swapAuditKeyJwe: VaultTables['swapAuditKeyJwe'] = (...a) => this.vault.swapAuditKeyJwe(...a);

  // ---- sessions ----------------------------------------------------------

  async loadSession(id: string): Promise<LoadedSession | undefined> {
    // One statement, so the snapshot and its changes are read as of one moment: a snapshot
    // written meanwhile folds (and deletes) the changes it holds.
    const rows = await this.ctx.guard(() =>
      this.db
        .selectFrom('sessions')
        .leftJoin('session_changes', 'session_changes.session_id', 'sessions.id')
        .select([
          'sessions.agent_id',
          'sessions.state',
          'sessions.updated_at',
          'session_changes.change',
          'session_changes.id as change_id',
        ])
        .where('sessions.id', '=', id)
        .orderBy('change_id')
        .execute(),
    );
    const [first] = rows;
    if (!first) return undefined;
    const changes = rows.flatMap((r) => (r.change === null ? [] : [r.change]));
    return {
      agentId: first.agent_id,
      state: first.state,
      updatedAt: new Date(Number(first.updated_at)),
      ...(changes.length > 0 && { changes }),
    };
  }

  async saveSessions(sessions: readonly StoredSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const rows = sessions.map(
      ({ id, agentId, state, change, updatedAt }): SessionRow => [
        id,
        agentId,
        state ?? null,
        change ?? null,
        updatedAt.getTime(),
      ],
    );
    if (this.#auditWriter) {
      // Written behind by the writer thread, after the audit's next commit: no disk sync on the
      // event loop for what is a cache of session state.
      await this.#auditWriter.saveSessions(rows);
      return;
    }
    const sqlite = this.sqlite;
    if (sqlite) {
      // One synchronous transaction: an async one would hold SQLite's only connection across
      // event-loop turns, and the audit appends that decisions wait on would queue behind it.
      this.#saveSessions ??= sqliteSessionSave(sqlite);
      const save = this.#saveSessions;
      await this.ctx.guard(() => this.db.connection().execute(async () => save(rows)));
      return;
    }
    await this.ctx.guard(() =>
      this.db.transaction().execute(async (trx) => {
        for (const [id, agentId, state, change, updatedAt] of rows) {
          // INVARIANT: a session never changes agent; a write for another agent's id is ignored.
          if (state !== null) {
            await trx
              .insertInto('sessions')
              .values({ id, agent_id: agentId, state, updated_at: updatedAt })
              .onConflict((oc) =>
                oc
                  .column('id')
                  .doUpdateSet({ state, updated_at: updatedAt })
                  .where('sessions.agent_id', '=', agentId),
              )
              .execute();
            await sql`delete from session_changes where session_id = ${id} and exists (select 1 from sessions where id = ${id} and agent_id = ${agentId})`.execute(
              trx,
            );
          } else if (change !== null) {
            await sql`insert into session_changes (session_id, change) select ${id}::text, ${change}::text where exists (select 1 from sessions where id = ${id} and agent_id = ${agentId})`.execute(
              trx,
            );
            await trx
              .updateTable('sessions')
              .set({ updated_at: updatedAt })
              .where('id', '=', id)
              .where('agent_id', '=', agentId)
              .execute();
          }
        }
      }),
    );
  }

  async pruneSessions(idleSince: Date): Promise<number> {
    const result = await this.ctx.guard(() =>
      this.db.deleteFrom('sessions').where('updated_at', '<', idleSince.getTime()).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }

  // ---- audit -------------------------------------------------------------

  async appendAudit(drafts: readonly AuditDraft[]): Promise<SealedAuditEvent[]> {
    if (drafts.length === 0) return [];
    if (this.#auditWriter) return this.#auditWriter.append(drafts);
    const sqlite = this.sqlite;
    if (sqlite) {
      // In process (`:memory:`): one synchronous transaction, holding Kysely's connection so
      // nothing else runs on it meanwhile.
      this.#auditAppend ??= sqliteAuditAppend(sqlite);
      const append = this.#auditAppend;
      const prepared = drafts.map((draft) => prepareAuditEvent(draft, newAuditEventId()));
      const chained = await this.ctx.guard(() =>
        this.db.connection().execute(async () => append(flattenPrepared(prepared))),
      );
      return sealedBatch(prepared, chained);
    }
    // Prepared before the transaction: the chain's lock is held only to link, hash and insert.
    const prepared = drafts.map((draft) => prepareAuditEvent(draft, newAuditEventId()));
    return this.ctx.guard(() =>
      this.db.transaction().execute(async (trx) => {
        // Writing the head first takes the lock: SQLite's write lock, a row lock in PostgreSQL.
        const head = await trx
          .updateTable('audit_head')
          .set({ updated_at: Date.now() })
          .where('id', '=', 1)
          .returning(['seq', 'hash'])
          .executeTakeFirstOrThrow();
        let seq = Number(head.seq);
        let prev = head.hash;
        const sealed = prepared.map((ready) => {
          const event = chainAuditEvent(ready, ++seq, prev);
          prev = event.hash;
          return event;
        });
        for (let i = 0; i < sealed.length; i += AUDIT_INSERT_CHUNK) {
          await trx
            .insertInto('audit_events')
            .values(
              sealed.slice(i, i + AUDIT_INSERT_CHUNK).map((e) => ({
                seq: e.seq,
                id: e.id,
                type: e.type,
                time: e.timeMs,
                agent_id: e.agentId ?? null,
                session_id: e.sessionId ?? null,
                tool: e.tool ?? null,
                outcome: e.outcome,
                prev_hash: e.prevHash,
                hash: e.hash,
                event: e.text,
              })),
            )
            .execute();
        }
        await trx.updateTable('audit_head').set({ seq, hash: prev }).where('id', '=', 1).execute();
        return sealed;
      }),
    );
  }

  #saveSessions: ((rows: readonly SessionRow[]) => void) | undefined;
  #auditPage: SqliteDatabase.Statement | undefined;

  async auditHead(): Promise<{ seq: number; hash: string }> {
    const head = await this.ctx.guard(() =>
      this.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow(),
    );
    return { seq: Number(head.seq), hash: head.hash };
  }

  async queryAudit(query: AuditQuery): Promise<AuditRow[]> {
    const rows = await this.ctx.guard(() => {
      let q = this.db.selectFrom('audit_events').selectAll();
      if (query.agentId !== undefined) q = q.where('agent_id', '=', query.agentId);
      if (query.sessionId !== undefined) q = q.where('session_id', '=', query.sessionId);
      if (query.tool !== undefined) q = q.where('tool', '=', query.tool);
      if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
      if (query.type !== undefined) q = q.where('type', '=', query.type);
      if (query.sinceMs !== undefined) q = q.where('time', '>=', query.sinceMs);
      if (query.untilMs !== undefined) q = q.where('time', '<', query.untilMs);
      if (query.cursor !== undefined) q = q.where('seq', query.order === 'asc' ? '>' : '<', query.cursor);
      return q.orderBy('seq', query.order).limit(query.limit).execute();
    });
    return rows.map(toAuditRow);
  }

  async *streamAudit(fromSeq: number, pageSize = 2000): AsyncIterable<AuditRow> {
    for await (const page of this.streamAuditPages(fromSeq, pageSize)) yield* page;
  }

  streamAuditPages(fromSeq: number, pageSize = 2000): AsyncIterable<AuditRow[]> {
    const sqlite = this.sqlite;
    if (sqlite) {
      // A prepared statement read straight into rows: verification reads the whole log, and
      // building each page through the query builder cost as much as checking it.
      this.#auditPage ??= sqlite.prepare(
        'select seq, hash, event as text, prev_hash as prevHash, type, agent_id as agentId, session_id as sessionId, tool, outcome from audit_events where seq > ? order by seq limit ?',
      );
      const page = this.#auditPage;
      return pagesBySeq(fromSeq, pageSize, (after, limit) =>
        this.ctx.guard(() => this.db.connection().execute(async () => page.all(after, limit) as AuditRow[])),
      );
    }
    return pagesBySeq(fromSeq, pageSize, async (after, limit) =>
      (
        await this.ctx.guard(() =>
          this.db
            .selectFrom('audit_events')
            .selectAll()
            .where('seq', '>', after)
            .orderBy('seq', 'asc')
            .limit(limit)
            .execute(),
        )
      ).map(toAuditRow),
    );
  }

  async insertAuditCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    await this.ctx.guard(() =>
      this.db
        .insertInto('audit_checkpoints')
        .values({ ...checkpoint })
        .onConflict((oc) => oc.column('seq').doNothing())
        .execute(),
    );
  }

  async latestAuditCheckpoint(): Promise<AuditCheckpoint | undefined> {
    const row = await this.ctx.guard(() =>
      this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst(),
    );
    return row && { ...row, seq: Number(row.seq) };
  }

  async *streamAuditCheckpoints(fromSeq: number, pageSize = 1000): AsyncIterable<AuditCheckpoint> {
    const pages = pagesBySeq(fromSeq, pageSize, async (after, limit) =>
      (
        await this.ctx.guard(() =>
          this.db
            .selectFrom('audit_checkpoints')
            .selectAll()
            .where('seq', '>', after)
            .orderBy('seq', 'asc')
            .limit(limit)
            .execute(),
        )
      ).map((row) => ({ ...row, seq: Number(row.seq) })),
    );
    for await (const page of pages) yield* page;
  }

  async listAuditKeys(): Promise<AuditKeyRecord[]> {
    const rows = await this.ctx.guard(() =>
      this.db.selectFrom('audit_keys').selectAll().orderBy('created_at', 'asc').execute(),
    );
    return rows.map((r) => ({
      kid: r.kid,
      publicJwk: r.public_jwk,
      privateJwe: r.private_jwe,
      createdAt: new Date(Number(r.created_at)),
    }));
  }

  async insertAuditKey(record: AuditKeyRecord): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .insertInto('audit_keys')
        .values({
          kid: record.kid,
          public_jwk: record.publicJwk,
          private_jwe: record.privateJwe,
          created_at: record.createdAt.getTime(),
        })
        .onConflict((oc) => oc.column('kid').doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async pruneAudit(throughSeq: number): Promise<number> {
    return this.ctx.guard(() =>
      this.db.transaction().execute(async (trx) => {
        const deleted = await trx
          .deleteFrom('audit_events')
          .where('seq', '<=', throughSeq)
          .executeTakeFirst();
        await trx.deleteFrom('audit_checkpoints').where('seq', '<', throughSeq).execute();
        return Number(deleted.numDeletedRows);
      }),
    );
  }

  // ---- plumbing ----------------------------------------------------------

  async ping(): Promise<void> {
    await this.ctx.guard(() => sql`select 1`.execute(this.db));
  }

  async close(): Promise<void> {
    await this.#auditWriter?.close();
    await this.db.destroy();
  }
}

/** Rows per INSERT: well under SQLite's bound on parameters in one statement. */
const AUDIT_INSERT_CHUNK = 500;

function toAuditRow(row: Selectable<AuditEventsTable>): AuditRow {
  return {
    seq: Number(row.seq),
    hash: row.hash,
    text: row.event,
    prevHash: row.prev_hash,
    type: row.type,
    agentId: row.agent_id,
    sessionId: row.session_id,
    tool: row.tool,
    outcome: row.outcome,
  };
}

/** Rows from `fromSeq` on, page by page in ascending seq, each page fetched after the last one's end. */
async function* pagesBySeq<T extends { readonly seq: number }>(
  fromSeq: number,
  pageSize: number,
  fetch: (after: number, limit: number) => Promise<T[]>,
): AsyncIterable<T[]> {
  let after = fromSeq - 1;
  for (;;) {
    const rows = await fetch(after, pageSize);
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.seq;
  }
}
