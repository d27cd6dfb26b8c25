import { type AuditCheckpoint, auditColumn, GENESIS_HASH, sha256Hex } from './event.js';

/**
 * Streaming verification of the audit chain: events and checkpoints are read
 * in sequence order, one at a time, so memory stays constant whatever the
 * length of the log. The first problem ends the run and is named precisely.
 */

export type AuditProblemKind = 'edited' | 'missing' | 'reordered' | 'truncated' | 'bad-signature';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The first sequence number at which the chain is broken. */
  readonly seq: number;
  readonly message: string;
}

/** A stored event as the verifier reads it. Columns other than text and hash are checked when given. */
export interface AuditRow {
  readonly seq: number;
  readonly hash: string;
  readonly text: string;
  readonly prevHash?: string;
  readonly type?: string;
  readonly agentId?: string | null;
  readonly sessionId?: string | null;
  readonly tool?: string | null;
  readonly outcome?: string;
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Events verified. */
  readonly events: number;
  /** Checkpoints whose signature and hash were verified. */
  readonly checkpoints: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  /** The hash of the last event verified. */
  readonly lastHash?: string;
  readonly problem?: AuditProblem;
}

/** The action of the event that records a prune: the log may then start after `through_seq`. */
export const AUDIT_PRUNE_ACTION = 'audit.pruned';

export interface VerifyOptions {
  /** Resolves whether a checkpoint's JWS verifies under a trusted key and signs its own seq, hash and time. */
  readonly verifySignature: (checkpoint: AuditCheckpoint) => Promise<boolean> | boolean;
  /**
   * Verify from this sequence number on: the event before it (when present in
   * `events`) is read as the anchor and checked only against its own hash.
   */
  readonly from?: number;
  /** Take the first event as the start of what is verified (a partial export), without an anchor. */
  readonly trustFirst?: boolean;
  /** A head already trusted (the checkpointer's last signature): the first event must follow it. */
  readonly anchor?: { readonly seq: number; readonly hash: string };
}

/**
 * Verifies `events` (ascending seq) against `checkpoints` (ascending seq).
 * Checkpoints may come from several places (the store, an external file);
 * duplicates are fine.
 */
