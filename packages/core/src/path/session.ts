import type { Effect } from '../policy/types.js';
import { formatPath } from '../yaml/document.js';
import { fingerprintsOfOutput, originsOfArguments, provenanceOfArguments } from './fingerprints.js';

/** Bounds that keep one session's memory small whatever an agent does. */
export const SESSION_LIMITS = {
  /** Fingerprints remembered per session; the oldest go first. */
  maxFingerprints: 20_000,
  /** Calls kept in the session's history. */
  maxCalls: 500,
  /** Characters of flagged outputs kept to recognise values they mention; the oldest go first. */
  maxFlaggedChars: 64 * 1024,
} as const;

/** Origins that vouch for a value: the user gave it, a system of record returned it, the application endorsed it. */
export const VOUCHING_ORIGINS: readonly string[] = ['user_input', 'trusted', 'endorsed'];
/** Labels that mark a value as the attacker's to choose; a vouching origin outranks them for that value. */
const TAINT_LABELS = ['untrusted', 'injection_suspected'];
/** The detector label that scopes containment to the values a flagged output carried. */
const INJECTION_SUSPECTED = 'injection_suspected';

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
  /**
   * Text of outputs the injection detector flagged, folded for matching (lower-cased,
   * punctuation to spaces), so that a value they name in prose (a hotel, a file) carries
   * `injection_suspected` even when it is no identifier.
   */
  readonly flagged: string[];
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
    flagged: [],
    createdAt: now,
    lastUsedAt: now,
  };
}

/**
 * Records a tool output: its labels join the session's, and its fingerprints
 * remember those labels for the provenance of later arguments.
 *
 * `trusted` (a system of record, DESIGN §7) vouches for the output's fields, not for what
 * its free text quotes, and not at all for an output the detectors flagged.
 */
export function observeOutput(session: SessionState, output: unknown, labels: readonly string[]): void {
  for (const label of labels) session.labels.add(label);
  if (labels.length === 0) return;
  const fingerprints = fingerprintsOfOutput(output);
  // Part of a labelled output was never inspected: the session says so, and policy can act on it.
  if (fingerprints.incomplete) session.labels.add(PROVENANCE_INCOMPLETE);
  const flagged = labels.includes(INJECTION_SUSPECTED);
  const fieldLabels = flagged ? labels.filter((l) => l !== 'trusted') : labels;
  remember(session, fingerprints.fields, fieldLabels);
  remember(
    session,
    fingerprints.embedded,
    labels.filter((l) => l !== 'trusted'),
  );
  if (flagged) rememberFlaggedText(session, output);
}

/** A session label: some labelled output was too large to inspect, or its fingerprints were dropped. */
export const PROVENANCE_INCOMPLETE = 'provenance-incomplete';

/**
 * Records values the user supplied (a prompt, a form): labelled `user_input`. Values the
 * application endorses as the user's choice (the file the user pointed at) are also
 * `endorsed`, so that the audit and policy can tell the two apart.
 */
export function observeUserInput(session: SessionState, values: unknown, endorsed = false): void {
  const fingerprints = fingerprintsOfOutput(values);
  remember(session, fingerprints, endorsed ? ['user_input', 'endorsed'] : ['user_input']);
}

/** Lower-cased, every run of non-alphanumerics one space: `Riverside-View!` and `riverside view` agree. */
function foldForMentions(text: string): string {
  return ` ${text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

function rememberFlaggedText(session: SessionState, output: unknown): void {
  let text: string;
  try {
    text = typeof output === 'string' ? output : (JSON.stringify(output) ?? '');
  } catch {
    return;
  }
  session.flagged.push(foldForMentions(text.slice(0, SESSION_LIMITS.maxFlaggedChars)));
  let total = session.flagged.reduce((n, t) => n + t.length, 0);
  while (total > SESSION_LIMITS.maxFlaggedChars && session.flagged.length > 1) {
    total -= session.flagged.shift()!.length;
    session.labels.add(PROVENANCE_INCOMPLETE);
  }
}

/** Whether a value is named, as a whole phrase, in an output the detectors flagged. */
function mentionedInFlagged(session: SessionState, value: unknown): boolean {
  if (session.flagged.length === 0 || (typeof value !== 'string' && typeof value !== 'number')) return false;
  const folded = foldForMentions(String(value));
  if (folded.length < 6) return false; // four characters and the two spaces around them
  return session.flagged.some((text) => text.includes(folded));
}

function remember(session: SessionState, fingerprints: Iterable<string>, labels: readonly string[]): void {
  if (labels.length === 0) return;
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
 * What the session knows of one fingerprint. A value the user supplied (or a system of
 * record returned, or the application endorsed) is vouched for even if an untrusted document
 * also contains it, so the taint labels are reported only for values that came from
 * untrusted content alone — what a rule like `"untrusted" in provenance["to"]` means.
 */
function sessionLabelsOf(session: SessionState): (fingerprint: string) => string[] | undefined {
  return (fingerprint) => {
    const labels = session.fingerprints.get(fingerprint);
    if (!labels) return undefined;
    if (VOUCHING_ORIGINS.some((o) => labels.has(o)))
      return [...labels].filter((l) => !TAINT_LABELS.includes(l));
    return [...labels];
  };
}

/** The provenance of a call's arguments in this session (negative: the labels their values carry). */
export function provenanceInSession(
  session: SessionState,
  args: Readonly<Record<string, unknown>>,
  contentLabelsOf?: (text: string) => readonly string[],
): Record<string, string[]> {
  const labelsOf = sessionLabelsOf(session);
  const provenance = provenanceOfArguments(args, labelsOf, contentLabelsOf);
  if (session.flagged.length > 0) {
    // Containment scoped to the values a flagged output carried, identifiers or not.
    const { origin } = originsOfArguments(args, labelsOf);
    visitLeaves(args, (value, path) => {
      if (!mentionedInFlagged(session, value)) return;
      if ((origin[path] ?? []).some((o) => VOUCHING_ORIGINS.includes(o))) return;
      const labels = new Set(provenance[path] ?? []);
      labels.add(INJECTION_SUSPECTED);
      provenance[path] = [...labels].sort();
    });
  }
  return provenance;
}

/** Positive provenance of a call's arguments in this session: see `originsOfArguments`. */
export function originsInSession(
  session: SessionState,
  args: Readonly<Record<string, unknown>>,
): { origin: Record<string, string[]>; mentions: Record<string, string[]> } {
  return originsOfArguments(args, sessionLabelsOf(session));
}

function visitLeaves(
  value: unknown,
  visit: (value: unknown, path: string) => void,
  path: (string | number)[] = [],
  depth = 0,
): void {
  if (depth > 32) return;
  if (value !== null && typeof value === 'object') {
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [k, v] of entries.slice(0, 10_000)) visitLeaves(v, visit, [...path, k], depth + 1);
  } else if (path.length > 0) visit(value, formatPath(path));
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
  readonly flagged?: readonly string[];
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
    ...(session.flagged.length > 0 && { flagged: [...session.flagged] }),
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
    flagged: boundedFlagged(data.flagged ?? []),
    createdAt: data.createdAt,
    lastUsedAt: data.lastUsedAt,
  };
  if (data.intent !== undefined) session.intent = data.intent;
  return session;
}

function boundedFlagged(texts: readonly string[]): string[] {
  const kept: string[] = [];
  let total = 0;
  for (const text of [...texts].reverse()) {
    if (typeof text !== 'string' || total + text.length > SESSION_LIMITS.maxFlaggedChars) break;
    kept.unshift(text);
    total += text.length;
  }
  return kept;
}
