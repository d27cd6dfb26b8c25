import {
  auditLink,
  chainAuditEvent,
  type PreparedAuditEvent,
  type SealedAuditEvent,
  sha256Hex,
} from '@gatehouse/core/audit';
import type SqliteDatabase from 'better-sqlite3';
import { randomHex24 } from '../identity/random-id.js';

/** A new audit event id: `evt_` and 24 hex digits. */
export const newAuditEventId = (): string => `evt_${randomHex24()}`;

/**
 * Prepared events as they cross to the writer thread: a flat array of strings and numbers,
 * `PREPARED_FIELDS` per event, which a structured clone copies at little more than memcpy.
 */
export type FlatPreparedEvents = (string | number | null)[];
export const PREPARED_FIELDS = 9;

/** Prepared events flattened for the writer (see `FlatPreparedEvents`). */
export function flattenPrepared(events: readonly PreparedAuditEvent[]): FlatPreparedEvents {
  const flat: FlatPreparedEvents = new Array(events.length * PREPARED_FIELDS);
  let at = 0;
  for (const e of events) {
    flat[at++] = e.id;
    flat[at++] = e.type;
    flat[at++] = e.timeMs;
    flat[at++] = e.agentId ?? null;
    flat[at++] = e.sessionId ?? null;
    flat[at++] = e.tool ?? null;
    flat[at++] = e.outcome;
    flat[at++] = e.head;
    flat[at++] = e.tail;
  }
  return flat;
}

/** Where a batch landed in the chain: the first event's seq and previous hash, and every event's hash. */
export interface ChainedBatch {
  readonly firstSeq: number;
  readonly prevHash: string;
  readonly hashes: readonly string[];
}

/** Appends flattened prepared events after the chain's head in one transaction. */
export type SqliteAuditAppend = (events: FlatPreparedEvents) => ChainedBatch;

/**
 * The SQLite append as prepared statements in one IMMEDIATE transaction: BEGIN
 * IMMEDIATE takes the write lock up front, which serializes appends from other
 * connections and processes on the same file, so the chain keeps one order
 * with no gaps. Under the lock only the link is written into each prepared
 * text, which is then hashed and inserted. The audit
 * writer's worker runs it on its own connection; a `:memory:` store, which no
 * second connection can open, runs it in process.
 */
export function sqliteAuditAppend(sqlite: SqliteDatabase.Database): SqliteAuditAppend {
  const head = sqlite.prepare('select seq, hash from audit_head where id = 1');
  const insert = sqlite.prepare(
    'insert into audit_events (seq, id, type, time, agent_id, session_id, tool, outcome, prev_hash, hash, event) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const setHead = sqlite.prepare('update audit_head set seq = ?, hash = ?, updated_at = ? where id = 1');
  const append = sqlite.transaction((flat: FlatPreparedEvents): ChainedBatch => {
    const current = head.get() as { seq: number; hash: string };
    const firstSeq = Number(current.seq) + 1;
    const count = flat.length / PREPARED_FIELDS;
    const hashes: string[] = new Array(count);
    let prev = current.hash;
    for (let i = 0; i < count; i++) {
      const at = i * PREPARED_FIELDS;
      const seq = firstSeq + i;
      const text = (flat[at + 7] as string) + auditLink(seq, prev) + (flat[at + 8] as string);
      const hash = sha256Hex(text);
      insert.run(
        seq,
        flat[at],
        flat[at + 1],
        flat[at + 2],
        flat[at + 3],
        flat[at + 4],
        flat[at + 5],
        flat[at + 6],
        prev,
        hash,
        text,
      );
      hashes[i] = hash;
      prev = hash;
    }
    setHead.run(firstSeq + count - 1, prev, Date.now());
    return { firstSeq, prevHash: current.hash, hashes };
  });
  return (events) => append.immediate(events);
}

/** The sealed events of a batch, from what was prepared and where the writer chained it. */
export function sealedBatch(
  prepared: readonly PreparedAuditEvent[],
  chained: ChainedBatch,
): SealedAuditEvent[] {
  let prev = chained.prevHash;
  return prepared.map((event, i) => {
    const hash = chained.hashes[i] as string;
    const sealed = chainAuditEvent(event, chained.firstSeq + i, prev, hash);
    prev = hash;
    return sealed;
  });
}

/**
 * A session write as it crosses to the writer thread: id, agent id, snapshot JSON or null,
 * changes JSON or null, updated (ms). Exactly one of snapshot and changes is given.
 */
export type SessionRow = readonly [string, string, string | null, string | null, number];

/**
 * Writes sessions in one transaction: a snapshot replaces the session's state and the changes
 * folded into it; a change is appended after them. Neither ever touches another agent's session.
 */
export function sqliteSessionSave(sqlite: SqliteDatabase.Database): (rows: readonly SessionRow[]) => void {
  const snapshot = sqlite.prepare(
    'insert into sessions (id, agent_id, state, updated_at) values (?, ?, ?, ?) on conflict (id) do update set state = excluded.state, updated_at = excluded.updated_at where sessions.agent_id = excluded.agent_id',
  );
  const folded = sqlite.prepare(
    'delete from session_changes where session_id = ? and exists (select 1 from sessions where id = ? and agent_id = ?)',
  );
  const change = sqlite.prepare(
    'insert into session_changes (session_id, change) select ?, ? where exists (select 1 from sessions where id = ? and agent_id = ?)',
  );
  const touch = sqlite.prepare('update sessions set updated_at = ? where id = ? and agent_id = ?');
  return sqlite.transaction((rows: readonly SessionRow[]) => {
    for (const [id, agentId, state, changes, updatedAt] of rows) {
      if (state !== null) {
        snapshot.run(id, agentId, state, updatedAt);
        folded.run(id, id, agentId);
      } else if (changes !== null) {
        change.run(id, changes, id, agentId);
        touch.run(updatedAt, id, agentId);
      }
    }
  });
}

/** The pragmas every connection to the store's SQLite file runs with. */
export function configureSqliteConnection(database: SqliteDatabase.Database): void {
  // WAL lets readers proceed during writes; FULL makes every commit durable
  // before it returns, which the audit's write-ahead rule relies on.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -32768');
}
