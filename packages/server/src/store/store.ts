import type { ApprovalRecord } from '@gatehouse/core';
import type { Kysely } from 'kysely';
import type { AuditStore } from '../audit/audit-store.js';
import type { IdentityStore } from '../identity/identity-store.js';
import type { VaultStore } from '../vault/vault-store.js';
import type { Database } from './database.js';
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
