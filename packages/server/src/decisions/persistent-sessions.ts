import {
  deserializeSession,
  MemorySessionStore,
  type SerializedSession,
  type SessionState,
  serializeSession,
} from '@gatehouse/core';
import type { Store, StoredSession } from '../store/index.js';

/** How long changes wait before they are written together. */
const FLUSH_DELAY_MS = 50;

/**
 * Sessions for the server: served from memory, written behind to the store
 * (coalesced per session), read back on a miss — so a restart keeps every
 * named session's labels and provenance. A store that cannot be read makes `get`
 * throw, and the path denies the call.
 *
 * Several replicas share stored sessions but not each other's unflushed
 * changes: route one session to one replica (session affinity).
 */
export class PersistentSessionStore {
  readonly #memory = new MemorySessionStore();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store) {}

  async get(id: string): Promise<SessionState | undefined> {
    const cached = this.#memory.get(id);
    if (cached) return cached;
    const stored = await this.store.loadSession(id);
    if (!stored) return undefined;
    const session = deserializeSession(JSON.parse(stored.state) as SerializedSession);
    if (session.agentId !== stored.agentId) return undefined;
    this.#memory.put(session);
    return session;
  }

  put(session: SessionState): void {
    this.#memory.put(session);
    // A session no request named, under a policy that reads no provenance, is not written:
    // it cost a row and a rewrite per call for nothing any later decision reads.
    if (session.transient) return;
    this.#dirty.add(session.id);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing.then(() => this.flush());
    }, FLUSH_DELAY_MS);
  }

  /** Writes every changed session now, in one transaction. */
  async flush(): Promise<void> {
    const ids = [...this.#dirty];
    this.#dirty.clear();
    const batch: StoredSession[] = [];
    for (const id of ids) {
      const session = this.#memory.get(id);
      if (!session) continue;
      batch.push({
        id,
        agentId: session.agentId,
        state: JSON.stringify(serializeSession(session)),
        updatedAt: new Date(session.lastUsedAt),
      });
    }
    try {
      await this.store.saveSessions(batch);
    } catch {
      // Kept in memory and retried on the next flush; the running process stays correct.
      for (const { id } of batch) this.#dirty.add(id);
    }
  }

  /** Flushes pending writes; call before the store closes. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.flush();
  }
}
