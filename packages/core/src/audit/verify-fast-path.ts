import { auditColumn, sha256Hex } from './event.js';
import type { AuditRow } from './verify.js';

/**
 * The verifier's fast path: events in sequence, each checked against its stored hash and its
 * link to the one before, read in place from the canonical text without parsing it. What does
 * not fit is left to the slow path in verify.ts, which parses and names the problem.
 */

/** Where the fast path stands in a page: the chain's head, and what it leaves to the caller. */
export interface FastRun {
  /** The head: the last event verified. */
  prevSeq: number;
  prevHash: string;
  /** Events `advance` took in its last call. */
  taken: number;
  /** The sequence number at which a checkpoint waits to be checked. */
  dueAt: number;
  /**
   * What a prune event's text holds, while one is looked for (the log starts after event 1 and
   * none was found yet); undefined otherwise.
   */
  pruneMark: string | undefined;
  /** The last row taken may record a prune or reaches a checkpoint: the caller looks at it. */
  attention: boolean;
  /** The row at which `advance` stopped after its hash matched, so it is not hashed twice. */
  hashed: AuditRow | undefined;
}

/**
 * Verifies `rows` from `from` on while each follows the head, hashes to its stored hash and is
 * committed to its predecessor (committedTo), advancing the head; returns where it stopped: the
 * first row it leaves to the slow path, or the row after one the caller must look at. The
 * texts are checked without parsing them; the chain is what makes this sound: a text is pinned
 * by the next event's link and, in the end, by a signed checkpoint.
 *
 * A plain function, not a part of the async verifier, because V8 optimises it as a whole: a loop
 * inside an async function called once per range is only optimised on stack replacement, and
 * that code was thrown away each time the loop ended at a page's end ("exit from OSR'd inner
 * loop"), so much of every page ran unoptimised.
 */
export function advance(rows: readonly AuditRow[], from: number, run: FastRun): number {
  run.taken = 0;
  run.attention = false;
  for (let at = from; at < rows.length; at++) {
    const row = rows[at] as AuditRow;
    if (row.seq !== run.prevSeq + 1) return at;
    // The stored bytes must be what was hashed; a mismatch is named by the slow path.
    if (sha256Hex(row.text) !== row.hash) return at;
    if (!committedTo(row, run.prevHash)) {
      run.hashed = row;
      return at;
    }
    run.prevSeq = row.seq;
    run.prevHash = row.hash;
    run.taken++;
    if (row.seq >= run.dueAt || (run.pruneMark !== undefined && row.text.includes(run.pruneMark))) {
      run.attention = true;
      return at + 1;
    }
  }
  return rows.length;
}

/**
 * Whether a row's canonical text links to `prevHash` at its own sequence number and carries
 * the values of its query columns, read without parsing. This leans on the shape of the events
 * Gatehouse writes and on RFC 8785 writing it one way: keys sorted, and no unescaped `"` inside
 * a string, so a key can only be matched where it really is a key.
 *
 *   {…ids…,"outcome":{…,"status":S},"prev_hash":P,"seq":N,"session_id":I,"time":…,"type":T,
 *    "what":{…,"tool":X},"where":{…strings…},"who":{"agent":{"id":A,…},…},"why":{…}}
 *
 * Before `prev_hash` come only ids and the outcome's scalars, so its first occurrence is the
 * event's own, never one inside the arguments (which sit later, in `what`). Anything that does
 * not fit this shape takes the slow path, which parses the event.
 */
function committedTo(row: AuditRow, prevHash: string): boolean {
  const { text } = row;
  if (row.prevHash !== undefined && row.prevHash !== prevHash) return false;
  // The link, `"prev_hash":"<prevHash>","seq":<seq>,`, compared in place: this runs for every
  // event of the log, so nothing is built for it.
  const link = indexOfKey(text, 'prev_hash":"', 0);
  if (link < 0 || !holds(text, prevHash, link + 13)) return false;
  const seqKey = link + 13 + prevHash.length;
  if (!holds(text, '","seq":', seqKey)) return false;
  const afterSeq = afterNumber(text, seqKey + 8, row.seq);
  if (afterSeq < 0 || text.charCodeAt(afterSeq) !== COMMA) return false;
  if (row.type === undefined) return true;
  if (row.agentId == null || row.sessionId == null || row.tool == null || row.outcome === undefined)
    return false;
  // A column holding a value that should have been a digest is for the slow path to judge.
  const agentId = fragment(AGENT, row.agentId);
  const sessionId = fragment(SESSION, row.sessionId);
  const tool = fragment(TOOL, row.tool);
  const status = fragment(STATUS, row.outcome);
  const type = fragment(TYPE, row.type);
  if (agentId === null || sessionId === null || tool === null || status === null || type === null)
    return false;
  // `status` is the outcome's last key, and the outcome ends right where `prev_hash` starts.
  if (!holds(text, status, link - status.length)) return false;
  // `session_id` follows `seq`; `type` follows `time` and `trace_id` (strings) and precedes `what`.
  const afterLink = afterSeq + 1;
  if (!holds(text, sessionId, afterLink)) return false;
  const typeAt = indexOfKey(text, 'type":', afterLink);
  if (typeAt < 0 || !holds(text, type, typeAt)) return false;
  // `agent` is who's first key. What follows `type` holds one `"who":{` unless the arguments,
  // the user or an endorsed value spell one out: then the slow path, which parses, judges.
  // `tool` is the last key of `what`, and `where`, between them, holds strings only.
  const who = indexOfKey(text, 'who":{', typeAt);
  if (who < 0 || indexOfKey(text, 'who":{', who + 7) >= 0) return false;
  if (!holds(text, agentId, who)) return false;
  const toolAt = lastIndexOfKey(text, 'tool":', who);
  return toolAt > typeAt && holds(text, tool, toolAt);
}

