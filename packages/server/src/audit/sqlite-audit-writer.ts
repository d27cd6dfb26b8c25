import { Worker } from 'node:worker_threads';
import {
  type AuditDraft,
  GatehouseError,
  type PreparedAuditEvent,
  prepareAuditEvent,
  type SealedAuditEvent,
} from '@gatehouse/core';
import { type ChainedBatch, flattenPrepared, newAuditEventId, sealedBatch } from './sqlite-audit-append.js';
import type { AppendRequest, SaveSessionsRequest, WriterReply } from './sqlite-audit-worker.js';
import { auditWorkerScript } from './worker-script.js';

interface Pending {
  readonly resolve: (chained: ChainedBatch | undefined) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The audit writer for a SQLite file: appends run in a worker thread with its
 * own connection (see sqlite-audit-worker.ts), so the event loop never waits
 * on a disk sync. `append` may be called again before an earlier call has
 * settled; calls commit in call order and each resolves after its commit.
 *
 * A worker that dies fails the appends it held (the calls they guard are
 * refused); the next append starts a new one, which continues from the head
 * in the database.
 */
export class SqliteAuditWriter {
  #worker: Worker | undefined;
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  constructor(
    private readonly path: string,
    private readonly describe: string,
  ) {}

  async append(drafts: readonly AuditDraft[]): Promise<SealedAuditEvent[]> {
    if (this.#closed) throw this.unavailable('the audit writer is closed');
    const worker = this.worker();
    let prepared: PreparedAuditEvent[];
    try {
      // The canonical text is made here, where the draft is, and crosses as two strings: the
      // thread only writes in each event's link, hashes it and inserts it.
      prepared = drafts.map((draft) => prepareAuditEvent(draft, newAuditEventId()));
    } catch (err) {
      // A value with no storable form (a cycle) is a refusal of the data.
      throw new GatehouseError(
        'GH_STORE_UNAVAILABLE',
        `the audit event cannot be stored: ${(err as Error).message}`,
        {
          status: 503,
          cause: { code: 'GH_AUDIT_UNCLONEABLE' },
        },
      );
    }
    const request: AppendRequest = { kind: 'append', id: this.#nextId++, events: flattenPrepared(prepared) };
    const chained = (await this.send(worker, request)) as ChainedBatch;
    return sealedBatch(prepared, chained);
  }

  /** Writes session snapshots with the next commit; resolves once they are written. */
  async saveSessions(rows: SaveSessionsRequest['rows']): Promise<void> {
    if (this.#closed) throw this.unavailable('the writer is closed');
    const worker = this.worker();
    await this.send(worker, { kind: 'sessions', id: this.#nextId++, rows });
  }

  private send(worker: Worker, request: AppendRequest | SaveSessionsRequest): Promise<unknown> {
    worker.postMessage(request);
    if (this.#pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => this.#pending.set(request.id, { resolve, reject }));
  }

  /** Waits for the appends in flight, then stops the thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref();
    worker.postMessage({ kind: 'close' });
    await exited;
  }

  private worker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(auditWorkerScript('sqlite-audit-worker'), { workerData: { path: this.path } });
    worker.on('message', (replies: WriterReply[]) => {
      for (const reply of replies) {
        const pending = this.#pending.get(reply.id);
        if (!pending) continue;
        this.#pending.delete(reply.id);
        if ('chained' in reply) pending.resolve(reply.chained);
        else if ('saved' in reply) pending.resolve(undefined);
        else
          pending.reject(
            this.unavailable(
              reply.error.message,
              reply.error.code !== undefined ? { code: reply.error.code } : undefined,
            ),
          );
      }
      // An idle writer must not keep the process alive; one with appends in flight must.
      if (this.#pending.size === 0) worker.unref();
    });
    const fail = (why: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      for (const p of pending) p.reject(this.unavailable(why));
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`the audit writer thread exited (${code})`));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  private unavailable(why: string, cause?: { code: string }): GatehouseError {
    return new GatehouseError('GH_STORE_UNAVAILABLE', `store ${this.describe} failed: ${why}`, {
      status: 503,
      ...(cause && { cause }),
    });
  }
}
