import type { Effect } from '../policy/types.js';
import { fingerprintsOfOutput, provenanceOfArguments } from './fingerprints.js';

/** Bounds that keep one session's memory small whatever an agent does. */
export const SESSION_LIMITS = {
  /** Fingerprints remembered per session; the oldest go first. */
  maxFingerprints: 20_000,
  /** Calls kept in the session's history. */
  maxCalls: 500,
} as const;

/**
 * What a caller-supplied session id may be: 1 to 128 ASCII letters, digits
 * and `._:-`. Stores normalise or replace malformed Unicode (a lone
 * surrogate becomes U+FFFD), so a looser id could name another's session.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** True when `id` is a well-formed session id (see `SESSION_ID_PATTERN`). */
export function isWellFormedSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}

/** One call as the session remembers it. */
export interface SessionCall {
  readonly tool: string;
  readonly effect: Effect;
  readonly at: number;
  readonly outcome?: 'succeeded' | 'failed';
}

/** What a session knows: bound to one agent, for the life of one run. */
export interface SessionState {
  readonly id: string;
  /** The agent the session belongs to; another agent's requests are refused. */
  readonly agentId: string;
  readonly labels: Set<string>;
  readonly calls: SessionCall[];
  intent?: string;
  /** Fingerprint → labels of the outputs (or user input) it came from; insertion-ordered for eviction. */
  readonly fingerprints: Map<string, Set<string>>;
  readonly createdAt: number;
  lastUsedAt: number;
}

/** A new, empty session for an agent. */
export function newSession(id: string, agentId: string, now = Date.now()): SessionState {
  return {
    id,
    agentId,
    labels: new Set(),
    calls: [],
    fingerprints: new Map(),
    createdAt: now,
    lastUsedAt: now,
  };
}

/**
 * Records a tool output: its labels join the session's, and its fingerprints
 * remember those labels for the provenance of later arguments.
 */
export function observeOutput(session: SessionState, output: unknown, labels: readonly string[]): void {
  for (const label of labels) session.labels.add(label);
  if (labels.length === 0) return;
  const fingerprints = fingerprintsOfOutput(output);
  // Part of a labelled output was never inspected: the session says so, and policy can act on it.
  if (fingerprints.incomplete) session.labels.add(PROVENANCE_INCOMPLETE);
  remember(session, fingerprints, labels);
}

/** A session label: some labelled output was too large to inspect, or its fingerprints were dropped. */
export const PROVENANCE_INCOMPLETE = 'provenance-incomplete';

/** Records values the user supplied (a prompt, a form): labelled `user_input`. */
export function observeUserInput(session: SessionState, values: unknown): void {
  remember(session, fingerprintsOfOutput(values), ['user_input']);
}

function remember(session: SessionState, fingerprints: Iterable<string>, labels: readonly string[]): void {
  for (const f of fingerprints) {
    const known = session.fingerprints.get(f);
    if (known) {
      for (const l of labels) known.add(l);
      continue;
    }
    if (session.fingerprints.size >= SESSION_LIMITS.maxFingerprints) {
      const oldest = session.fingerprints.keys().next().value;
      if (oldest !== undefined) {
        // Forgetting where a value came from must not make it look clean.
        if ([...(session.fingerprints.get(oldest) ?? [])].some((l) => l !== 'user_input'))
          session.labels.add(PROVENANCE_INCOMPLETE);
        session.fingerprints.delete(oldest);
      }
    }
    session.fingerprints.set(f, new Set(labels));
  }
}

/**
 * The provenance of a call's arguments in this session. A value the user
 * supplied is the user's even if an untrusted document also contains it, so
 * `untrusted` is reported only for values that came from untrusted content
 * alone — what a rule like `"untrusted" in provenance["to"]` means.
 */
export function provenanceInSession(
  session: SessionState,
  args: Readonly<Record<string, unknown>>,
  contentLabelsOf?: (text: string) => readonly string[],
): Record<string, string[]> {
  return provenanceOfArguments(
    args,
    (fingerprint) => {
      const labels = session.fingerprints.get(fingerprint);
      if (!labels) return undefined;
      if (labels.has('user_input') && labels.has('untrusted'))
        return [...labels].filter((l) => l !== 'untrusted');
      return [...labels];
    },
    contentLabelsOf,
  );
}

/** Appends a call to the history, dropping the oldest beyond the bound. */
export function recordCall(session: SessionState, call: SessionCall): void {
  session.calls.push(call);
  if (session.calls.length > SESSION_LIMITS.maxCalls)
    session.calls.splice(0, session.calls.length - SESSION_LIMITS.maxCalls);
  session.lastUsedAt = call.at;
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
    createdAt: data.createdAt,
    lastUsedAt: data.lastUsedAt,
  };
  if (data.intent !== undefined) session.intent = data.intent;
  return session;
}
