import { childPath } from '../detectors/walk.js';
import type { Effect } from '../policy/types.js';
import {
  fingerprintsOfOutput,
  originsOfArguments,
  provenanceOfArguments,
  UNKNOWN_ORIGIN,
  VOUCHING_ORIGINS,
  walkArguments,
} from './fingerprints.js';

/** Bounds that keep one session's memory small whatever an agent does. */
export const SESSION_LIMITS = {
  /** Fingerprints remembered per session; the oldest go first. */
  maxFingerprints: 20_000,
  /** Calls kept in the session's history. */
  maxCalls: 500,
  /** Characters of user input and flagged outputs kept to recognise the phrases they name; the oldest go first. */
  maxPhraseChars: 64 * 1024,
} as const;

/** Labels that mark a value as the attacker's to choose; a vouching origin outranks them for that value. */
const TAINT_LABELS = ['untrusted', 'injection_suspected'];
/** The detector label that scopes containment to the values a flagged output carried. */
const INJECTION_SUSPECTED = 'injection_suspected';

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
  /**
   * Texts whose phrases count as values, folded for matching (lower-cased, punctuation to
   * spaces) with their labels: what the user wrote (a hotel the user named is the user's) and
   * what an output the injection detector flagged said (a hotel it named carries
   * `injection_suspected`), for values that are no identifier.
   */
  readonly phrases: { readonly labels: readonly string[]; readonly text: string }[];
  readonly createdAt: number;
  lastUsedAt: number;
  /**
   * Made for a request that named no session, under a policy that reads no provenance: nothing
   * the session holds can matter to a later decision unless a caller names it, so a store may
   * keep it in memory only. A request that names it clears this.
   */
  transient?: boolean;
  /**
   * Made for a request that named no session, under a policy that does read provenance: until
   * something touches it again (a request names it, an outcome is reported into it), it holds
   * this request's user input and one call, no more than a caller gets by naming no session at
   * all, so a store may hold its first write back until then. A request that names it clears this.
   */
  unnamed?: boolean;
  /**
   * What changed since a store last wrote the session, kept only once a store asks for it
   * (`startSessionJournal`): the store then appends these changes instead of rewriting the
   * whole session.
   */
  journal?: SessionJournal;
}

/**
 * Changes to a session since it was last written. Labels, intent and the last use are small
 * and written whole; calls and phrases are appended; fingerprints are named when set or when
 * their labels grew (in the order they were first set, which is their order in the session)
 * and when evicted.
 */
export interface SessionJournal {
  readonly calls: SessionCall[];
  readonly fingerprints: Set<string>;
  readonly evicted: Set<string>;
  readonly phrases: { readonly labels: readonly string[]; readonly text: string }[];
}

/** A new, empty session for an agent. */
export function newSession(id: string, agentId: string, now = Date.now()): SessionState {
  return {
    id,
    agentId,
    labels: new Set(),
    calls: [],
    fingerprints: new Map(),
    phrases: [],
    createdAt: now,
    lastUsedAt: now,
  };
}

/**
 * Records a tool output: its labels join the session's, and its fingerprints
 * remember those labels for the provenance of later arguments.
 *
 * `trusted` (a system of record, DESIGN §7) vouches for the output's fields, not for what
 * its free text quotes. When the detectors flag the output, `injection_suspected` (and the
 * loss of trust) is scoped to the records the flagged strings belong to — the siblings of
 * each flagged string (`flaggedPaths`, as the detectors name them); with no paths, to all of it.
 */
