import { randomUUID } from 'node:crypto';
import { type AuditDraft, type SealedAuditEvent, sealAuditEvent } from '@gatehouse/core/audit';
import type SqliteDatabase from 'better-sqlite3';

/** A new audit event id: `evt_` and 24 hex digits. */
export const newAuditEventId = (): string => `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`;

/** Appends drafts after the chain's head in one transaction and returns them sealed. */
export type SqliteAuditAppend = (drafts: readonly AuditDraft[]) => SealedAuditEvent[];

/**
 * The SQLite append as prepared statements in one IMMEDIATE transaction: BEGIN
 * IMMEDIATE takes the write lock up front, which serializes appends from other
 * connections and processes on the same file, so the chain keeps one order
 * with no gaps. The audit writer's worker runs it on its own connection; a
 * `:memory:` store, which no second connection can open, runs it in process.
 */
export function sqliteAuditAppend(sqlite: SqliteDatabase.Database): SqliteAuditAppend {
  const head = sqlite.prepare('select seq, hash from audit_head where id = 1');
  const insert = sqlite.prepare(
    'insert into audit_events (seq, id, type, time, agent_id, session_id, tool, outcome, prev_hash, hash, event) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const setHead = sqlite.prepare('update audit_head set seq = ?, hash = ?, updated_at = ? where id = 1');
  const append = sqlite.transaction((batch: readonly AuditDraft[]) => {
    const current = head.get() as { seq: number; hash: string };
    let seq = Number(current.seq);
    let prev = current.hash;
    const sealed = batch.map((draft) => {
      const event = sealAuditEvent(draft, newAuditEventId(), ++seq, prev);
      insert.run(
        event.seq,
        event.id,
        event.type,
        event.timeMs,
        event.agentId ?? null,
        event.sessionId ?? null,
        event.tool ?? null,
        event.outcome,
        event.prevHash,
        event.hash,
        event.text,
      );
      prev = event.hash;
      return event;
    });
    setHead.run(seq, prev, Date.now());
    return sealed;
  });
  return (drafts) => append.immediate(drafts);
}

/** Upserts session snapshots (id, agent id, state, updated ms) in one transaction; never across agents. */
export function sqliteSessionSave(
  sqlite: SqliteDatabase.Database,
): (rows: readonly (readonly [string, string, string, number])[]) => void {
  const save = sqlite.prepare(
    'insert into sessions (id, agent_id, state, updated_at) values (?, ?, ?, ?) on conflict (id) do update set state = excluded.state, updated_at = excluded.updated_at where sessions.agent_id = excluded.agent_id',
  );
  return sqlite.transaction((rows: readonly (readonly [string, string, string, number])[]) => {
    for (const row of rows) save.run(...row);
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
