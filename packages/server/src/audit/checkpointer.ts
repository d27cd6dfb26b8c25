import { existsSync } from 'node:fs';
import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type AuditCheckpoint,
  GatehouseError,
  GENESIS_HASH,
  type SealedAuditEvent,
  verifyAuditChain,
} from '@gatehouse/core';
import { type AuditSigningKey, checkpointVerifier, readUserFile, signCheckpoint } from './audit-keys.js';
import type { AuditStore } from './audit-store.js';

export interface CheckpointOptions {
  /** Cut a checkpoint once this many events follow the last one. */
  readonly every: number;
  /** ...or once this much time has passed with new events. */
  readonly intervalMs: number;
  /** Also append each checkpoint to this file (JSON Lines), outside the database. */
  readonly file?: string;
  /** Also POST each checkpoint here. */
  readonly webhook?: string;
  readonly onError?: (err: unknown) => void;
}

/**
 * Cuts signed checkpoints of the chain's head every N events or T seconds.
 * A copy kept outside the database (a file, a webhook) makes even the
 * removal of the whole tail after the last stored checkpoint detectable.
 */
export class AuditCheckpointer {
  /** The head this process last signed or trusted: every new signature must extend it. */
  #last: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
  #committedSeq = 0;
  #cutting: Promise<AuditCheckpoint | undefined> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: AuditStore,
    private readonly key: AuditSigningKey,
    private readonly options: CheckpointOptions,
  ) {}

  async start(): Promise<void> {
    // The newest checkpoint that our own key signed, in the store or in the copy outside it.
    const verify = await checkpointVerifier([this.key.publicJwk]);
    const candidates = [await this.store.latestAuditCheckpoint()];
    if (this.options.file !== undefined && existsSync(this.options.file))
      candidates.push((await readCheckpointFile(this.options.file, { tornTail: true })).at(-1));
    for (const checkpoint of candidates) {
      if (checkpoint && checkpoint.seq > this.#last.seq && (await verify(checkpoint)))
        this.#last = { seq: checkpoint.seq, hash: checkpoint.hash };
    }
    this.#timer = setInterval(
      () => void this.cut().catch((err) => this.options.onError?.(err)),
      this.options.intervalMs,
    );
    this.#timer.unref();
  }

  /** Told of committed events: cuts when N have accumulated. */
  observe(events: readonly SealedAuditEvent[]): void {
    const last = events[events.length - 1];
    if (last) this.#committedSeq = Math.max(this.#committedSeq, last.seq);
    if (this.#committedSeq - this.#last.seq >= this.options.every)
      void this.cut().catch((err) => this.options.onError?.(err));
  }

  /** Signs the current head unless it is already checkpointed; one cut at a time. */
  cut(): Promise<AuditCheckpoint | undefined> {
    this.#cutting ??= this.cutNow().finally(() => {
      this.#cutting = undefined;
    });
    return this.#cutting;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.cut().catch((err) => this.options.onError?.(err));
  }

  private async cutNow(): Promise<AuditCheckpoint | undefined> {
    // Sign only what verifies from the last signed head: the key must never vouch for a history
    // that someone rewrote in the database (or for a head row that says more than the events do).
    const extended = await verifyAuditChain(this.store.streamAuditPages(this.#last.seq + 1), [], {
      verifySignature: () => false,
      anchor: this.#last,
    });
    if (!extended.ok)
      throw new Error(`not signing a checkpoint: the audit chain is broken (${extended.problem?.message})`);
    if (extended.lastSeq === undefined || extended.lastHash === undefined) return undefined;
    const checkpoint = await signCheckpoint(
      this.key,
      { seq: extended.lastSeq, hash: extended.lastHash },
      new Date(),
    );
    await this.store.insertAuditCheckpoint(checkpoint);
    this.#last = { seq: checkpoint.seq, hash: checkpoint.hash };
    if (this.options.file !== undefined)
      await appendDurably(this.options.file, `${JSON.stringify(checkpoint)}\n`);
    if (this.options.webhook !== undefined) {
      void fetch(this.options.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'gatehouse-audit' },
        body: JSON.stringify({ event: 'audit.checkpoint', checkpoint }),
        redirect: 'error',
        signal: AbortSignal.timeout(5000),
      })
        .then((r) => r.body?.cancel())
        .catch((err) => this.options.onError?.(err));
    }
    return checkpoint;
  }
}

async function appendDurably(file: string, line: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, line, { mode: 0o600 });
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Checkpoints from a JSON Lines file (as the checkpointer writes them), ascending by seq. */
export async function readCheckpointFile(
  file: string,
  options: {
    /** Skip a last line cut short (a crash mid-append); any other bad line is still an error. */
    tornTail?: boolean;
  } = {},
): Promise<AuditCheckpoint[]> {
  const text = await readUserFile(file);
  const checkpoints: AuditCheckpoint[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const parsed = parseCheckpoint(line);
    if (!parsed) {
      if (options.tornTail && i === lines.length - 1) continue;
      throw new GatehouseError('GH_USAGE', `${file}:${i + 1} is not a checkpoint`);
    }
    checkpoints.push(parsed);
  }
  return checkpoints.sort((a, b) => a.seq - b.seq);
}

/** A checkpoint from JSON text, or undefined when the text is not one. */
export function parseCheckpoint(text: string): AuditCheckpoint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const cp = ((value as { checkpoint?: unknown })?.checkpoint ?? value) as Record<string, unknown>;
  if (
    typeof cp !== 'object' ||
    cp === null ||
    !Number.isSafeInteger(cp.seq) ||
    typeof cp.hash !== 'string' ||
    typeof cp.time !== 'string' ||
    typeof cp.kid !== 'string' ||
    typeof cp.jws !== 'string'
  )
    return undefined;
  return { seq: cp.seq as number, hash: cp.hash, time: cp.time, kid: cp.kid, jws: cp.jws };
}

/** Two ascending checkpoint streams as one ascending stream. */
export async function* mergeCheckpoints(
  a: AsyncIterable<AuditCheckpoint> | Iterable<AuditCheckpoint>,
  b: AsyncIterable<AuditCheckpoint> | Iterable<AuditCheckpoint>,
): AsyncIterable<AuditCheckpoint> {
  const ia = toAsync(a)[Symbol.asyncIterator]();
  const ib = toAsync(b)[Symbol.asyncIterator]();
  let x = await ia.next();
  let y = await ib.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value.seq <= y.value.seq)) {
      yield x.value as AuditCheckpoint;
      x = await ia.next();
    } else {
      yield y.value;
      y = await ib.next();
    }
  }
}

async function* toAsync<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterable<T> {
  yield* source;
}
