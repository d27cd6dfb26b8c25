import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import {
  type ChainedBatch,
  configureSqliteConnection,
  type FlatPreparedEvents,
  PREPARED_FIELDS,
  type SessionRow,
  type SqliteAuditAppend,
  sqliteAuditAppend,
  sqliteSessionSave,
} from './sqlite-audit-append.js';

/**
 * The audit writer's thread: its own connection to the store's SQLite file,
 * so that the commit with its disk sync never runs on the server's event
 * loop. Events arrive prepared (canonical text around the link, columns: see
 * `prepareAuditEvent`); here each gets its link under the chain's lock, is
 * hashed and inserted, and only the hashes go back.
 *
 * Group commit: while one transaction syncs, appends queue on the port; the
 * next transaction takes every one of them. Each request is answered only
 * after the transaction that holds it committed (synchronous = FULL).
 */

/** What the writer asks: chain and commit these prepared events, in this order, after the head. */
export interface AppendRequest {
  readonly kind: 'append';
  readonly id: number;
  readonly events: FlatPreparedEvents;
}

/**
 * Session snapshots and changes, written behind in this thread after the audit's next commit,
 * rather than with a disk sync on the server's event loop.
 */
export interface SaveSessionsRequest {
  readonly kind: 'sessions';
  readonly id: number;
  readonly rows: readonly SessionRow[];
}

export type WriterRequest = AppendRequest | SaveSessionsRequest | { readonly kind: 'close' };

/** The answer to one request. */
export type WriterReply =
  | { readonly id: number; readonly chained: ChainedBatch }
  | { readonly id: number; readonly saved: true }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/**
 * Most events per transaction: bounds the time one commit holds SQLite's write lock, and lets the
 * server's thread resolve one commit's appends while the next commits.
 */
const MAX_EVENTS_PER_COMMIT = 2048;

function serve(port: MessagePort, path: string): void {
  const sqlite = new SqliteDatabase(path);
  configureSqliteConnection(sqlite);
  const append = sqliteAuditAppend(sqlite);

  const saveSessions = sqliteSessionSave(sqlite);
  let closing = false;

  port.on('message', (first: WriterRequest) => {
    // Everything that queued during the last commit is taken together: one sync for all of it.
    const requests: AppendRequest[] = [];
    const sessions: SaveSessionsRequest[] = [];
    let events = 0;
    for (let next: WriterRequest | undefined = first; next; ) {
      if (next.kind === 'close') {
        closing = true;
        break;
      }
      if (next.kind === 'sessions') sessions.push(next);
      else {
        requests.push(next);
        events += next.events.length / PREPARED_FIELDS;
      }
      if (events >= MAX_EVENTS_PER_COMMIT) break;
      next = receiveMessageOnPort(port)?.message as WriterRequest | undefined;
    }
    const replies: WriterReply[] = requests.length > 0 ? commit(append, requests) : [];
    for (const request of sessions) replies.push(save(saveSessions, request));
    if (replies.length > 0) port.postMessage(replies);
    if (closing) {
      sqlite.close();
      port.close();
    }
  });
}

/** Commits the requests together; if that fails, each alone, so one request's bad data fails only it. */
function commit(append: SqliteAuditAppend, requests: readonly AppendRequest[]): WriterReply[] {
  if (requests.length > 1) {
    try {
      const chained = append(requests.flatMap((r) => r.events));
      let at = 0;
      return requests.map((r) => {
        const count = r.events.length / PREPARED_FIELDS;
        const reply = {
          id: r.id,
          chained: {
            firstSeq: chained.firstSeq + at,
            prevHash: at === 0 ? chained.prevHash : (chained.hashes[at - 1] as string),
            hashes: chained.hashes.slice(at, at + count),
          },
        };
        at += count;
        return reply;
      });
    } catch {
      // Tried again request by request below: the failed transaction rolled back as a whole.
    }
  }
  return requests.map((r) => {
    try {
      return { id: r.id, chained: append(r.events) };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return {
        id: r.id,
        error: { message: (err as Error).message ?? String(err), ...(typeof code === 'string' && { code }) },
      };
    }
  });
}

function save(saveSessions: ReturnType<typeof sqliteSessionSave>, request: SaveSessionsRequest): WriterReply {
  try {
    saveSessions(request.rows);
    return { id: request.id, saved: true };
  } catch (err) {
    return { id: request.id, error: { message: (err as Error).message ?? String(err) } };
  }
}

if (parentPort) serve(parentPort, (workerData as { path: string }).path);
