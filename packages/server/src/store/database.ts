import type { Generated } from 'kysely';

/**
 * The tables, as Kysely sees them. Both dialects store the same types:
 * times as epoch milliseconds (`bigint`), lists and objects as JSON text, so
 * one query serves SQLite and PostgreSQL and times round-trip to the
 * millisecond without timezone conversions.
 */
export interface Database {
  policy_versions: PolicyVersionsTable;
  registry_revision: RegistryRevisionTable;
  agents: AgentsTable;
  agent_credentials: AgentCredentialsTable;
  revoked_tokens: RevokedTokensTable;
  client_assertions: ClientAssertionsTable;
  users: UsersTable;
  signing_keys: SigningKeysTable;
  sessions: SessionsTable;
  session_changes: SessionChangesTable;
  registered_tools: RegisteredToolsTable;
  approvals: ApprovalsTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_keys: AuditKeysTable;
  tool_pins: ToolPinsTable;
  secrets: SecretsTable;
  console_sessions: ConsoleSessionsTable;
  user_passkeys: UserPasskeysTable;
  user_invites: UserInvitesTable;
  console_flows: ConsoleFlowsTable;
}

/**
 * Approvals: the columns the store filters and swaps on, and the whole
 * record as JSON. `version` is the compare-and-set counter that makes every
 * state change atomic without holding a lock across processes.
 */
export interface ApprovalsTable {
  id: string;
  agent_id: string;
  tool: string;
  args_hash: string;
  status: string;
  version: number;
  record: string;
  created_at: number;
  expires_at: number;
  /** Set while pending: one pending approval per exact action. */
  pending_key: string | null;
}

/** Tools registered through the API: catalog entries as JSON, compiled with the policy files. */
export interface RegisteredToolsTable {
  name: string;
  definition: string;
  updated_at: number;
}

/** Agent sessions: labels seen, call history and provenance fingerprints, as JSON. */
export interface SessionsTable {
  id: string;
  agent_id: string;
  /** The session as of its last snapshot; `session_changes` holds what changed since. */
  state: string;
  updated_at: number;
}

/** Changes to a session since its snapshot, in order: appended instead of rewriting the snapshot. */
export interface SessionChangesTable {
  id: Generated<number>;
  session_id: string;
  /** JSON of the changes (`SerializedSessionChanges`). */
  change: string;
}

export interface PolicyVersionsTable {
  id: Generated<number>;
  hash: string;
  /** JSON of the sources: `[{ name, text }]`. */
  content: string;
  loaded_at: number;
}

/** One row: the registry's revision counter, bumped by every identity change. */
export interface RegistryRevisionTable {
  id: number;
  value: number;
}

export interface AgentsTable {
  id: string;
  name: string;
  description: string | null;
  owner: string;
  classification: string;
  labels: string;
  grants: string;
  status: string;
  source: string;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
  tokens_valid_after: number | null;
  revision: number;
}

export interface AgentCredentialsTable {
  id: string;
  agent_id: string;
  kind: string;
  secret_hash: string | null;
  public_jwk: string | null;
  created_at: number;
  expires_at: number | null;
  revision: number;
}

export interface RevokedTokensTable {
  jti: string;
  expires_at: number;
  revision: number;
}

export interface ClientAssertionsTable {
  jti: string;
  expires_at: number;
}

export interface UsersTable {
  id: string;
  email: string;
  roles: string;
  token_digest: string;
  created_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwe: string;
  created_at: number;
  activates_at: number;
  retires_at: number;
  expires_at: number;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  type: string;
  time: number;
  agent_id: string | null;
  session_id: string | null;
  tool: string | null;
  outcome: string;
  prev_hash: string;
  hash: string;
  /** RFC 8785 canonical JSON of the event without its hash: the bytes that were hashed. */
  event: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  updated_at: number;
}

export interface AuditCheckpointsTable {
  seq: number;
  hash: string;
  time: string;
  kid: string;
  jws: string;
}

export interface AuditKeysTable {
  kid: string;
  public_jwk: string;
  private_jwe: string;
  created_at: number;
}

/** Pinned MCP tool definitions (rug-pull defence). */
export interface ToolPinsTable {
  upstream: string;
  tool: string;
  hash: string;
  definition: string;
  pending_hash: string | null;
  pending_definition: string | null;
  /** Why the pending definition is held: `changed`, or `suspect` for a first sight that reads like an injection. */
  pending_reason: string | null;
  approved_by: string | null;
  updated_at: number;
}

/**
 * Brokered credentials (the vault): each value sealed under its own data key,
 * the data key wrapped by the master key `master_key_id` names. Binary parts
 * are base64url text. Never a plaintext value.
 */
export interface SecretsTable {
  name: string;
  version: number;
  master_key_id: string;
  value_iv: string;
  value_ciphertext: string;
  value_tag: string;
  key_iv: string;
  key_ciphertext: string;
  key_tag: string;
  created_at: number;
  updated_at: number;
}

export interface ConsoleSessionsTable {
  id_digest: string;
  user_id: string;
  csrf_token: string;
  method: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface UserPasskeysTable {
  id: string;
  user_id: string;
  public_key: string;
  counter: number;
  transports: string;
  created_at: number;
  last_used_at: number | null;
}

export interface UserInvitesTable {
  token_digest: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ConsoleFlowsTable {
  id: string;
  kind: string;
  data: string;
  expires_at: number;
}