export function observeOutput(
  session: SessionState,
  output: unknown,
  labels: readonly string[],
  flaggedPaths?: readonly string[],
): void {
  for (const label of labels) session.labels.add(label);
  if (labels.length === 0) return;
  const fingerprints = fingerprintsOfOutput(output);
  // Part of a labelled output was never inspected: the session says so, and policy can act on it.
  if (fingerprints.incomplete) session.labels.add(PROVENANCE_INCOMPLETE);
  const flagged = labels.includes(INJECTION_SUSPECTED);
  const scopes = flagged ? flaggedScopes(flaggedPaths) : [];
  const base = labels.filter((l) => l !== 'trusted' && l !== INJECTION_SUSPECTED);
  const byLabels = new Map<string, string[]>();
  for (const entry of fingerprints.entries) {
    const tainted = flagged && inScope(scopes, entry.path);
    const own = [...base];
    if (entry.field && !tainted && labels.includes('trusted')) own.push('trusted');
    if (tainted) own.push(INJECTION_SUSPECTED);
    const key = own.join(',');
    const list = byLabels.get(key);
    if (list) list.push(entry.fingerprint);
    else byLabels.set(key, [entry.fingerprint]);
  }
  for (const [key, list] of byLabels) remember(session, list, key === '' ? [] : key.split(','));
  if (flagged) rememberPhrases(session, textInScope(output, scopes), [INJECTION_SUSPECTED]);
}

/** The records a flagged string belongs to: its parent path (`[2].subject` → `[2]`); '' is the whole output. */
function flaggedScopes(paths: readonly string[] | undefined): string[] {
  if (!paths || paths.length === 0) return [''];
  return paths.map((p) => {
    const bare = p.replace(/\{(?:key|decoded|pair)\}$/, '');
    const cut = Math.max(bare.lastIndexOf('.'), bare.lastIndexOf('['));
    return cut <= 0 ? '' : bare.slice(0, cut);
  });
}

function inScope(scopes: readonly string[], path: string): boolean {
  return scopes.some(
    (s) =>
      s === '' ||
      path === s ||
      path.startsWith(`${s}.`) ||
      path.startsWith(`${s}[`) ||
      path.startsWith(`${s}{`),
  );
}

/** The strings of an output inside the flagged records, joined, for phrase matching. */
function textInScope(output: unknown, scopes: readonly string[]): string {
  if (scopes.includes('')) {
    if (typeof output === 'string') return output;
    try {
      return JSON.stringify(output) ?? '';
    } catch {
      return '';
    }
  }
  const parts: string[] = [];
  const visit = (value: unknown, path: string, depth: number) => {
    if (depth > 32) return;
    if (typeof value === 'string') {
      if (inScope(scopes, path)) parts.push(value);
    } else if (value !== null && typeof value === 'object') {
      if (Array.isArray(value))
        value.forEach((v, i) => {
          visit(v, childPath(path, i), depth + 1);
        });
      else for (const [k, v] of Object.entries(value)) visit(v, childPath(path, k), depth + 1);
    }
  };
  visit(output, '', 0);
  return parts.join('\n');
}

/** A session label: some labelled output was too large to inspect, or its fingerprints were dropped. */
export const PROVENANCE_INCOMPLETE = 'provenance-incomplete';

/**
 * Records values the user supplied (a prompt, a form): labelled `user_input`. Values the
 * application endorses as the user's choice (the file the user pointed at) are also
 * `endorsed`, so that the audit and policy can tell the two apart.
 */
export function observeUserInput(session: SessionState, values: unknown, endorsed = false): void {
  const labels = endorsed ? ['user_input', 'endorsed'] : ['user_input'];
  remember(session, fingerprintsOfOutput(values), labels);
  rememberPhrases(session, values, labels);
}

