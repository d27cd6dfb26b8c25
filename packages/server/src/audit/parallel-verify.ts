import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AuditCheckpoint, AuditProblem, AuditVerification } from '@gatehouse/core';
import SqliteDatabase from 'better-sqlite3';
import { AUDIT_PAGE_SIZE } from './sqlite-audit-pages.js';
import { type RangeVerification, type VerifyRange, verifyRange } from './verify-range.js';
import { auditWorkerScript } from './worker-script.js';

/** Below this many events one thread is as fast as starting several. */
const MIN_EVENTS_PER_RANGE = 25_000;

/**
 * Verifies a SQLite audit log in range-partitioned worker threads, each with
 * its own reader: range k holds events `from_k`..`to_k` and reads the event
 * before it as its anchor. The ranges are joined on their boundaries: range
 * k-1 must have verified through `to_{k-1}` = `from_k - 1`, and ended on the
 * very hash that range k took as its anchor, so the joined ranges are one
 * chain. The first problem, in chain order, is the answer, as it is for the
 * sequential verifier.
 *
 * Resolves undefined where ranges do not apply, and the caller verifies in
 * one pass: a short log, or one that starts after event 1 (a pruned log,
 * whose start is judged against a prune event that may lie in any range).
 */
export async function verifyAuditInParallel(
  path: string,
  checkpoints: AsyncIterable<AuditCheckpoint> | Iterable<AuditCheckpoint>,
  verifySignature: (checkpoint: AuditCheckpoint) => Promise<boolean> | boolean,
  options: {
    readonly threads?: number;
    readonly pageSize?: number;
    /** Fewer events than this per thread, and fewer threads are used (tests lower it). */
    readonly minEventsPerRange?: number;
    /**
     * Ranges to cut the log into (default: four per thread). The threads take them in turn, so
     * a thread slowed by a busy core takes fewer and both finish near the same time.
     */
    readonly ranges?: number;
    /**
     * This thread verifies ranges too, as one of `threads`, and one thread fewer is started (each
     * costs ~50 ms of CPU to boot, and warms its own JIT). For a caller whose event loop has
     * nothing else to serve, such as the CLI; a server leaves its loop to its requests.
     */
    readonly thisThread?: boolean;
  } = {},
): Promise<AuditVerification | undefined> {
  const bounds = readBounds(path);
  if (bounds?.first !== 1) return undefined;
  const threads = Math.min(
    options.threads ?? availableParallelism(),
    Math.floor(bounds.last / (options.minEventsPerRange ?? MIN_EVENTS_PER_RANGE)),
  );
  if (threads < 2) return undefined;
  // Threads not yet pooled start now: they boot (tens of ms each) while this thread reads and
  // checks the checkpoints.
  const workers = Array.from({ length: options.thisThread ? threads - 1 : threads }, checkOut);
  // Checkpoints are few (one per thousand events or so): their signatures are checked here, once.
  const checked: { checkpoint: AuditCheckpoint; trusted: boolean }[] = [];
  try {
    for await (const checkpoint of checkpoints)
      checked.push({ checkpoint, trusted: await verifySignature(checkpoint) });
  } catch (err) {
    for (const worker of workers) checkIn(worker);
    throw err;
  }
  const count = Math.max(threads, Math.min(options.ranges ?? threads * 4, bounds.last));
  const size = Math.ceil(bounds.last / count);
  const ranges: VerifyRange[] = Array.from({ length: count }, (_, k) => {
    const from = k * size + 1;
    const to = k === count - 1 ? undefined : (k + 1) * size;
    return {
      path,
      from,
      ...(to !== undefined && { to }),
      checkpoints: checked.filter(
        (c) => c.checkpoint.seq >= from && (to === undefined || c.checkpoint.seq <= to),
      ),
      pageSize: options.pageSize ?? AUDIT_PAGE_SIZE,
    };
  });
  return join(ranges, await verifyRanges(ranges, workers, options.thisThread === true));
}

function readBounds(path: string): { first: number; last: number } | undefined {
  const sqlite = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  try {
    const row = sqlite.prepare('select min(seq) as first, max(seq) as last from audit_events').get() as {
      first: number | null;
      last: number | null;
    };
    return row.first === null || row.last === null ? undefined : { first: row.first, last: row.last };
  } finally {
    sqlite.close();
  }
}

/**
 * Verifier threads kept for the life of the process, idle between verifications: starting a
 * thread (V8, its modules, better-sqlite3) costs as much CPU as verifying tens of thousands of
 * events, and a server verifies again and again. Unreferenced while idle, so they never hold
 * the process open.
 */
const idle: Worker[] = [];