/**
 * Whether `part` occurs in `text` at `at`. `indexOf` from `at` answers this several times faster
 * than `startsWith` with a position does in V8 (measured: ~0.1 µs a call, five calls an event);
 * where `part` is not there, it scans on, but then the event takes the slow path anyway.
 */
function holds(text: string, part: string, at: number): boolean {
  return at >= 0 && text.indexOf(part, at) === at;
}

/**
 * Where the decimal digits of `n` (a positive integer of at most 15 digits, so every step is exact) end, when `text` holds exactly
 * them at `at`, or -1: what `String(n)` would be compared with, without building it.
 */
function afterNumber(text: string, at: number, n: number): number {
  let value = 0;
  let end = at;
  for (let c = text.charCodeAt(end); c >= ZERO && c <= NINE && end - at < 15; c = text.charCodeAt(++end))
    value = value * 10 + (c - ZERO);
  // No leading zero: JSON writes none, so `05` is not the number 5 here either.
  if (end === at || value !== n || (text.charCodeAt(at) === ZERO && end - at > 1)) return -1;
  return end;
}

const ZERO = 48;
const NINE = 57;
const COMMA = 44;
const QUOTE = 34;

/**
 * Where `"` + `rest` first occurs at or after `from`, or -1. The scans of committedTo run over
 * every event's text, and searching for the key's letters is several times faster than for its
 * opening quote, which JSON has every few characters.
 */
function indexOfKey(text: string, rest: string, from: number): number {
  for (let at = text.indexOf(rest, from + 1); at >= 0; at = text.indexOf(rest, at + 1))
    if (text.charCodeAt(at - 1) === QUOTE) return at - 1;
  return -1;
}

/** Where `"` + `rest` last occurs at or before `upTo`, or -1. */
function lastIndexOfKey(text: string, rest: string, upTo: number): number {
  for (let at = text.lastIndexOf(rest, upTo + 1); at > 0; at = text.lastIndexOf(rest, at - 1))
    if (text.charCodeAt(at - 1) === QUOTE) return at - 1;
  return -1;
}
const AGENT = 0;
const SESSION = 1;
const TOOL = 2;
const STATUS = 3;
const TYPE = 4;

/**
 * The text a column's value must appear as in the event, by column: agents, sessions, tools,
 * outcomes and types repeat, so each is built once. Null for a value stored as itself that
 * should have been a digest (`auditColumn`).
 */
const fragments = [
  new Map<string, string | null>(),
  new Map<string, string | null>(),
  new Map<string, string | null>(),
  new Map<string, string | null>(),
  new Map<string, string | null>(),
];

/**
 * The last value looked up per column and its fragment: consecutive events mostly share their
 * agent, tool, type and outcome, and comparing with the last value is cheaper than hashing a
 * string freshly read from the store for a Map lookup.
 */
const lastValues: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
const lastFragments: (string | null)[] = [null, null, null, null, null];

function fragment(column: number, value: string): string | null {
  if (lastValues[column] === value) return lastFragments[column] as string | null;
  const text = lookUpFragment(column, value);
  lastValues[column] = value;
  lastFragments[column] = text;
  return text;
}

function lookUpFragment(column: number, value: string): string | null {
  const cache = fragments[column] as Map<string, string | null>;
  const known = cache.get(value);
  if (known !== undefined) return known;
  let text: string | null;
  const json = JSON.stringify(value);
  if (column === STATUS) text = `"status":${json}},`;
  else if (column === TYPE) text = `"type":${json},"what":{`;
  else if (auditColumn(value) !== value) text = null;
  else if (column === AGENT) text = `"who":{"agent":{"id":${json}`;
  else if (column === SESSION) text = `"session_id":${json},`;
  else text = `"tool":${json}},`;
  // Bounded: a log of ever-new session ids must not grow this without end.
  if (cache.size >= 4096) cache.clear();
  cache.set(value, text);
  return text;
}
