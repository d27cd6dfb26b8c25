import { type AuditCheckpoint, auditColumn, GENESIS_HASH, sha256Hex } from './event.js';
import { advance, type FastRun } from './verify-fast-path.js';

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

/** What a prune event's text holds (its action), looked for before such an event is parsed. */
const PRUNE_MARK = `"action":"${AUDIT_PRUNE_ACTION}"`;

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
    pruneMark: undefined,
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
        run.pruneMark = pruneNeeded !== undefined && pruneRecordedAt === undefined ? PRUNE_MARK : undefined;
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