function checkOut(): Worker {
  const pooled = idle.pop();
  if (pooled) return pooled;
  const worker = new Worker(auditWorkerScript('verify-worker'));
  // A thread that fails while idle is dropped; one that fails at work also rejects its range.
  worker.on('error', () => discard(worker));
  worker.on('exit', () => discard(worker));
  worker.unref();
  return worker;
}

function checkIn(worker: Worker): void {
  if (idle.length < availableParallelism()) idle.push(worker);
  else void worker.terminate();
}

function discard(worker: Worker): void {
  const at = idle.indexOf(worker);
  if (at >= 0) idle.splice(at, 1);
}

/**
 * Runs `ranges` on the checked-out `workers`, and on this thread when `here`, each taking the
 * next range when it is done.
 */
async function verifyRanges(
  ranges: readonly VerifyRange[],
  workers: readonly Worker[],
  here: boolean,
): Promise<RangeVerification[]> {
  const verified: RangeVerification[] = new Array(ranges.length);
  let next = 0;
  const drain = async (worker: Worker) => {
    let healthy = true;
    try {
      for (let k = next++; k < ranges.length; k = next++)
        verified[k] = await runRange(worker, ranges[k] as VerifyRange);
    } catch (err) {
      healthy = false;
      throw err;
    } finally {
      if (healthy) checkIn(worker);
      else void worker.terminate();
    }
  };
  const drainHere = async () => {
    for (let k = next++; k < ranges.length; k = next++)
      verified[k] = await verifyRange(ranges[k] as VerifyRange, { yieldBetweenPages: true });
  };
  await Promise.all([...workers.map(drain), ...(here ? [drainHere()] : [])]);
  return verified;
}

function runRange(worker: Worker, range: VerifyRange): Promise<RangeVerification> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      worker.unref();
    };
    const onMessage = (message: { verified?: RangeVerification; error?: string }) => {
      settle();
      if (message.verified) resolve(message.verified);
      else reject(new Error(`verifying events from ${range.from} failed: ${message.error}`));
    };
    const onError = (err: Error) => {
      settle();
      reject(err);
    };
    const onExit = (code: number) => {
      settle();
      reject(new Error(`the verifier thread exited (${code})`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    // Held open while it works: the caller may have nothing else keeping the process alive.
    worker.ref();
    worker.postMessage(range);
  });
}

/** The ranges' results as one verification of the whole chain. */
function join(ranges: readonly VerifyRange[], verified: readonly RangeVerification[]): AuditVerification {
  let events = 0;
  let checkpoints = 0;
  const firstSeq = verified[0]?.result.firstSeq;
  const ended = (problem: AuditProblem, at: AuditVerification): AuditVerification => ({
    ok: false,
    events,
    checkpoints,
    ...(firstSeq !== undefined && { firstSeq }),
    ...(at.lastSeq !== undefined && { lastSeq: at.lastSeq, lastHash: at.lastHash }),
    problem,
  });
  for (const [k, { result, anchorHash }] of verified.entries()) {
    const before = verified[k - 1]?.result;
    if (before) {
      // The boundary: the previous range verified up to this range's anchor, and it is the same event.
      const anchorSeq = (ranges[k] as VerifyRange).from - 1;
      const reached = before.lastSeq ?? (ranges[k - 1] as VerifyRange).from - 1;
      if (reached < anchorSeq)
        return ended(
          {
            kind: 'missing',
            seq: reached + 1,
            message:
              reached + 1 === anchorSeq
                ? `event ${anchorSeq} is missing`
                : `events ${reached + 1} to ${anchorSeq} are missing`,
          },
          before,
        );
      if (anchorHash !== before.lastHash)
        return ended(
          {
            kind: 'edited',
            seq: anchorSeq,
            message: `event ${anchorSeq} changed while it was being verified`,
          },
          before,
        );
    }
    events += result.events;
    checkpoints += result.checkpoints;
    if (!result.ok && result.problem) {
      // A range whose checkpoints vouch for events beyond its last one was not cut at the end of
      // the log when later ranges hold events: those events are missing, as one pass would say.
      const later = verified.slice(k + 1).some((v) => v.holdsEvents);
      if (result.problem.kind === 'truncated' && later) {
        const to = (ranges[k] as VerifyRange).to as number;
        const seq = result.problem.seq;
        return ended(
          {
            kind: 'missing',
            seq,
            message: seq === to ? `event ${seq} is missing` : `events ${seq} to ${to} are missing`,
          },
          result,
        );
      }
      return ended(result.problem, result);
    }
  }
  const last = verified[verified.length - 1]?.result;
  return {
    ok: true,
    events,
    checkpoints,
    ...(firstSeq !== undefined && { firstSeq }),
    ...(last?.lastSeq !== undefined && { lastSeq: last.lastSeq, lastHash: last.lastHash }),
  };
}