export async function verifyAuditChain(
  events: AsyncIterable<AuditRow | readonly AuditRow[]> | Iterable<AuditRow | readonly AuditRow[]>,
  checkpoints: AsyncIterable<AuditCheckpoint> | Iterable<AuditCheckpoint>,
  options: VerifyOptions,
): Promise<AuditVerification> {
  const pending = peekable(checkpoints);
  await pending.peek();
  /** The sequence number from which a checkpoint waits to be checked (known without waiting). */
  const checkpointDueAt = () => {
    const next = pending.known();
    if (next === undefined) return Number.NEGATIVE_INFINITY;
    return next.value === undefined ? Number.POSITIVE_INFINITY : next.value.seq;
  };
  let verifiedEvents = 0;
  let verifiedCheckpoints = 0;
  /** The newest checkpoint whose signature verified. */
  let signedUpTo = 0;
  let firstSeq: number | undefined;
  let previous: { seq: number; hash: string } | undefined;
  const run: FastRun = {
    prevSeq: 0,
    prevHash: '',
    taken: 0,
    dueAt: 0,
    watchPrune: false,
    attention: false,
    hashed: undefined,
  };
  /**
   * A log that starts after event 1 must say so itself: a prune event, in the chain and under a
   * signed checkpoint, naming where it cut. Otherwise the oldest events were simply deleted.
   */
  let pruneNeeded: number | undefined;
  let pruneRecordedAt: number | undefined;
  const result = (problem?: AuditProblem): AuditVerification => ({
    ok: problem === undefined,
    events: verifiedEvents,
    checkpoints: verifiedCheckpoints,
    ...(firstSeq !== undefined && { firstSeq }),
    ...(previous && { lastSeq: previous.seq, lastHash: previous.hash }),
    ...(problem && { problem }),
  });
  const notePrune = (row: AuditRow) => {
    if (pruneNeeded === undefined || pruneRecordedAt !== undefined) return;
    if (!row.text.includes(PRUNE_MARK)) return;
    const event = JSON.parse(row.text) as { what?: { action?: unknown; args?: { through_seq?: unknown } } };
    if (event.what?.action === AUDIT_PRUNE_ACTION && event.what.args?.through_seq === pruneNeeded)
      pruneRecordedAt = row.seq;
  };
  /** Checks the signature of every checkpoint at or below `upTo`; returns those checkpoints' problems. */
  const takeCheckpoints = async (
    upTo: number,
    onCheckpoint: (cp: AuditCheckpoint) => AuditProblem | undefined,
  ): Promise<AuditProblem | undefined> => {
    for (let cp = await pending.peek(); cp !== undefined && cp.seq <= upTo; cp = await pending.peek()) {
      await pending.next();
      if (!(await options.verifySignature(cp))) {
        return {
          kind: 'bad-signature',
          seq: cp.seq,
          message: `the checkpoint at ${cp.seq} is not signed by a trusted audit key (kid ${cp.kid})`,
        };
      }
      const problem = onCheckpoint(cp);
      if (problem) return problem;
      verifiedCheckpoints++;
      signedUpTo = Math.max(signedUpTo, cp.seq);
    }
    return undefined;
  };

  for await (const page of events) {
    const rows = (Array.isArray(page) ? page : [page]) as readonly AuditRow[];
    for (let at = 0; at < rows.length; ) {
      if (previous !== undefined) {
        // The common case, on the fast path: rows in sequence, each committed to the one before.
        run.prevSeq = previous.seq;
        run.prevHash = previous.hash;
        run.dueAt = checkpointDueAt();
        run.watchPrune = pruneNeeded !== undefined && pruneRecordedAt === undefined;
        at = advance(rows, at, run);
        if (run.taken > 0) {
          verifiedEvents += run.taken;
          previous = { seq: run.prevSeq, hash: run.prevHash };
        }
        if (run.attention) {
          // The last row taken may record a prune, or reach a checkpoint.
          notePrune(rows[at - 1] as AuditRow);
          const current = previous;
          const problem = await takeCheckpoints(current.seq, (cp) => checkpointMatches(cp, current));
          if (problem) return result(problem);
          continue;
        }
        if (at >= rows.length) break;
      }
      const row = rows[at++] as AuditRow;
      // 1. The stored bytes must be what was hashed.
      if (run.hashed !== row && sha256Hex(row.text) !== row.hash) {
        return result({
          kind: 'edited',
          seq: row.seq,
          message: `event ${row.seq} was changed after it was written`,
        });
      }
      let body: { seq?: unknown; prev_hash?: unknown; type?: unknown; who?: { agent?: { id?: unknown } } };
      try {
        body = JSON.parse(row.text) as typeof body;
      } catch {
        return result({ kind: 'edited', seq: row.seq, message: `event ${row.seq} is not JSON` });
      }
      // 2. The event must sit at its own sequence number.
      if (body.seq !== row.seq) {
        return result({
          kind: 'reordered',
          seq: row.seq,
          message: `position ${row.seq} holds event ${String(body.seq)}: events were moved`,
        });
      }
      const columnProblem = checkColumns(row, body as Record<string, unknown>);
      if (columnProblem) return result({ kind: 'edited', seq: row.seq, message: columnProblem });

      if (previous === undefined) {
        firstSeq = row.seq;
        if (options.from !== undefined && options.from > 1 && row.seq === options.from - 1) {
          // The anchor: the event just before the range to verify.
          previous = { seq: row.seq, hash: row.hash };
          const anchor = previous;
          const problem = await takeCheckpoints(row.seq, (cp) => checkpointMatches(cp, anchor));
          if (problem) return result(problem);
          continue;
        }
        const trustedHead = options.anchor;
        if (trustedHead) {
          if (row.seq !== trustedHead.seq + 1 || body.prev_hash !== trustedHead.hash)
            return result({
              kind: row.seq > trustedHead.seq + 1 ? 'missing' : 'edited',
              seq: trustedHead.seq + 1,
              message: `the chain does not continue from the last signed head (event ${trustedHead.seq})`,
            });
        }
        // A partial export starts where it starts: there is nothing before it to check against.
        else if (!options.trustFirst) {
          if (row.seq === 1) {
            if (body.prev_hash !== GENESIS_HASH)
              return result({ kind: 'edited', seq: 1, message: 'the first event does not start the chain' });
          } else {
            // A pruned log starts after a signed checkpoint that vouches for what came before.
            let anchor: AuditCheckpoint | undefined;
            const problem = await takeCheckpoints(row.seq - 1, (cp) => {
              if (cp.seq === row.seq - 1) anchor = cp;
              return undefined;
            });
            if (problem) return result(problem);
            if (anchor?.hash === body.prev_hash) pruneNeeded = row.seq - 1;
            if (anchor?.hash !== body.prev_hash) {
              const from = Math.min(options.from ?? 1, row.seq - 1);
              return result({
                kind: 'missing',
                seq: from,
                message: `events ${from} to ${row.seq - 1} are missing and no checkpoint at ${row.seq - 1} vouches for their removal`,
              });
            }
          }
        }
      } else {
        const expected = previous.seq + 1;
        if (row.seq > expected) {
          return result({
            kind: 'missing',
            seq: expected,
            message:
              row.seq === expected + 1
                ? `event ${expected} is missing`
                : `events ${expected} to ${row.seq - 1} are missing`,
          });
        }
        if (row.seq < expected) {
          return result({
            kind: 'reordered',
            seq: row.seq,
            message: `event ${row.seq} appears twice or out of order`,
          });
        }
        if (body.prev_hash !== previous.hash) {
          return result({
            kind: 'edited',
            seq: previous.seq,
            message: `event ${previous.seq} is not the event that event ${row.seq} was chained to`,
          });
        }
      }
      previous = { seq: row.seq, hash: row.hash };
      verifiedEvents++;
      notePrune(row);
      const current = previous;
      const problem = await takeCheckpoints(row.seq, (cp) => checkpointMatches(cp, current));
      if (problem) return result(problem);
    }
  }
  // Checkpoints beyond the last event: the tail was cut off.
  const beyond = await pending.peek();
  if (beyond !== undefined) {
    if (!(await options.verifySignature(beyond))) {
      return result({
        kind: 'bad-signature',
        seq: beyond.seq,
        message: `the checkpoint at ${beyond.seq} is not signed by a trusted audit key (kid ${beyond.kid})`,
      });
    }
    const last = previous?.seq ?? 0;
    return result({
      kind: 'truncated',
      seq: last + 1,
      message: `events after ${last} are missing: a signed checkpoint vouches for event ${beyond.seq}`,
    });
  }
  if (pruneNeeded !== undefined && (pruneRecordedAt === undefined || signedUpTo < pruneRecordedAt)) {
    return result({
      kind: 'missing',
      seq: 1,
      message:
        pruneRecordedAt === undefined
          ? `events 1 to ${pruneNeeded} are gone and no prune event records their removal`
          : `events 1 to ${pruneNeeded} were pruned, but no signed checkpoint covers the prune event ${pruneRecordedAt} yet`,
    });
  }
  return result();
}

