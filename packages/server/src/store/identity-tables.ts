import { type AgentStatus, GatehouseError } from '@gatehouse/core';
import type { JWK } from 'jose';
import type { Selectable } from 'kysely';
import { newId } from '../identity/agent-admin.js';
import type {
  AgentRecord,
  CredentialRecord,
  NewAgent,
  RegistryChanges,
  UserRecord,
  UserRole,
} from '../identity/identity-store.js';
import type { SigningKeyRecord } from '../identity/signing-keys.js';
import type { AgentCredentialsTable, AgentsTable, UsersTable } from './database.js';
import { StoreTables } from './store-context.js';

/** Agents, their credentials and revocations, users and token signing keys. */
export class IdentityTables extends StoreTables {
  // ---- identity: agents --------------------------------------------------

  async createAgent(agent: NewAgent, now: Date): Promise<AgentRecord> {
    return this.ctx.inRegistryTransaction(async (trx, revision) => {
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
    return this.ctx.inRegistryTransaction(async (trx, revision) => {
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
    const row = await this.ctx.guard(() =>
      this.db
        .selectFrom('agents')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
        .executeTakeFirst(),
    );
    return row ? toAgent(row) : undefined;
  }

  async listAgents(): Promise<AgentRecord[]> {
    const rows = await this.ctx.guard(() =>
      this.db.selectFrom('agents').selectAll().orderBy('name').execute(),
    );
    return rows.map(toAgent);
  }

  async setAgentStatus(agentId: string, status: AgentStatus, now: Date): Promise<AgentRecord> {
    return this.ctx.inRegistryTransaction(async (trx, revision) => {
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
    await this.ctx.guard(() =>
      this.db.updateTable('agents').set({ last_seen_at: now.getTime() }).where('id', '=', agentId).execute(),
    );
  }

  // ---- identity: credentials, revocations --------------------------------

  async addCredential(credential: Omit<CredentialRecord, 'revision'>): Promise<CredentialRecord> {
    return this.ctx.inRegistryTransaction(async (trx, revision) => {
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
    const rows = await this.ctx.guard(() =>
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
    await this.ctx.inRegistryTransaction(async (trx, revision) => {
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
    await this.ctx.inRegistryTransaction(async (trx, revision) => {
      await trx
        .insertInto('revoked_tokens')
        .values({ jti, expires_at: expiresAt.getTime(), revision })
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute();
    });
  }

  async rememberAssertion(jti: string, expiresAt: Date): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .insertInto('client_assertions')
        .values({ jti, expires_at: expiresAt.getTime() })
        .onConflict((oc) => oc.column('jti').doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async changesSince(revision: number): Promise<RegistryChanges> {
    return this.ctx.guard(async () => {
      // Read the counter first: every change up to it is committed (the
      // counter row is locked until each change commits), so fetching
      // (revision, upTo] can never skip a change that commits later.
      const { value } = await this.db
        .selectFrom('registry_revision')
        .select('value')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      const upTo = Number(value);
      // Polled every 250 ms, and the registry rarely changes: an empty range needs no queries.
      if (upTo <= revision) return { agents: [], credentials: [], revokedTokens: [], revision: upTo };
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
    await this.ctx.guard(async () => {
      await this.db.deleteFrom('revoked_tokens').where('expires_at', '<', now.getTime()).execute();
      await this.db.deleteFrom('client_assertions').where('expires_at', '<', now.getTime()).execute();
    });
  }

  // ---- identity: users ---------------------------------------------------

  async createUser(user: Omit<UserRecord, 'id' | 'createdAt'>, now: Date): Promise<UserRecord> {
    return this.ctx.guard(async () => {
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
    const row = await this.ctx.guard(() =>
      this.db.selectFrom('users').selectAll().where('token_digest', '=', digest).executeTakeFirst(),
    );
    return row ? toUser(row) : undefined;
  }

  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.ctx.guard(() =>
      this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst(),
    );
    return row ? toUser(row) : undefined;
  }

  async replaceUserToken(email: string, tokenDigest: string): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .updateTable('users')
        .set({ token_digest: tokenDigest })
        .where('email', '=', email.toLowerCase())
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.ctx.guard(() =>
      this.db.selectFrom('users').selectAll().orderBy('email').execute(),
    );
    return rows.map(toUser);
  }

  // ---- signing keys ------------------------------------------------------

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = await this.ctx.guard(() =>
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
    await this.ctx.guard(() =>
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
    const result = await this.ctx.guard(() =>
      this.db.deleteFrom('signing_keys').where('expires_at', '<=', time.getTime()).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
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
