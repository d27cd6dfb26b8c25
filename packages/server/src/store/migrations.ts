import { type Kysely, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';

/** Which SQL dialect a migration runs on: the few DDL differences depend on it. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * Every migration, in order. Append only: a released migration is never
 * edited, because databases in the field have already run it.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  const autoId = dialect === 'sqlite' ? 'integer' : 'bigserial';
  return {
    '0001_policy_versions': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('policy_versions')
          .addColumn('id', autoId, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('hash', 'text', (c) => c.notNull().unique())
          .addColumn('content', 'text', (c) => c.notNull())
          .addColumn('loaded_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('policy_versions_loaded_at')
          .on('policy_versions')
          .column('loaded_at')
          .execute();
      },
    },
    '0002_identity': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('registry_revision')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('value', 'bigint', (c) => c.notNull())
          .execute();
        await sql`insert into registry_revision (id, value) values (1, 0)`.execute(db);
        await db.schema
          .createTable('agents')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('description', 'text')
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('classification', 'text', (c) => c.notNull())
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('grants', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint')
          .addColumn('tokens_valid_after', 'bigint')
          .addColumn('revision', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('agents_revision').on('agents').column('revision').execute();
        await db.schema
          .createTable('agent_credentials')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text')
          .addColumn('public_jwk', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('revision', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('agent_credentials_agent')
          .on('agent_credentials')
          .column('agent_id')
          .execute();
        await db.schema
          .createIndex('agent_credentials_revision')
          .on('agent_credentials')
          .column('revision')
          .execute();
        await db.schema
          .createTable('revoked_tokens')
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('revision', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('revoked_tokens_revision')
          .on('revoked_tokens')
          .column('revision')
          .execute();
        await db.schema
          .createTable('client_assertions')
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('roles', 'text', (c) => c.notNull())
          .addColumn('token_digest', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('private_jwe', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('activates_at', 'bigint', (c) => c.notNull())
          .addColumn('retires_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0004_rate_limits': {
      // The table rate-limiter-flexible's PostgreSQL store uses, created here
      // once rather than by each limiter, which races across replicas.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('rate_limits')
          .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
          .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expire', 'bigint')
          .execute();
      },
    },
    '0005_registered_tools': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('registered_tools')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0006_approvals': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('approvals')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('agent_id', 'text', (c) => c.notNull())
          .addColumn('tool', 'text', (c) => c.notNull())
          .addColumn('args_hash', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('record', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('approvals_action')
          .on('approvals')
          .columns(['agent_id', 'tool', 'args_hash'])
          .execute();
        await db.schema
          .createIndex('approvals_status')
          .on('approvals')
          .columns(['status', 'expires_at'])
          .execute();
      },
    },
    '0007_audit': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('audit_events')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('time', 'bigint', (c) => c.notNull())
          .addColumn('agent_id', 'text')
          .addColumn('session_id', 'text')
          .addColumn('tool', 'text')
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .execute();
        for (const column of ['agent_id', 'session_id', 'tool'] as const) {
          await db.schema
            .createIndex(`audit_events_${column}`)
            .on('audit_events')
            .columns([column, 'seq'])
            .execute();
        }
        await db.schema.createIndex('audit_events_time').on('audit_events').column('time').execute();
        // The chain's head: one row, locked by every append, so that writers in
        // several processes append one after another with no gap.
        await db.schema
          .createTable('audit_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await sql`insert into audit_head (id, seq, hash, updated_at) values (1, 0, ${'0'.repeat(64)}, 0)`.execute(
          db,
        );
        await db.schema
          .createTable('audit_checkpoints')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('time', 'text', (c) => c.notNull())
          .addColumn('kid', 'text', (c) => c.notNull())
          .addColumn('jws', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('audit_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('private_jwe', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0008_approvals_pending_key': {
      async up(db: Kysely<unknown>) {
        // One pending approval per exact action, across every replica: the key is set while the
        // approval is pending and cleared when it ends (NULLs do not collide).
        await db.schema.alterTable('approvals').addColumn('pending_key', 'text').execute();
        await db.schema
          .createIndex('approvals_pending_key')
          .on('approvals')
          .column('pending_key')
          .unique()
          .execute();
      },
    },
    '0009_tool_pins': {
      async up(db: Kysely<unknown>) {
        // The approved definition of each upstream tool (its hash and JSON), and a changed one
        // awaiting an admin's approval.
        await db.schema
          .createTable('tool_pins')
          .addColumn('upstream', 'text', (c) => c.notNull())
          .addColumn('tool', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('definition', 'text', (c) => c.notNull())
          .addColumn('pending_hash', 'text')
          .addColumn('pending_definition', 'text')
          .addColumn('pending_reason', 'text')
          .addColumn('approved_by', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('tool_pins_pk', ['upstream', 'tool'])
          .execute();
      },
    },
    '0010_secrets': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('secrets')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('master_key_id', 'text', (c) => c.notNull())
          .addColumn('value_iv', 'text', (c) => c.notNull())
          .addColumn('value_ciphertext', 'text', (c) => c.notNull())
          .addColumn('value_tag', 'text', (c) => c.notNull())
          .addColumn('key_iv', 'text', (c) => c.notNull())
          .addColumn('key_ciphertext', 'text', (c) => c.notNull())
          .addColumn('key_tag', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0011_console_sign_in': {
      async up(db: Kysely<unknown>) {
        // People's browser sessions for the console: the cookie is stored only as its SHA-256.
        await db.schema
          .createTable('console_sessions')
          .addColumn('id_digest', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('method', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('console_sessions_expires_at')
          .on('console_sessions')
          .column('expires_at')
          .execute();
        await db.schema
          .createTable('user_passkeys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('public_key', 'text', (c) => c.notNull())
          .addColumn('counter', 'bigint', (c) => c.notNull())
          .addColumn('transports', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .execute();
        await db.schema.createIndex('user_passkeys_user_id').on('user_passkeys').column('user_id').execute();
        // One-time enrolment links: the token is stored only as its SHA-256.
        await db.schema
          .createTable('user_invites')
          .addColumn('token_digest', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('used_at', 'bigint')
          .execute();
        // Sign-in ceremonies in flight: a WebAuthn challenge, an OIDC state with its PKCE verifier.
        await db.schema
          .createTable('console_flows')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0012_session_changes': {
      async up(db: Kysely<unknown>) {
        // Sessions are written by delta: a change row per flush, folded into the snapshot now and
        // then. Deleting a session (pruning) deletes its changes.
        await db.schema
          .createTable('session_changes')
          .addColumn('id', autoId, (c) =>
            dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
          )
          .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
          .addColumn('change', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('session_changes_session')
          .on('session_changes')
          .columns(['session_id', 'id'])
          .execute();
      },
    },
    '0003_sessions': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('agent_id', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_updated_at').on('sessions').column('updated_at').execute();
      },
    },
  };
}

/** Serves the migrations from code, so nothing is read from disk at run time. */
export class CodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}