/** Where the fast path stands in a page: the chain's head, and what it leaves to the caller. */
interface FastRun {
  /** The head: the last event verified. */
  prevSeq: number;
  prevHash: string;
  /** Events `advance` took in its last call. */
  taken: number;
  /** The sequence number at which a checkpoint waits to be checked. */
  dueAt: number;
  /** A prune event is looked for (the log starts after event 1 and none was found yet). */
  watchPrune: boolean;
  /** The last row taken may record a prune or reaches a checkpoint: the caller looks at it. */
  attention: boolean;
  /** The row at which `advance` stopped after its hash matched, so it is not hashed twice. */
  hashed: AuditRow | undefined;
}

/** What a prune event's text holds (its action), looked for before such an event is parsed. */
const PRUNE_MARK = `"action":"${AUDIT_PRUNE_ACTION}"`;

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
function advance(rows: readonly AuditRow[], from: number, run: FastRun): number {
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
    if (row.seq >= run.dueAt || (run.watchPrune && row.text.includes(PRUNE_MARK))) {
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

/** A checkpoint at or below the current event: it must sign that event's hash, or lie in a pruned range. */
function checkpointMatches(
  cp: AuditCheckpoint,
  current: { seq: number; hash: string } | undefined,
): AuditProblem | undefined {
  if (current === undefined || cp.seq !== current.seq) return undefined;
  if (cp.hash === current.hash) return undefined;
  return {
    kind: 'edited',
    seq: cp.seq,
    message: `event ${cp.seq} is not the event the checkpoint signed: it was rewritten`,
  };
}

function checkColumns(row: AuditRow, body: Record<string, unknown>): string | undefined {
  const who = body.who as { agent?: { id?: string } } | undefined;
  const what = body.what as { tool?: string } | undefined;
  const outcome = body.outcome as { status?: string } | undefined;
  const pairs: [string, unknown, unknown][] = [
    ['prev_hash', row.prevHash, body.prev_hash],
    ['type', row.type, body.type],
    ['agent', row.agentId, who?.agent?.id],
    ['session', row.sessionId, body.session_id],
    ['tool', row.tool, what?.tool],
    ['outcome', row.outcome, outcome?.status],
  ];
  for (const [name, column, inEvent] of pairs) {
    if (column === undefined) continue;
    const expected = typeof inEvent === 'string' && name !== 'prev_hash' ? auditColumn(inEvent) : inEvent;
    if ((column ?? undefined) !== expected)
      return `the ${name} column of event ${row.seq} does not match the event: it was changed`;
  }
  return undefined;
}

interface Peekable<T> {
  peek(): Promise<T | undefined>;
  /** The next value if it was already read (`{ value: undefined }` at the end), else undefined. */
  known(): { value: T | undefined } | undefined;
  next(): Promise<T | undefined>;
}

function peekable<T>(source: AsyncIterable<T> | Iterable<T>): Peekable<T> {
  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (source as Iterable<T>)[Symbol.iterator]();
  let buffered: { value: T | undefined } | undefined;
  const pull = async () => {
    const step = await iterator.next();
    return step.done ? undefined : step.value;
  };
  return {
    known: () => buffered,
    async peek() {
      buffered ??= { value: await pull() };
      return buffered.value;
    },
    async next() {
      if (buffered) {
        const { value } = buffered;
        buffered = undefined;
        return value;
      }
      return pull();
    },
  };
}
