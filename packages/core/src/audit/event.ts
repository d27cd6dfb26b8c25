import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { canonicalAuditText } from './canonical-event.js';

/**
 * The audit event (DESIGN §6) and its hash chain.
 *
 * Each event is sealed with its sequence number and the previous event's
 * hash; `hash` is the SHA-256 of the event's RFC 8785 canonical form, which
 * is also the text the store keeps. Verification therefore hashes the stored
 * bytes as they are: any edit, even one that keeps the JSON meaning, breaks
 * the chain at that event.
 */

export const AUDIT_EVENT_TYPES = [
  'decision',
  'execution',
  'approval',
  'token',
  'agent',
  'policy',
  'alert',
  'admin',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_OUTCOMES = [
  'allowed',
  'denied',
  'escalated',
  'approved',
  'succeeded',
  'failed',
  'error',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Who acted: the agent and on whose behalf, or the person. */
export interface AuditWho {
  readonly agent?: { readonly id: string; readonly name?: string; readonly owner?: string };
  /** The human the agent acts for. */
  readonly user?: Readonly<Record<string, unknown>>;
  /** A person acting directly: an approver voting, an admin changing things. */
  readonly person?: string;
  /** Agents that delegated to this one, outermost first. */
  readonly delegation?: readonly string[];
}

/** What was done. */
export interface AuditWhat {
  readonly tool?: string;
  /** The arguments with secrets redacted; `args_hash` is over the original. */
  readonly args?: unknown;
  readonly args_hash?: string;
  /** The resource the call is about, as the caller described it. */
  readonly resource?: Readonly<Record<string, unknown>>;
  /** For non-tool events: what happened (`agent.suspended`, `policy.loaded`, …). */
  readonly action?: string;
  /** A bounded, redacted preview of a tool's output. */
  readonly output?: unknown;
}

/** Where it happened. */
export interface AuditWhere {
  /** The Gatehouse process that wrote the event. */
  readonly node?: string;
  /** Which door: `decision-api`, `sdk`, `gateway`, `cli`, `oauth`, `admin-api`. */
  readonly door?: string;
  readonly upstream?: string;
  readonly endpoint?: string;
}

/** Why: the agent's words and the rules that applied. */
export interface AuditWhy {
  readonly reasoning?: string;
  readonly intent?: string;
  readonly rules?: readonly { readonly id: string; readonly effect: string; readonly message: string }[];
  readonly reasons?: readonly string[];
  /** What the application endorsed as the user's choice with this call (secrets redacted). */
  readonly endorsed?: unknown;
}

/** An event as a writer hands it over; the log adds id, seq, prev_hash and hash. */
export interface AuditDraft {
  readonly type: AuditEventType;
  /** RFC 3339. */
  readonly time: string;
  readonly who: AuditWho;
  readonly what: AuditWhat;
  readonly where?: AuditWhere;
  readonly why?: AuditWhy;
  readonly outcome: {
    readonly status: AuditOutcome;
    /** A stable code (`rule-deny`, `rate-limited`, …). */
    readonly code?: string;
    readonly detail?: string;
    readonly duration_ms?: number;
  };
  readonly session_id?: string;
  readonly trace_id?: string;
  readonly decision_id?: string;
  readonly approval_id?: string;
}

/** An event in the chain. */
export interface AuditEvent extends AuditDraft {
  readonly id: string;
  readonly seq: number;
  readonly prev_hash: string;
  readonly hash: string;
}

/** An event as stored: its canonical text (without `hash`) and the columns queries filter on. */
export interface SealedAuditEvent {
  readonly seq: number;
  readonly id: string;
  readonly type: AuditEventType;
  /** Epoch milliseconds of `time`. */
  readonly timeMs: number;
  readonly agentId?: string;
  readonly sessionId?: string;
  readonly tool?: string;
  readonly outcome: AuditOutcome;
  readonly prevHash: string;
  readonly hash: string;
  /** RFC 8785 canonical JSON of the event without `hash`: the hashed bytes. */
  readonly text: string;
}

/**
 * An event ready to be chained: its canonical text split where the chain's link goes, and its
 * query columns. Preparing is the costly part of sealing (canonical JSON); it needs neither the
 * sequence number nor the previous hash, so it can be done before the chain's head is known,
 * outside the lock and off the writer's thread.
 */
export interface PreparedAuditEvent {
  readonly id: string;
  readonly type: AuditEventType;
  readonly timeMs: number;
  readonly agentId?: string;
  readonly sessionId?: string;
  readonly tool?: string;
  readonly outcome: AuditOutcome;
  /** The canonical text up to the link: `{…,"outcome":{…},`. */
  readonly head: string;
  /** The canonical text after the link: `"session_id":…}`. */
  readonly tail: string;
}

// Sorted keys put `prev_hash` then `seq` right after `outcome` (only ids and the outcome precede
// them), so the link is one run of text at a fixed place; a placeholder link marks it.
const PLACEHOLDER_HASH = '';
const PLACEHOLDER_SEQ = -1;
const PLACEHOLDER_LINK = '"prev_hash":"","seq":-1,';

/** The text between `head` and `tail`: the event's place in the chain. */
export function auditLink(seq: number, prevHash: string): string {
  return `"prev_hash":"${prevHash}","seq":${seq},`;
}

/** Prepares a draft as event `id` (see `PreparedAuditEvent`). */
export function prepareAuditEvent(draft: AuditDraft, id: string): PreparedAuditEvent {
  const body = { ...draft, id, seq: PLACEHOLDER_SEQ, prev_hash: PLACEHOLDER_HASH };
  let text: string;
  try {
    text = canonicalAuditText(body);
  } catch {
    // RFC 8785 refuses lone surrogates and non-finite numbers, which an agent's JSON can
    // carry. Such an event must still be recorded (a refusal nobody can see invites probing)
    // and must not fail the batch it shares a commit with: it is kept in its storable form.
    text = canonicalAuditText(storableJson(body) as typeof body);
  }
  // The first occurrence is the event's own: what precedes it is ids and the outcome's scalars.
  const link = text.indexOf(PLACEHOLDER_LINK);
  if (link < 0) throw new TypeError('the audit event has no place for its link');
  // Built member by member rather than by spreading: this runs for every event.
  const prepared: Mutable<PreparedAuditEvent> = {
    id,
    type: draft.type,
    timeMs: Date.parse(draft.time),
    outcome: draft.outcome.status,
    head: text.slice(0, link),
    tail: text.slice(link + PLACEHOLDER_LINK.length),
  };
  if (draft.who.agent) prepared.agentId = auditColumn(draft.who.agent.id);
  if (draft.session_id !== undefined) prepared.sessionId = auditColumn(draft.session_id);
  if (draft.what.tool !== undefined) prepared.tool = auditColumn(draft.what.tool);
  return prepared;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A prepared event as event `seq` after `prevHash`. `hash` is given when the writer computed
 * it already (it is the SHA-256 of the text, which is rebuilt here from the same parts).
 */
export function chainAuditEvent(
  prepared: PreparedAuditEvent,
  seq: number,
  prevHash: string,
  hash?: string,
): SealedAuditEvent {
  const text = prepared.head + auditLink(seq, prevHash) + prepared.tail;
  const sealed: Mutable<SealedAuditEvent> = {
    seq,
    id: prepared.id,
    type: prepared.type,
    timeMs: prepared.timeMs,
    outcome: prepared.outcome,
    prevHash,
    hash: hash ?? sha256Hex(text),
    text,
  };
  if (prepared.agentId !== undefined) sealed.agentId = prepared.agentId;
  if (prepared.sessionId !== undefined) sealed.sessionId = prepared.sessionId;
  if (prepared.tool !== undefined) sealed.tool = prepared.tool;
  return sealed;
}

/** Seals a draft as event `seq` after `prevHash`. */
export function sealAuditEvent(
  draft: AuditDraft,
  id: string,
  seq: number,
  prevHash: string,
): SealedAuditEvent {
  return chainAuditEvent(prepareAuditEvent(draft, id), seq, prevHash);
}

/**
 * A value as a query column holds it. Ids come from callers, so one that is long or carries
 * control characters (NUL breaks PostgreSQL text, and an index entry has a size limit) is
 * kept as its digest: the event keeps the value, and queries for it look up the digest.
 */
export function auditColumn(value: string): string {
  // Lone surrogates are replaced first, as they are in the event text (see canonicalAuditText), so
  // the column and the text agree; a value that looks like a digest is digested too, so no id
  // can pose as another's digest.
  const text = value.toWellFormed();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return text.length <= 200 && !/[\u0000-\u001f\u007f]/.test(text) && !text.startsWith('sha256:')
    ? text
    : `sha256:${sha256Hex(text)}`;
}

const MAX_STORABLE_DEPTH = 10_000;

/**
 * A copy of `value` that RFC 8785 can canonicalise, for the audit: every
 * string made well-formed (lone surrogates become U+FFFD), keys included, and
 * each value JSON cannot carry (a non-finite number, a bigint) replaced by a
 * string describing it. Iterative: a deep value cannot overflow the stack.
 */
export function storableJson(value: unknown): unknown {
  const root: { value: unknown } = { value: undefined };
  const stack: {
    from: unknown;
    into: Record<string, unknown> | unknown[];
    key: string | number;
    depth: number;
  }[] = [{ from: value, into: root as unknown as Record<string, unknown>, key: 'value', depth: 0 }];
  while (stack.length > 0) {
    const { from, into, key, depth } = stack.pop()!;
    // A cycle would be copied without end; nothing an agent sends as JSON is this deep.
    if (depth > MAX_STORABLE_DEPTH) throw new TypeError('the value is cyclic or nested too deeply to store');
    let copy: unknown;
    if (typeof from === 'string') copy = from.toWellFormed();
    else if (typeof from === 'number') copy = Number.isFinite(from) ? from : `[unstorable number: ${from}]`;
    else if (typeof from === 'bigint') copy = `[unstorable bigint: ${from}]`;
    else if (Array.isArray(from)) {
      const list: unknown[] = new Array(from.length);
      from.forEach((item, i) => {
        stack.push({ from: item, into: list, key: i, depth: depth + 1 });
      });
      copy = list;
    } else if (from !== null && typeof from === 'object') {
      const object: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(from))
        stack.push({ from: v, into: object, key: k.toWellFormed(), depth: depth + 1 });
      copy = object;
    } else copy = from;
    (into as Record<string | number, unknown>)[key] = copy;
  }
  return root.value;
}

/**
 * The SHA-256 of arguments as the audit records it: the RFC 8785 hash when the
 * arguments have a canonical form, else the hash of their storable form
 * (`storableJson`), so an event about unstorable arguments is still written.
 */
export function auditHash(value: unknown): string {
  try {
    return sha256Hex(canonicalJson(value));
  } catch {
    return sha256Hex(canonicalJson(storableJson(value)));
  }
}

/** The event a sealed text describes, with its hash. */
export function openAuditEvent(sealed: { readonly text: string; readonly hash: string }): AuditEvent {
  return { ...(JSON.parse(sealed.text) as Omit<AuditEvent, 'hash'>), hash: sealed.hash };
}

/** RFC 8785 (JCS) canonical JSON of a value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('the value has no JSON form');
  return text;
}

export function sha256Hex(text: string): string {
  // The one-shot form: several times faster than createHash for inputs this small.
  return hash('sha256', text, 'hex');
}

/** A signed checkpoint: the chain's head at one point, signed by Gatehouse's audit key. */
export interface AuditCheckpoint {
  readonly seq: number;
  /** The hash of event `seq`. */
  readonly hash: string;
  /** RFC 3339. */
  readonly time: string;
  /** The signing key's id (its JWK thumbprint). */
  readonly kid: string;
  /** Compact JWS (EdDSA) whose payload is `checkpointPayload(seq, hash, time)`. */
  readonly jws: string;
}

/** The bytes a checkpoint signs: canonical JSON of `{ seq, hash, time }`. */
export function checkpointPayload(checkpoint: {
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
}): string {
  return canonicalize({ seq: checkpoint.seq, hash: checkpoint.hash, time: checkpoint.time }) as string;
}
