import type { AuditCheckpoint, AuditDraft, AuditRow, SealedAuditEvent } from '@gatehouse/core';

/** A query over the audit log; every filter is optional. */
export interface AuditQuery {
  readonly agentId?: string;
  readonly sessionId?: string;
  readonly tool?: string;
  readonly outcome?: string;
  readonly type?: string;
  /** Epoch ms, inclusive. */
  readonly sinceMs?: number;
  /** Epoch ms, exclusive. */
  readonly untilMs?: number;
  /** Only events after (ascending) or before (descending) this sequence number. */
  readonly cursor?: number;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

/** A stored audit key: the private half only as a JWE under the master key. */
export interface AuditKeyRecord {
  readonly kid: string;
  readonly publicJwk: string;
  readonly privateJwe: string;
  readonly createdAt: Date;
}

/** Where the audit chain persists; the store implements it. */
export interface AuditStore {
  /**
   * Appends events in one transaction, after the chain's head, which is
   * locked for the transaction: appends from several processes queue there
   * and the chain keeps one order with no gaps.
   */
  appendAudit(drafts: readonly AuditDraft[]): Promise<SealedAuditEvent[]>;
  /**
   * True when `appendAudit` may be called again before an earlier call settled (a writer
   * thread commits them in call order): the log then hands over a batch at every turn.
   */
  readonly concurrentAppends?: boolean;
  /** The SQLite file the log lives in, when it is one: readers in other threads open it. */
  readonly sqlitePath?: string;
  auditHead(): Promise<{ seq: number; hash: string }>;
  queryAudit(query: AuditQuery): Promise<AuditRow[]>;
  /** Events from `fromSeq` on, ascending, read page by page. */
  streamAudit(fromSeq: number, pageSize?: number): AsyncIterable<AuditRow>;
  /** The same, a page at a time (cheaper to iterate for a verifier). */
  streamAuditPages(fromSeq: number, pageSize?: number): AsyncIterable<AuditRow[]>;
  insertAuditCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  latestAuditCheckpoint(): Promise<AuditCheckpoint | undefined>;
  /** Checkpoints from `fromSeq` on, ascending. */
  streamAuditCheckpoints(fromSeq: number, pageSize?: number): AsyncIterable<AuditCheckpoint>;
  listAuditKeys(): Promise<AuditKeyRecord[]>;
  /** Resolves false when a key with this kid exists already. */
  insertAuditKey(record: AuditKeyRecord): Promise<boolean>;
  /** Deletes events up to `throughSeq` and the checkpoints before it; returns the events deleted. */
  pruneAudit(throughSeq: number): Promise<number>;
}
