import {
  type AgentStatus,
  type ApprovalRecord,
  type AuditCheckpoint,
  type AuditDraft,
  type AuditRow,
  approvalActionKey,
  chainAuditEvent,
  GatehouseError,
  prepareAuditEvent,
  type SealedAuditEvent,
} from '@gatehouse/core';
import type SqliteDatabase from 'better-sqlite3';
import type { JWK } from 'jose';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { AuditKeyRecord, AuditQuery, AuditStore } from '../audit/audit-store.js';
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
import { newId } from '../identity/agent-admin.js';
import type {
  AgentRecord,
  CredentialRecord,
  IdentityStore,
  NewAgent,
  RegistryChanges,
  UserRecord,
  UserRole,
} from '../identity/identity-store.js';
import type { SigningKeyRecord } from '../identity/signing-keys.js';
import type { StoredSecret, VaultStore } from '../vault/vault-store.js';
import type {
  AgentCredentialsTable,
  AgentsTable,
  AuditEventsTable,
  Database,
  SecretsTable,
  UsersTable,
} from './database.js';
import type { Dialect } from './migrations.js';

/** A policy version as recorded when it was activated. */
export interface PolicyVersion {
  readonly id: number;
  readonly hash: string;
  readonly sources: readonly { readonly name: string; readonly text: string }[];
  /** When this version was last activated. */
  readonly loadedAt: Date;
}

/** Everything Gatehouse persists, over one of two SQL dialects. */
export interface Store extends IdentityStore, AuditStore, VaultStore {
  readonly dialect: Dialect;
  /** The Kysely handle, for features that keep their tables in their own module (console sign-in). */
  readonly db: Kysely<Database>;
  /** Records an activated policy version; activating a known hash again updates its `loadedAt`. */
  recordPolicyVersion(version: {
    hash: string;
    sources: readonly { name: string; text: string }[];
    loadedAt?: Date;
  }): Promise<PolicyVersion>;
  /** The most recently activated version. */
  currentPolicyVersion(): Promise<PolicyVersion | undefined>;
  /** Versions, most recently activated first. */
  listPolicyVersions(options?: { limit?: number }): Promise<PolicyVersion[]>;
  /** Tools registered through the API, by name: their catalog entries as JSON. */
  listRegisteredTools(): Promise<{ name: string; definition: string; updatedAt: Date }[]>;
  putRegisteredTool(name: string, definition: string, now: Date): Promise<void>;
  /** True when the tool existed. */
  deleteRegisteredTool(name: string): Promise<boolean>;
  /** Changes whenever the registered tools change: for replicas that poll. */
  registeredToolsStamp(): Promise<string>;
  /** A stored session's JSON snapshot and the changes since (in order), if any. */
  loadSession(id: string): Promise<LoadedSession | undefined>;
  /**
   * Stores sessions' snapshots (replacing the state and the changes folded into it) or appends
   * their changes, all in one transaction (one disk sync for a batch).
   */
  saveSessions(sessions: readonly StoredSession[]): Promise<void>;
  /** Deletes sessions idle since before `time`. */
  pruneSessions(idleSince: Date): Promise<number>;
  /** Stores a new approval; `GH_CONFLICT` when the id exists. */
  insertApproval(record: ApprovalRecord): Promise<void>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  /**
   * Replaces an approval if nobody changed it since `expectedVersion`;
   * resolves false when somebody did (read it again and retry).
   */
  swapApproval(record: ApprovalRecord, expectedVersion: number): Promise<boolean>;
  /** The approvals for one exact action, newest first. */
  approvalsForAction(agentId: string, tool: string, argsHash: string): Promise<ApprovalRecord[]>;
  /** Approvals, newest first; `statuses` filters by stored status. */
  /** Newest first; `before` pages on: only approvals older than that one (keyset paging). */
  listApprovals(query: {
    statuses?: readonly string[];
    limit: number;
    before?: { createdAt: number; id: string };
  }): Promise<ApprovalRecord[]>;
  /** Pending or approved approvals whose deadline has passed. */
  lapsedApprovals(now: Date, limit: number): Promise<ApprovalRecord[]>;
  /** Pinned MCP tool definitions, of one upstream or all. */
  listToolPins(upstream?: string): Promise<ToolPinRecord[]>;
  /** Records a first sight; false when another writer pinned the tool first. */
  insertToolPin(pin: ToolPinRecord): Promise<boolean>;
  /** Replaces a pin if it still has the `expected` approved and pending hashes; false otherwise. */
  swapToolPin(
    pin: ToolPinRecord,
    expected: { hash: string; pendingHash: string | undefined },
  ): Promise<boolean>;
  /** Throws `GH_STORE_UNAVAILABLE` when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** One upstream tool's pinned definition, and a changed one awaiting approval. */
export interface ToolPinRecord {
  readonly upstream: string;
  readonly tool: string;
  readonly hash: string;
  /** The approved definition, as canonical JSON. */
  readonly definition: string;
  readonly pending?: { readonly hash: string; readonly definition: string; readonly reason: string };
  readonly approvedBy?: string;
  readonly updatedAt: Date;
}

/** One session write: a snapshot of its JSON state, or the JSON of what changed since; owned by one agent. */
export type StoredSession = {
  readonly id: string;
  readonly agentId: string;
  readonly updatedAt: Date;
} & (
  | { readonly state: string; readonly change?: undefined }
  | { readonly change: string; readonly state?: undefined }
);

/** A stored session: its last snapshot and the changes appended since, oldest first. */
export interface LoadedSession {
  readonly agentId: string;
  readonly state: string;
  readonly updatedAt: Date;
  readonly changes?: readonly string[];
}

/** The `Store` over Kysely: the same queries for SQLite and PostgreSQL. */
export class KyselyStore implements Store {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly describe: string,
    sqliteFile?: { readonly connection: SqliteDatabase.Database; readonly path: string },
  ) {
    this.sqlite = sqliteFile?.connection;
    if (sqliteFile && sqliteFile.path !== ':memory:') this.sqlitePath = sqliteFile.path;
    // A file gets the audit writer's thread; `:memory:` cannot be opened by a second connection.
    if (sqliteFile && sqliteFile.path !== ':memory:')
      this.#auditWriter = new SqliteAuditWriter(sqliteFile.path, describe);
  }

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

