import {
  boundPhrases,
  PROVENANCE_INCOMPLETE,
  SESSION_LIMITS,
  type SessionCall,
  type SessionState,
} from './session.js';

/*
 * Sessions kept: in memory (bounded, idle ones dropped), and as JSON for a
 * store, whole or as the changes journalled since the last write.
 */

/** Starts recording changes to the session (see `SessionState.journal`), dropping any recorded. */
export function startSessionJournal(session: SessionState): void {
  session.journal = { calls: [], fingerprints: new Set(), evicted: new Set(), phrases: [] };
}

/** A session's changes as JSON, for a store to append. */
export interface SerializedSessionChanges {
  readonly labels: readonly string[];
  readonly intent?: string;
  readonly lastUsedAt: number;
  readonly calls?: readonly SessionCall[];
  readonly fingerprints?: readonly (readonly [string, readonly string[]])[];
  readonly evicted?: readonly string[];
  readonly phrases?: readonly { readonly labels: readonly string[]; readonly text: string }[];
}

/**
 * The changes recorded since the journal started or was last taken, and a fresh journal in its
 * place; undefined when the session keeps no journal.
 */
export function takeSessionChanges(session: SessionState): SerializedSessionChanges | undefined {
  const journal = session.journal;
  if (!journal) return undefined;
  startSessionJournal(session);
  const fingerprints: [string, string[]][] = [];
  for (const f of journal.fingerprints) {
    const labels = session.fingerprints.get(f);
    if (labels) fingerprints.push([f, [...labels]]);
  }
  return {
    labels: [...session.labels],
    ...(session.intent !== undefined && { intent: session.intent }),
    lastUsedAt: session.lastUsedAt,
    ...(journal.calls.length > 0 && { calls: journal.calls }),
    ...(fingerprints.length > 0 && { fingerprints }),
    ...(journal.evicted.size > 0 && { evicted: [...journal.evicted] }),
    ...(journal.phrases.length > 0 && { phrases: journal.phrases }),
  };
}

/**
 * Applies changes taken from a session (`takeSessionChanges`) to an earlier copy of it: the
 * result is the session as it was when they were taken. Bounds are applied again, since stored
 * data is input too.
 */
export function applySessionChanges(session: SessionState, changes: SerializedSessionChanges): void {
  session.labels.clear();
  for (const label of changes.labels ?? []) if (typeof label === 'string') session.labels.add(label);
  if (typeof changes.intent === 'string') session.intent = changes.intent;
  if (typeof changes.lastUsedAt === 'number') session.lastUsedAt = changes.lastUsedAt;
  for (const call of changes.calls ?? []) session.calls.push(call);
  if (session.calls.length > SESSION_LIMITS.maxCalls)
    session.calls.splice(0, session.calls.length - SESSION_LIMITS.maxCalls);
  // Evictions first: a fingerprint evicted and set again within the changes goes to the end.
  for (const f of changes.evicted ?? []) session.fingerprints.delete(f);
  for (const [f, labels] of changes.fingerprints ?? []) {
    if (typeof f !== 'string' || !Array.isArray(labels)) continue;
    session.fingerprints.set(f, new Set(labels.filter((l) => typeof l === 'string')));
  }
  while (session.fingerprints.size > SESSION_LIMITS.maxFingerprints) {
    const oldest = session.fingerprints.keys().next().value;
    if (oldest === undefined) break;
    session.fingerprints.delete(oldest);
    session.labels.add(PROVENANCE_INCOMPLETE);
  }
  for (const phrase of changes.phrases ?? []) {
    if (typeof phrase?.text !== 'string' || !Array.isArray(phrase.labels)) continue;
    session.phrases.push({ labels: phrase.labels.filter((l) => typeof l === 'string'), text: phrase.text });
  }
  boundPhrases(session);
}

/**
 * Sessions held in memory with a size bound (least recently used evicted)
 * and an idle timeout: the SDK's local mode, and the server's cache.
 */
export class MemorySessionStore {
  readonly #sessions = new Map<string, SessionState>();

  constructor(
    private readonly options: { maxSessions: number; idleTimeoutMs: number } = {
      maxSessions: 10_000,
      idleTimeoutMs: 60 * 60_000,
    },
  ) {}

  get(id: string, now = Date.now()): SessionState | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (now - session.lastUsedAt > this.options.idleTimeoutMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    // Re-insert: Map order is the recency order used for eviction.
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    return session;
  }

  put(session: SessionState): void {
    this.#sessions.delete(session.id);
    this.#sessions.set(session.id, session);
    while (this.#sessions.size > this.options.maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
  }

  get size(): number {
    return this.#sessions.size;
  }
}

/** A session as JSON, for a store. */
export interface SerializedSession {
  readonly id: string;
  readonly agentId: string;
  readonly labels: readonly string[];
  readonly calls: readonly SessionCall[];
  readonly intent?: string;
  readonly fingerprints: readonly (readonly [string, readonly string[]])[];
  readonly phrases?: readonly { readonly labels: readonly string[]; readonly text: string }[];
  readonly createdAt: number;
  readonly lastUsedAt: number;
}

/** The JSON form of a session. */
export function serializeSession(session: SessionState): SerializedSession {
  return {
    id: session.id,
    agentId: session.agentId,
    labels: [...session.labels],
    calls: session.calls,
    ...(session.intent !== undefined && { intent: session.intent }),
    fingerprints: [...session.fingerprints].map(([f, labels]) => [f, [...labels]] as const),
    ...(session.phrases.length > 0 && { phrases: [...session.phrases] }),
    createdAt: session.createdAt,
    lastUsedAt: session.lastUsedAt,
  };
}

/** A session from its JSON form; bounds are applied again, since stored data is input too. */
export function deserializeSession(data: SerializedSession): SessionState {
  const session: SessionState = {
    id: data.id,
    agentId: data.agentId,
    labels: new Set(data.labels),
    calls: data.calls.slice(-SESSION_LIMITS.maxCalls),
    fingerprints: new Map(
      data.fingerprints.slice(-SESSION_LIMITS.maxFingerprints).map(([f, labels]) => [f, new Set(labels)]),
    ),
    phrases: boundedPhrases(data.phrases ?? []),
    createdAt: data.createdAt,
    lastUsedAt: data.lastUsedAt,
  };
  if (data.intent !== undefined) session.intent = data.intent;
  return session;
}

function boundedPhrases(phrases: SerializedSession['phrases'] & {}): SessionState['phrases'] {
  const kept: SessionState['phrases'] = [];
  let total = 0;
  for (const phrase of [...phrases].reverse()) {
    if (typeof phrase?.text !== 'string' || !Array.isArray(phrase.labels)) continue;
    if (total + phrase.text.length > SESSION_LIMITS.maxPhraseChars) break;
    kept.unshift({ labels: phrase.labels.filter((l) => typeof l === 'string'), text: phrase.text });
    total += phrase.text.length;
  }
  return kept;
}