/** Lower-cased, every run of non-alphanumerics one space: `Riverside-View!` and `riverside view` agree. */
function foldForMentions(text: string): string {
  return ` ${text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

function rememberPhrases(session: SessionState, value: unknown, labels: readonly string[]): void {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  } catch {
    return;
  }
  const phrase = { labels, text: foldForMentions(text.slice(0, SESSION_LIMITS.maxPhraseChars)) };
  session.phrases.push(phrase);
  session.journal?.phrases.push(phrase);
  boundPhrases(session);
}

/** Drops the oldest phrases beyond the bound, keeping at least the newest. */
export function boundPhrases(session: SessionState): void {
  let total = session.phrases.reduce((n, p) => n + p.text.length, 0);
  while (total > SESSION_LIMITS.maxPhraseChars && session.phrases.length > 1) {
    total -= session.phrases.shift()!.text.length;
    // Forgetting what a flagged output named must not make its values look clean.
    session.labels.add(PROVENANCE_INCOMPLETE);
  }
}

/**
 * The labels of the remembered texts that name a value as a whole phrase. A name the user
 * wrote counts from three letters or digits (`Eve`); a flagged output taints from four, so
 * that common short words it happens to contain do not hold the user's next task.
 */
function phraseLabels(session: SessionState, value: unknown): Set<string> {
  const labels = new Set<string>();
  if (session.phrases.length === 0 || (typeof value !== 'string' && typeof value !== 'number')) return labels;
  const folded = foldForMentions(String(value));
  if (folded.length < 5) return labels; // three characters and the two spaces around them
  for (const phrase of session.phrases) {
    if (folded.length < 6 && phrase.labels.includes(INJECTION_SUSPECTED)) continue;
    if (phrase.text.includes(folded)) for (const l of phrase.labels) labels.add(l);
  }
  return labels;
}

function remember(session: SessionState, fingerprints: Iterable<string>, labels: readonly string[]): void {
  if (labels.length === 0) return;
  const journal = session.journal;
  for (const f of fingerprints) {
    const known = session.fingerprints.get(f);
    if (known) {
      const before = known.size;
      for (const l of labels) known.add(l);
      if (known.size !== before) journal?.fingerprints.add(f);
      continue;
    }
    if (session.fingerprints.size >= SESSION_LIMITS.maxFingerprints) {
      const oldest = session.fingerprints.keys().next().value;
      if (oldest !== undefined) {
        // Forgetting where a value came from must not make it look clean.
        if ([...(session.fingerprints.get(oldest) ?? [])].some((l) => l !== 'user_input'))
          session.labels.add(PROVENANCE_INCOMPLETE);
        session.fingerprints.delete(oldest);
        journal?.fingerprints.delete(oldest);
        journal?.evicted.add(oldest);
      }
    }
    session.fingerprints.set(f, new Set(labels));
    journal?.fingerprints.add(f);
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
  if (session.phrases.some((p) => p.labels.includes(INJECTION_SUSPECTED))) {
    // Containment scoped to the values a flagged output carried, identifiers or not.
    const { origin } = originsInSession(session, args);
    walkArguments(args, (value, path) => {
      if (!phraseLabels(session, value).has(INJECTION_SUSPECTED)) return;
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
): { origin: Record<string, string[]>; mentions: Record<string, string[][]> } {
  const origins = originsOfArguments(args, sessionLabelsOf(session));
  if (session.phrases.length > 0) {
    // A name the user wrote in a sentence (a hotel, a file, a person) is the user's too.
    walkArguments(args, (value, path) => {
      const vouched = [...phraseLabels(session, value)].filter((l) => VOUCHING_ORIGINS.includes(l));
      if (vouched.length === 0) return;
      const known = (origins.origin[path] ?? []).filter((o) => o !== UNKNOWN_ORIGIN);
      origins.origin[path] = [...new Set([...known, ...vouched])].sort();
    });
  }
  return origins;
}

/** Appends a call to the history, dropping the oldest beyond the bound. */
export function recordCall(session: SessionState, call: SessionCall): void {
  session.calls.push(call);
  session.journal?.calls.push(call);
  const excess = session.calls.length - SESSION_LIMITS.maxCalls;
  // One over is the steady state of a long session: shift() drops it in place, where
  // splice(0, 1) copied the other 500 calls on every call.
  if (excess === 1) session.calls.shift();
  else if (excess > 1) session.calls.splice(0, excess);
  session.lastUsedAt = call.at;
}