  async recordPolicyVersion(version: {
    hash: string;
    sources: readonly { name: string; text: string }[];
    loadedAt?: Date;
  }): Promise<PolicyVersion> {
    const loadedAt = (version.loadedAt ?? new Date()).getTime();
    const row = await this.guard(() =>
      this.db
        .insertInto('policy_versions')
        .values({ hash: version.hash, content: JSON.stringify(version.sources), loaded_at: loadedAt })
        .onConflict((oc) => oc.column('hash').doUpdateSet({ loaded_at: loadedAt }))
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toPolicyVersion(row);
  }

  async currentPolicyVersion(): Promise<PolicyVersion | undefined> {
    const [latest] = await this.listPolicyVersions({ limit: 1 });
    return latest;
  }

  async listPolicyVersions(options: { limit?: number } = {}): Promise<PolicyVersion[]> {
    const rows = await this.guard(() =>
      this.db
        .selectFrom('policy_versions')
        .selectAll()
        .orderBy('loaded_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.max(1, Math.min(options.limit ?? 100, 1000)))
        .execute(),
    );
    return rows.map(toPolicyVersion);
  }

  // ---- identity: agents --------------------------------------------------

  async createAgent(agent: NewAgent, now: Date): Promise<AgentRecord> {
    return this.inRegistryTransaction(async (trx, revision) => {
      const taken = await trx
        .selectFrom('agents')
        .select('id')
        .where('name', '=', agent.name)
        .executeTakeFirst();
      if (taken)
        throw new GatehouseError('GH_CONFLICT', `an agent named '${agent.name}' already exists`, {
          status: 409,
        });
      const row = agentRow(newId('agt'), agent, now, revision);
      await trx.insertInto('agents').values(row).execute();
      return toAgent(row);
    });
  }

  async upsertPolicyAgents(
    agents: readonly NewAgent[],
    now: Date,
  ): Promise<{ created: number; updated: number; conflicts: string[] }> {
    if (agents.length === 0) return { created: 0, updated: 0, conflicts: [] };
    return this.inRegistryTransaction(async (trx, revision) => {
      let created = 0;
      let updated = 0;
      const conflicts: string[] = [];
      for (const agent of agents) {
        const existing = await trx
          .selectFrom('agents')
          .selectAll()
          .where('name', '=', agent.name)
          .executeTakeFirst();
        if (!existing) {
          await trx
            .insertInto('agents')
            .values(agentRow(agent.id ?? newId('agt'), agent, now, revision))
            .execute();
          created++;
          continue;
        }
        if (existing.source !== 'policy') {
          conflicts.push(agent.name);
          continue;
        }
        const next = {
          description: agent.description ?? null,
          owner: agent.owner,
          classification: agent.classification,
          labels: JSON.stringify(agent.labels),
          grants: JSON.stringify(agent.grants),
        };
        const same = Object.entries(next).every(([k, v]) => existing[k as keyof typeof next] === v);
        if (same) continue;
        // Status is left alone: a policy reload must not resume a suspended agent.
        await trx
          .updateTable('agents')
          .set({ ...next, updated_at: now.getTime(), revision })
          .where('id', '=', existing.id)
          .execute();
        updated++;
      }
      return { created, updated, conflicts };
    });
  }

  async findAgent(idOrName: string): Promise<AgentRecord | undefined> {
    const row = await this.guard(() =>
      this.db
        .selectFrom('agents')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
        .executeTakeFirst(),
    );
    return row ? toAgent(row) : undefined;
  }

  async listAgents(): Promise<AgentRecord[]> {
    const rows = await this.guard(() => this.db.selectFrom('agents').selectAll().orderBy('name').execute());
    return rows.map(toAgent);
  }

  async setAgentStatus(agentId: string, status: AgentStatus, now: Date): Promise<AgentRecord> {
    return this.inRegistryTransaction(async (trx, revision) => {
      const existing = await trx
        .selectFrom('agents')
        .selectAll()
        .where('id', '=', agentId)
        .executeTakeFirst();
      if (!existing) throw new GatehouseError('GH_NOT_FOUND', `no agent '${agentId}'`, { status: 404 });
      // Leaving `active` voids every token issued so far, everywhere the verifier runs.
      const voids = status !== 'active' && existing.status === 'active';
      const changes = {
        status,
        updated_at: now.getTime(),
        revision,
        ...(voids && { tokens_valid_after: now.getTime() }),
      };
      await trx.updateTable('agents').set(changes).where('id', '=', agentId).execute();
      return toAgent({ ...existing, ...changes });
    });
  }

  async touchAgent(agentId: string, now: Date): Promise<void> {
    // Not a registry change: no revision bump, so caches are not refreshed for it.
    await this.guard(() =>
      this.db.updateTable('agents').set({ last_seen_at: now.getTime() }).where('id', '=', agentId).execute(),
    );
  }

  // ---- identity: credentials, revocations --------------------------------

  async addCredential(credential: Omit<CredentialRecord, 'revision'>): Promise<CredentialRecord> {
    return this.inRegistryTransaction(async (trx, revision) => {
      const row = {
        id: credential.id,
        agent_id: credential.agentId,
        kind: credential.kind,
        secret_hash: credential.secretHash ?? null,
        public_jwk: credential.publicJwk ? JSON.stringify(credential.publicJwk) : null,
        created_at: credential.createdAt.getTime(),
        expires_at: credential.expiresAt?.getTime() ?? null,
        revision,
      };
      await trx.insertInto('agent_credentials').values(row).execute();
      return toCredential(row);
    });
  }

  async listCredentials(agentId: string): Promise<CredentialRecord[]> {
    const rows = await this.guard(() =>
      this.db
        .selectFrom('agent_credentials')
        .selectAll()
        .where('agent_id', '=', agentId)
        .orderBy('created_at')
        .execute(),
    );
    return rows.map(toCredential);
  }

  async expireCredentials(
    agentId: string,
    kind: CredentialRecord['kind'],
    except: string,
    expiresAt: Date,
  ): Promise<void> {
    await this.inRegistryTransaction(async (trx, revision) => {
      await trx
        .updateTable('agent_credentials')
        .set({ expires_at: expiresAt.getTime(), revision })
        .where('agent_id', '=', agentId)
        .where('kind', '=', kind)
        .where('id', '!=', except)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', expiresAt.getTime())]))
        .execute();
    });
  }

  async revokeToken(jti: string, expiresAt: Date): Promise<void> {
    await this.inRegistryTransaction(async (trx, revision) => {
      await trx
        .insertInto('revoked_tokens')
        .values({ jti, expires_at: expiresAt.getTime(), revision })
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute();
    });
  }

  async rememberAssertion(jti: string, expiresAt: Date): Promise<boolean> {
    const result = await this.guard(() =>
      this.db
        .insertInto('client_assertions')
        .values({ jti, expires_at: expiresAt.getTime() })
        .onConflict((oc) => oc.column('jti').doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async changesSince(revision: number): Promise<RegistryChanges> {
    return this.guard(async () => {
      // Read the counter first: every change up to it is committed (the
      // counter row is locked until each change commits), so fetching
      // (revision, upTo] can never skip a change that commits later.
      const { value } = await this.db
        .selectFrom('registry_revision')
        .select('value')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      const upTo = Number(value);
      const [agents, credentials, revoked] = await Promise.all([
        this.db
          .selectFrom('agents')
          .selectAll()
          .where('revision', '>', revision)
          .where('revision', '<=', upTo)
          .execute(),
        this.db
          .selectFrom('agent_credentials')
          .selectAll()
          .where('revision', '>', revision)
          .where('revision', '<=', upTo)
          .execute(),
        this.db
          .selectFrom('revoked_tokens')
          .select(['jti', 'expires_at'])
          .where('revision', '>', revision)
          .where('revision', '<=', upTo)
          .where('expires_at', '>', Date.now())
          .execute(),
      ]);
      return {
        agents: agents.map(toAgent),
        credentials: credentials.map(toCredential),
        revokedTokens: revoked.map((r) => ({ jti: r.jti, expiresAt: new Date(Number(r.expires_at)) })),
        revision: upTo,
      };
    });
  }

  async pruneExpired(now: Date): Promise<void> {
    await this.guard(async () => {
      await this.db.deleteFrom('revoked_tokens').where('expires_at', '<', now.getTime()).execute();
      await this.db.deleteFrom('client_assertions').where('expires_at', '<', now.getTime()).execute();
    });
  }

  // ---- identity: users ---------------------------------------------------

  async createUser(user: Omit<UserRecord, 'id' | 'createdAt'>, now: Date): Promise<UserRecord> {
    return this.guard(async () => {
      const taken = await this.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', user.email)
        .executeTakeFirst();
      if (taken)
        throw new GatehouseError('GH_CONFLICT', `a user with email '${user.email}' already exists`, {
          status: 409,
        });
      const row = {
        id: newId('usr'),
        email: user.email,
        roles: JSON.stringify(user.roles),
        token_digest: user.tokenDigest,
        created_at: now.getTime(),
      };
      await this.db.insertInto('users').values(row).execute();
      return toUser(row);
    });
  }

  async findUserByTokenDigest(digest: string): Promise<UserRecord | undefined> {
    const row = await this.guard(() =>
      this.db.selectFrom('users').selectAll().where('token_digest', '=', digest).executeTakeFirst(),
    );
    return row ? toUser(row) : undefined;
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.guard(() =>
      this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst(),
    );
    return row ? toUser(row) : undefined;
  }

  async replaceUserToken(email: string, tokenDigest: string): Promise<boolean> {
    const result = await this.guard(() =>
      this.db
        .updateTable('users')
        .set({ token_digest: tokenDigest })
        .where('email', '=', email.toLowerCase())
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.guard(() => this.db.selectFrom('users').selectAll().orderBy('email').execute());
    return rows.map(toUser);
  }

  // ---- signing keys ------------------------------------------------------

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = await this.guard(() =>
      this.db.selectFrom('signing_keys').selectAll().orderBy('activates_at').execute(),
    );
    return rows.map((r) => ({
      kid: r.kid,
      alg: 'EdDSA' as const,
      publicJwk: JSON.parse(r.public_jwk) as JWK,
      privateJwe: r.private_jwe,
      createdAt: new Date(Number(r.created_at)),
      activatesAt: new Date(Number(r.activates_at)),
      retiresAt: new Date(Number(r.retires_at)),
      expiresAt: new Date(Number(r.expires_at)),
    }));
  }

  async insertSigningKey(record: SigningKeyRecord): Promise<void> {
    await this.guard(() =>
      this.db
        .insertInto('signing_keys')
        .values({
          kid: record.kid,
          alg: record.alg,
          public_jwk: JSON.stringify(record.publicJwk),
          private_jwe: record.privateJwe,
          created_at: record.createdAt.getTime(),
          activates_at: record.activatesAt.getTime(),
          retires_at: record.retiresAt.getTime(),
          expires_at: record.expiresAt.getTime(),
        })
        .execute(),
    );
  }

  async deleteSigningKeysExpiredBefore(time: Date): Promise<number> {
    const result = await this.guard(() =>
      this.db.deleteFrom('signing_keys').where('expires_at', '<=', time.getTime()).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }

  // ---- tool pins ---------------------------------------------------------

  async listToolPins(upstream?: string): Promise<ToolPinRecord[]> {
    const rows = await this.guard(() => {
      let query = this.db.selectFrom('tool_pins').selectAll();
      if (upstream !== undefined) query = query.where('upstream', '=', upstream);
      return query.orderBy('upstream').orderBy('tool').execute();
    });
    return rows.map((r) => ({
      upstream: r.upstream,
      tool: r.tool,
      hash: r.hash,
      definition: r.definition,
      ...(r.pending_hash !== null && {
        pending: {
          hash: r.pending_hash,
          definition: r.pending_definition ?? '{}',
          reason: r.pending_reason ?? 'changed',
        },
      }),
      ...(r.approved_by !== null && { approvedBy: r.approved_by }),
      updatedAt: new Date(Number(r.updated_at)),
    }));
  }

  async insertToolPin(pin: ToolPinRecord): Promise<boolean> {
    const result = await this.guard(() =>
      this.db
        .insertInto('tool_pins')
        .values(toolPinRow(pin))
        .onConflict((c) => c.columns(['upstream', 'tool']).doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async swapToolPin(
    pin: ToolPinRecord,
    expected: { hash: string; pendingHash: string | undefined },
  ): Promise<boolean> {
    const result = await this.guard(() =>
      this.db
        .updateTable('tool_pins')
        .set(toolPinRow(pin))
        .where('upstream', '=', pin.upstream)
        .where('tool', '=', pin.tool)
        .where('hash', '=', expected.hash)
        .where((eb) =>
          expected.pendingHash === undefined
            ? eb('pending_hash', 'is', null)
            : eb('pending_hash', '=', expected.pendingHash),
        )
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  // ---- registered tools --------------------------------------------------

  async listRegisteredTools(): Promise<{ name: string; definition: string; updatedAt: Date }[]> {
    const rows = await this.guard(() =>
      this.db.selectFrom('registered_tools').selectAll().orderBy('name').execute(),
    );
    return rows.map((r) => ({
      name: r.name,
      definition: r.definition,
      updatedAt: new Date(Number(r.updated_at)),
    }));
  }

  async putRegisteredTool(name: string, definition: string, now: Date): Promise<void> {
    await this.guard(() =>
      this.db
        .insertInto('registered_tools')
        .values({ name, definition, updated_at: now.getTime() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ definition, updated_at: now.getTime() }))
        .execute(),
    );
  }

  async deleteRegisteredTool(name: string): Promise<boolean> {
    const result = await this.guard(() =>
      this.db.deleteFrom('registered_tools').where('name', '=', name).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  async registeredToolsStamp(): Promise<string> {
    const row = await this.guard(() =>
      this.db
        .selectFrom('registered_tools')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('updated_at').as('latest')])
        .executeTakeFirstOrThrow(),
    );
    return `${Number(row.count)}:${Number(row.latest ?? 0)}`;
  }

  // ---- sessions ----------------------------------------------------------

  async loadSession(id: string): Promise<LoadedSession | undefined> {
    // One statement, so the snapshot and its changes are read as of one moment: a snapshot
    // written meanwhile folds (and deletes) the changes it holds.
    const rows = await this.guard(() =>
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
      await this.guard(() => this.db.connection().execute(async () => save(rows)));
      return;
    }
    await this.guard(() =>
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

  async insertApproval(record: ApprovalRecord): Promise<void> {
    await this.guard(() =>
      this.db
        .insertInto('approvals')
        .values({
          id: record.id,
          agent_id: record.agent.id,
          tool: record.tool,
          args_hash: record.argsHash,
          status: record.status,
          version: record.version,
          record: JSON.stringify(record),
          created_at: record.createdAt,
          expires_at: record.expiresAt,
          pending_key: pendingKey(record),
        })
        .execute(),
    );
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const row = await this.guard(() =>
      this.db.selectFrom('approvals').select('record').where('id', '=', id).executeTakeFirst(),
    );
    return row ? (JSON.parse(row.record) as ApprovalRecord) : undefined;
  }

  async swapApproval(record: ApprovalRecord, expectedVersion: number): Promise<boolean> {
    const result = await this.guard(() =>
      this.db
        .updateTable('approvals')
        .set({
          status: record.status,
          version: record.version,
          record: JSON.stringify(record),
          pending_key: pendingKey(record),
        })
        .where('id', '=', record.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async approvalsForAction(agentId: string, tool: string, argsHash: string): Promise<ApprovalRecord[]> {
    const rows = await this.guard(() =>
      this.db
        .selectFrom('approvals')
        .select('record')
        .where('agent_id', '=', agentId)
        .where('tool', '=', tool)
        .where('args_hash', '=', argsHash)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        // Generous: the caller filters these by what they demand, and a live denial must not be
        // pushed out of sight by newer approvals of the same action asking something else.
        .limit(1000)
        .execute(),
    );
    return rows.map((r) => JSON.parse(r.record) as ApprovalRecord);
  }

  async listApprovals(query: {
    statuses?: readonly string[];
    limit: number;
    before?: { createdAt: number; id: string };
  }): Promise<ApprovalRecord[]> {
    const rows = await this.guard(() => {
      let q = this.db.selectFrom('approvals').select('record');
      if (query.statuses && query.statuses.length > 0) q = q.where('status', 'in', [...query.statuses]);
      const before = query.before;
      if (before)
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', before.createdAt),
            eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
          ]),
        );
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    });
    return rows.map((r) => JSON.parse(r.record) as ApprovalRecord);
  }

  async lapsedApprovals(now: Date, limit: number): Promise<ApprovalRecord[]> {
    const rows = await this.guard(() =>
      this.db
        .selectFrom('approvals')
        .select('record')
        .where('status', 'in', ['pending', 'approved'])
        .where('expires_at', '<=', now.getTime())
        .limit(limit)
        .execute(),
    );
    return rows.map((r) => JSON.parse(r.record) as ApprovalRecord);
  }

  async pruneSessions(idleSince: Date): Promise<number> {
    const result = await this.guard(() =>
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
      const chained = await this.guard(() =>
        this.db.connection().execute(async () => append(flattenPrepared(prepared))),
      );
      return sealedBatch(prepared, chained);
    }
    // Prepared before the transaction: the chain's lock is held only to link, hash and insert.
    const prepared = drafts.map((draft) => prepareAuditEvent(draft, newAuditEventId()));
    return this.guard(() =>
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
    const head = await this.guard(() =>
      this.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow(),
    );
    return { seq: Number(head.seq), hash: head.hash };
  }

  async queryAudit(query: AuditQuery): Promise<AuditRow[]> {
    const rows = await this.guard(() => {
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
        this.guard(() => this.db.connection().execute(async () => page.all(after, limit) as AuditRow[])),
      );
    }
    return pagesBySeq(fromSeq, pageSize, async (after, limit) =>
      (
        await this.guard(() =>
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
    await this.guard(() =>
      this.db
        .insertInto('audit_checkpoints')
        .values({ ...checkpoint })
        .onConflict((oc) => oc.column('seq').doNothing())
        .execute(),
    );
  }

  async latestAuditCheckpoint(): Promise<AuditCheckpoint | undefined> {
    const row = await this.guard(() =>
      this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst(),
    );
    return row && { ...row, seq: Number(row.seq) };
  }

  async *streamAuditCheckpoints(fromSeq: number, pageSize = 1000): AsyncIterable<AuditCheckpoint> {
    const pages = pagesBySeq(fromSeq, pageSize, async (after, limit) =>
      (
        await this.guard(() =>
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
    const rows = await this.guard(() =>
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
    const result = await this.guard(() =>
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
    return this.guard(() =>
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
    await this.guard(() => sql`select 1`.execute(this.db));
  }

  async close(): Promise<void> {
    await this.#auditWriter?.close();
    await this.db.destroy();
  }

  /**
   * Runs `work` in a transaction that first bumps the registry revision and
   * hands it over, so every row the change writes carries that revision.
   */
  private inRegistryTransaction<T>(
    work: (trx: Transaction<Database>, revision: number) => Promise<T>,
  ): Promise<T> {
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
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
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

  // ---- vault: brokered credentials, master-key rewrap ----------------------

  async insertSecret(secret: StoredSecret): Promise<boolean> {
    const result = await this.guard(() =>
      this.db
        .insertInto('secrets')
        .values(secretRow(secret))
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getSecret(name: string): Promise<StoredSecret | undefined> {
    const row = await this.guard(() =>
      this.db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst(),
    );
    return row ? toStoredSecret(row) : undefined;
  }

  async listSecrets(): Promise<StoredSecret[]> {
    const rows = await this.guard(() => this.db.selectFrom('secrets').selectAll().orderBy('name').execute());
    return rows.map(toStoredSecret);
  }

  async secretVersions(): Promise<{ name: string; version: number }[]> {
    const rows = await this.guard(() =>
      this.db.selectFrom('secrets').select(['name', 'version']).orderBy('name').execute(),
    );
    return rows.map((r) => ({ name: r.name, version: Number(r.version) }));
  }

  async swapSecret(
    secret: StoredSecret,
    expected: { version: number; masterKeyId: string },
  ): Promise<boolean> {
    const { name, created_at: _createdAt, ...changes } = secretRow(secret);
    const result = await this.guard(() =>
      this.db
        .updateTable('secrets')
        .set(changes)
        .where('name', '=', name)
        .where('version', '=', expected.version)
        .where('master_key_id', '=', expected.masterKeyId)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteSecret(name: string): Promise<boolean> {
    const result = await this.guard(() =>
      this.db.deleteFrom('secrets').where('name', '=', name).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  swapSigningKeyJwe(kid: string, expected: string, next: string): Promise<boolean> {
    return this.swapPrivateJwe('signing_keys', kid, expected, next);
  }

  swapAuditKeyJwe(kid: string, expected: string, next: string): Promise<boolean> {
    return this.swapPrivateJwe('audit_keys', kid, expected, next);
  }

  private async swapPrivateJwe(
    table: 'signing_keys' | 'audit_keys',
    kid: string,
    expected: string,
    next: string,
  ): Promise<boolean> {
    const result = await this.guard(() =>
      this.db
        .updateTable(table)
        .set({ private_jwe: next })
        .where('kid', '=', kid)
        .where('private_jwe', '=', expected)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }
}

function secretRow(secret: StoredSecret): Selectable<SecretsTable> {
  return {
    name: secret.name,
    version: secret.version,
    master_key_id: secret.masterKeyId,
    value_iv: secret.value.iv,
    value_ciphertext: secret.value.ciphertext,
    value_tag: secret.value.tag,
    key_iv: secret.dataKey.iv,
    key_ciphertext: secret.dataKey.ciphertext,
    key_tag: secret.dataKey.tag,
    created_at: secret.createdAt.getTime(),
    updated_at: secret.updatedAt.getTime(),
  };
}

function toStoredSecret(row: Selectable<SecretsTable>): StoredSecret {
  return {
    name: row.name,
    version: Number(row.version),
    masterKeyId: row.master_key_id,
    value: { iv: row.value_iv, ciphertext: row.value_ciphertext, tag: row.value_tag },
    dataKey: { iv: row.key_iv, ciphertext: row.key_ciphertext, tag: row.key_tag },
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function agentRow(id: string, agent: NewAgent, now: Date, revision: number): Selectable<AgentsTable> {
  return {
    id,
    name: agent.name,
    description: agent.description ?? null,
    owner: agent.owner,
    classification: agent.classification,
    labels: JSON.stringify(agent.labels),
    grants: JSON.stringify(agent.grants),
    status: agent.status ?? 'active',
    source: agent.source,
    created_at: now.getTime(),
    updated_at: now.getTime(),
    last_seen_at: null,
    tokens_valid_after: null,
    revision,
  };
}

function toAgent(row: Selectable<AgentsTable>): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    ...(row.description !== null && { description: row.description }),
    owner: row.owner,
    classification: row.classification,
    labels: JSON.parse(row.labels) as string[],
    grants: JSON.parse(row.grants) as string[],
    status: row.status as AgentStatus,
    source: row.source as AgentRecord['source'],
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    ...(row.last_seen_at !== null && { lastSeenAt: new Date(Number(row.last_seen_at)) }),
    ...(row.tokens_valid_after !== null && { tokensValidAfter: new Date(Number(row.tokens_valid_after)) }),
    revision: Number(row.revision),
  };
}

function toCredential(row: Selectable<AgentCredentialsTable>): CredentialRecord {
  return {
    id: row.id,
    agentId: row.agent_id,
    kind: row.kind as CredentialRecord['kind'],
    ...(row.secret_hash !== null && { secretHash: row.secret_hash }),
    ...(row.public_jwk !== null && { publicJwk: JSON.parse(row.public_jwk) as JWK }),
    createdAt: new Date(Number(row.created_at)),
    ...(row.expires_at !== null && { expiresAt: new Date(Number(row.expires_at)) }),
    revision: Number(row.revision),
  };
}

/** A `users` row as a record. */
export function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    email: row.email,
    roles: JSON.parse(row.roles) as UserRole[],
    tokenDigest: row.token_digest,
    createdAt: new Date(Number(row.created_at)),
  };
}

function toPolicyVersion(row: {
  id: number;
  hash: string;
  content: string;
  loaded_at: number;
}): PolicyVersion {
  return {
    id: Number(row.id),
    hash: row.hash,
    sources: JSON.parse(row.content),
    loadedAt: new Date(Number(row.loaded_at)),
  };
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

/** The key that keeps one pending approval per exact action; none once it is decided. */
function pendingKey(record: ApprovalRecord): string | null {
  return record.status === 'pending' ? approvalActionKey(record) : null;
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

function toolPinRow(pin: ToolPinRecord) {
  return {
    upstream: pin.upstream,
    tool: pin.tool,
    hash: pin.hash,
    definition: pin.definition,
    pending_hash: pin.pending?.hash ?? null,
    pending_definition: pin.pending?.definition ?? null,
    pending_reason: pin.pending?.reason ?? null,
    approved_by: pin.approvedBy ?? null,
    updated_at: pin.updatedAt.getTime(),
  };
}
