import {
  applySessionChanges,
  deserializeSession,
  MemorySessionStore,
  type SerializedSession,
  type SerializedSessionChanges,
  type SessionState,
  serializeSession,
  startSessionJournal,
  takeSessionChanges,
} from '@gatehouse/core';
import type { Store, StoredSession } from '../store/index.js';

/** How long changes wait before they are written together. */
const FLUSH_DELAY_MS = 50;

/**
 * When the changes appended since a session's snapshot make a new snapshot worth writing: more
 * rows than a read should replay, or more bytes than the snapshot itself (so the changes never
 * cost more than twice what they say, and a read never more than twice the session).
 */
const MAX_CHANGES_PER_SNAPSHOT = 256;
const MIN_CHANGE_BYTES_PER_SNAPSHOT = 64 * 1024;

/** Unnamed sessions held unwritten at most: as many as the sessions kept in memory. */
const MAX_HELD = 10_000;

/** What has been written of a session since its last snapshot. */
interface Written {
  snapshotBytes: number;
  changes: number;
  changeBytes: number;
}

/**
 * Sessions for the server: served from memory, written behind to the store
 * (coalesced per session), read back on a miss — so a restart keeps every
 * named session's labels and provenance. A store that cannot be read makes `get`
 * throw, and the path denies the call.
 *
 * Written by delta: a session's first write is a snapshot; after that each
 * flush appends only what changed (new calls, fingerprints set or relabelled
 * or evicted, phrases, and the small labels and intent whole), and a new
 * snapshot folds the changes in once they outweigh it.
 *
 * Several replicas share stored sessions but not each other's unflushed
 * changes: route one session to one replica (session affinity).
 */
export class PersistentSessionStore {
  readonly #memory = new MemorySessionStore();
  /** Sessions changed since their last write; held here so an eviction from memory loses nothing. */
  readonly #dirty = new Map<string, SessionState>();
  readonly #written = new WeakMap<SessionState, Written>();
  /**
   * Unnamed sessions whose first write is held back until they are touched again (or the server
   * stops), oldest first. Bounded like the sessions in memory: the oldest beyond the bound is
   * dropped unwritten, as a transient session falls out of memory (a request naming it later
   * starts afresh, without the user input it held: stricter, never looser).
   */
  readonly #held = new Map<string, SessionState>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store) {}

  async get(id: string): Promise<SessionState | undefined> {
    const cached = this.#memory.get(id) ?? this.#dirty.get(id) ?? this.#held.get(id);
    if (cached) return cached;
    const stored = await this.store.loadSession(id);
    if (!stored) return undefined;
    const session = deserializeSession(JSON.parse(stored.state) as SerializedSession);
    if (session.agentId !== stored.agentId) return undefined;
    let changeBytes = 0;
    for (const change of stored.changes ?? []) {
      applySessionChanges(session, JSON.parse(change) as SerializedSessionChanges);
      changeBytes += change.length;
    }
    startSessionJournal(session);
    this.#written.set(session, {
      snapshotBytes: stored.state.length,
      changes: stored.changes?.length ?? 0,
      changeBytes,
    });
    this.#memory.put(session);
    return session;
  }

  put(session: SessionState): void {
    this.#memory.put(session);
    // A session no request named, under a policy that reads no provenance, is not written:
    // it cost a row and a rewrite per call for nothing any later decision reads.
    if (session.transient) return;
    // Most requests that name no session are never followed by one that names it: their
    // session is written only once something touches it again.
    if (session.unnamed) {
      // Held once: its next put (an outcome reported into it, a request naming it) writes it.
      delete session.unnamed;
      this.#held.set(session.id, session);
      if (this.#held.size > MAX_HELD) this.#held.delete(this.#held.keys().next().value as string);
      return;
    }
    this.#held.delete(session.id);
    this.#dirty.set(session.id, session);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing.then(() => this.flush());
    }, FLUSH_DELAY_MS);
  }

  /** Writes every changed session now, in one transaction: what changed, or a new snapshot. */
  async flush(): Promise<void> {
    const sessions = [...this.#dirty.values()];
    this.#dirty.clear();
    const batch: StoredSession[] = [];
    for (const session of sessions) {
      const written = this.#written.get(session);
      const base = { id: session.id, agentId: session.agentId, updatedAt: new Date(session.lastUsedAt) };
      const changes = written && !this.snapshotDue(written) ? takeSessionChanges(session) : undefined;
      if (changes && written) {
        const change = JSON.stringify(changes);
        written.changes++;
        written.changeBytes += change.length;
        batch.push({ ...base, change });
        continue;
      }
      // The journal starts with the snapshot: what changes after it goes into the next write.
      startSessionJournal(session);
      const state = JSON.stringify(serializeSession(session));
      this.#written.set(session, { snapshotBytes: state.length, changes: 0, changeBytes: 0 });
      batch.push({ ...base, state });
    }
    try {
      await this.store.saveSessions(batch);
    } catch {
      // Kept in memory and retried on the next flush, as a snapshot: the changes taken for this
      // write are gone from the journal. The running process stays correct.
      for (const session of sessions) {
        this.#written.delete(session);
        if (!this.#dirty.has(session.id)) this.#dirty.set(session.id, session);
      }
    }
  }

  private snapshotDue(written: Written): boolean {
    return (
      written.changes >= MAX_CHANGES_PER_SNAPSHOT ||
      written.changeBytes > Math.max(written.snapshotBytes, MIN_CHANGE_BYTES_PER_SNAPSHOT)
    );
  }

  /** Flushes pending writes; call before the store closes. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    // A restart keeps what a running server kept: held sessions are written as it stops.
    for (const session of this.#held.values()) this.#dirty.set(session.id, session);
    this.#held.clear();
    await this.flush();
  }
}
