import type { AuditDraft, SealedAuditEvent } from '@gatehouse/core';
import type { AuditStore } from './audit-store.js';

/** Something that records audit events durably: `append` resolves once the event is committed. */
export interface AuditSink {
  /** `behind`: see `AppendOptions`; a sink that has no such mode commits it like any other. */
  append(draft: AuditDraft, options?: AppendOptions): Promise<SealedAuditEvent>;
  /** Resolves once every event appended before the call is committed or refused. */
  settled?(): Promise<void>;
}

export interface AppendOptions {
  /**
   * Nothing waits on this event being durable (a call's outcome: the call has run): it may wait
   * up to `BEHIND_MS` for the next commit anything waits on, and share its disk sync, instead of
   * taking one of its own that a next call's write-ahead would queue behind.
   */
  readonly behind?: boolean;
}

interface Queued {
  readonly draft: AuditDraft;
  readonly resolve: (event: SealedAuditEvent) => void;
  readonly reject: (err: unknown) => void;
  /** Told when this append is handed to a commit (see `settled`). */
  handedOver?: (() => void)[];
}

/**
 * The audit log's writer, with group commit: appends that arrive while a
 * commit is in flight wait for the next one and share it, so under load one
 * transaction (one disk sync) carries many events, while a lone append still
 * commits at once. `append` resolves only after the commit: the caller may
 * act on an event only once it is durable (the write-ahead rule).
 *
 * When the store commits in a writer thread (`concurrentAppends`), the log
 * hands it the appends of every event-loop turn without waiting for the
 * previous commit, in batches small enough that the thread commits one while
 * the next is being prepared here; the thread groups whatever queued during
 * its last sync.
 */
export class AuditLog implements AuditSink {
  #queue: Queued[] = [];
  #flushing: Promise<void> | undefined;
  /** Commits in flight; each settles every append it holds and never rejects. */
  #commits = new Set<Promise<void>>();
  #closed = false;
  /** Armed while only events written behind are queued: commits them if nothing else comes. */
  #behind: NodeJS.Timeout | undefined;
  // The last commit's fate: every call is refused while the log cannot be written, so
  // readiness must say so (see `writable`).
  #lastCommitFailed = false;

  constructor(
    private readonly store: AuditStore,
    private readonly options: {
      /** Most events per transaction (per hand-over, for a store with a writer thread). */
      readonly maxBatch?: number;
      /** Told of every committed batch, in order (checkpoints, live exporters). */
      readonly onCommitted?: (events: readonly SealedAuditEvent[]) => void;
    } = {},
  ) {}

  append(draft: AuditDraft, options?: AppendOptions): Promise<SealedAuditEvent> {
    if (this.#closed) return Promise.reject(new Error('the audit log is closed'));
    return new Promise<SealedAuditEvent>((resolve, reject) => {
      this.#queue.push({ draft, resolve, reject });
      if (options?.behind !== true) this.#flushing ??= this.flush();
      else if (this.#flushing === undefined)
        this.#behind ??= setTimeout(() => {
          this.#behind = undefined;
          this.#flushing ??= this.flush();
        }, BEHIND_MS);
    });
  }

  /**
   * Resolves once every event appended before the call has been committed or refused: a reader
   * that must see what was appended (an audit query) waits on it.
   */
  async settled(): Promise<void> {
    // What is queued is handed to a commit by the flush under way; then every commit in flight
    // at that point, which holds it, is awaited.
    const last = this.#queue.at(-1);
    if (last) {
      // Events written behind are not left waiting for their timer.
      this.#flushing ??= this.flush();
      last.handedOver ??= [];
      const told = last.handedOver;
      await new Promise<void>((resolve) => told.push(resolve));
    }
    await Promise.all([...this.#commits]);
  }

  /** False when the last commit failed: calls are being refused until one succeeds. */
  get writable(): boolean {
    return !this.#lastCommitFailed;
  }

  /** Commits what is queued and stops taking appends. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.settled();
    await this.#flushing;
  }

  private async flush(): Promise<void> {
    const maxBatch = this.options.maxBatch ?? (this.store.concurrentAppends ? HAND_OVER_BATCH : 5000);
    // What was written behind goes with this flush.
    clearTimeout(this.#behind);
    this.#behind = undefined;
    // Each commit waits for the event loop's I/O phase first: requests that have arrived meanwhile
    // reach their append and join it. (A synchronous driver would otherwise commit one event at a
    // time, each with its own disk sync, before any other request is read.)
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, maxBatch);
      const commit = this.commit(batch);
      this.#commits.add(commit);
      void commit.then(() => this.#commits.delete(commit));
      for (const q of batch) if (q.handedOver) for (const told of q.handedOver) told();
      if (!this.store.concurrentAppends) await commit;
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#flushing = undefined;
  }

  /** Commits one batch and settles its appends; never rejects. */
  private async commit(batch: readonly Queued[]): Promise<void> {
    let sealed: SealedAuditEvent[];
    try {
      sealed = await this.store.appendAudit(batch.map((q) => q.draft));
    } catch (err) {
      // Only a refusal of the data itself is worth retrying event by event. After a lost
      // connection the batch may even have committed, and a retry would write it twice.
      if (batch.length === 1 || !refusedData(err)) {
        this.#lastCommitFailed = true;
        for (const q of batch) q.reject(err);
        return;
      }
      // One event the store refuses must not fail the calls it shared a commit with:
      // each is tried alone, and only what fails alone is refused.
      sealed = [];
      for (const q of batch) {
        try {
          const [one] = await this.store.appendAudit([q.draft]);
          q.resolve(one!);
          sealed.push(one!);
        } catch (alone) {
          q.reject(alone);
        }
      }
      this.#lastCommitFailed = sealed.length === 0;
      this.notify(sealed);
      return;
    }
    this.#lastCommitFailed = false;
    for (const [i, q] of batch.entries()) q.resolve(sealed[i]!);
    this.notify(sealed);
  }

  private notify(sealed: readonly SealedAuditEvent[]): void {
    if (sealed.length === 0) return;
    try {
      this.options.onCommitted?.(sealed);
    } catch {
      // An observer's failure is its own; the events are committed.
    }
  }
}

/**
 * Longest an event written behind waits for a commit to share. Short beside anything that reads
 * the log (a query waits through `settled`, which does not wait for it), long beside the gap
 * between one agent's calls, so that at one call in flight each call's outcome rides with the
 * next call's decision.
 */
const BEHIND_MS = 20;

/**
 * Events per hand-over to a writer thread: a few event-loop turns' worth under load, so the
 * thread commits one batch while the next is prepared, instead of both taking turns idling.
 */
const HAND_OVER_BATCH = 512;

/**
 * Whether the store refused the data (a constraint, a trigger, a value it cannot hold) rather
 * than failed to answer: then the transaction certainly did not commit.
 */
function refusedData(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  if (typeof code !== 'string') return false;
  return (
    /^(22|23)[0-9A-Z]{3}$|^P0001$/.test(code) ||
    /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH)/.test(code) ||
    code === 'GH_AUDIT_UNCLONEABLE'
  );
}
