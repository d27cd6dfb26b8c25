import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type AuditCheckpoint,
  type AuditRow,
  type AuditVerification,
  canonicalJson,
  GatehouseError,
  verifyAuditChain,
} from '@gatehouse/core';
import type { JWK } from 'jose';
import { checkpointVerifier } from './audit-keys.js';
import type { AuditStore } from './audit-store.js';
import { mergeCheckpoints, parseCheckpoint } from './checkpointer.js';
import { verifyAuditInParallel } from './parallel-verify.js';
import { AUDIT_PAGE_SIZE, auditPages, openAuditReader } from './sqlite-audit-pages.js';

/**
 * Verifies the stored chain. Trusted keys are the ones given (pin them: a key
 * exported earlier) or else the store's own, which catches every edit short of
 * someone re-signing the whole log with a key they put in the store.
 */
export async function verifyStoredAudit(
  store: AuditStore,
  options: {
    from?: number;
    publicKeys?: readonly JWK[];
    externalCheckpoints?: readonly AuditCheckpoint[];
    /** Threads for a SQLite log (range-partitioned); 1 verifies in one pass. Default: the cores. */
    threads?: number;
    /**
     * The calling thread is one of them (see verifyAuditInParallel): for a caller with nothing
     * else on its event loop, such as the CLI.
     */
    thisThread?: boolean;
  } = {},
): Promise<AuditVerification> {
  const keys = options.publicKeys ?? (await store.listAuditKeys()).map((k) => JSON.parse(k.publicJwk) as JWK);
  const start = options.from !== undefined ? Math.max(1, options.from - 1) : 1;
  const external = (options.externalCheckpoints ?? []).filter((c) => c.seq >= start);
  const verifySignature = await checkpointVerifier(keys);
  const checkpoints = () => mergeCheckpoints(store.streamAuditCheckpoints(start), external);
  if (store.sqlitePath !== undefined && options.from === undefined && options.threads !== 1) {
    const verified = await verifyAuditInParallel(store.sqlitePath, checkpoints(), verifySignature, {
      ...(options.threads !== undefined && { threads: options.threads }),
      ...(options.thisThread !== undefined && { thisThread: options.thisThread }),
    });
    if (verified) return verified;
  }
  const verifyOptions = { verifySignature, ...(options.from !== undefined && { from: options.from }) };
  if (store.sqlitePath === undefined)
    return verifyAuditChain(store.streamAuditPages(start), checkpoints(), verifyOptions);
  // A SQLite log is read through a connection of its own, as the range threads read it.
  const sqlite = openAuditReader(store.sqlitePath);
  try {
    const pages = auditPages(sqlite, start - 1, Number.MAX_SAFE_INTEGER, AUDIT_PAGE_SIZE);
    return await verifyAuditChain(pages, checkpoints(), verifyOptions);
  } finally {
    sqlite.close();
  }
}

/**
 * Verifies an export (`gatehouse audit export --format jsonl`) with nothing
 * but the file and the public key: events are re-canonicalized (RFC 8785 is
 * deterministic, so the hashed bytes come back exactly) and checked against
 * the checkpoints the file carries, plus any given from elsewhere.
 */
export async function verifyExportFile(
  file: string,
  publicKeys: readonly JWK[],
  externalCheckpoints: readonly AuditCheckpoint[] = [],
  /** A partial export (`--since`): its first event is taken as the start. */
  partial = false,
): Promise<AuditVerification> {
  // Pass 1: the checkpoints (one per thousand events or so) are gathered first.
  const checkpoints: AuditCheckpoint[] = [...externalCheckpoints];
  for await (const { line, number } of lines(file)) {
    if (!line.startsWith('{"checkpoint"')) continue;
    const checkpoint = parseCheckpoint(line);
    if (!checkpoint) throw new GatehouseError('GH_USAGE', `${file}:${number} is not a valid checkpoint line`);
    checkpoints.push(checkpoint);
  }
  checkpoints.sort((a, b) => a.seq - b.seq);
  // Pass 2: the events, streamed.
  async function* events(): AsyncIterable<AuditRow> {
    for await (const { line, number } of lines(file)) {
      if (line.startsWith('{"checkpoint"')) continue;
      let parsed: { seq?: unknown; hash?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        throw new GatehouseError('GH_USAGE', `${file}:${number} is not JSON`);
      }
      const { hash, ...body } = parsed;
      if (typeof hash !== 'string' || typeof parsed.seq !== 'number')
        throw new GatehouseError('GH_USAGE', `${file}:${number} is not an audit event`);
      yield { seq: parsed.seq, hash, text: canonicalJson(body) };
    }
  }
  return verifyAuditChain(events(), checkpoints, {
    verifySignature: await checkpointVerifier(publicKeys),
    trustFirst: partial,
  });
}

async function* lines(file: string): AsyncIterable<{ line: string; number: number }> {
  const input = createReadStream(file, 'utf8');
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  try {
    for await (const line of reader) {
      number++;
      if (line.trim() !== '') yield { line, number };
    }
  } catch (err) {
    throw new GatehouseError(
      'GH_USAGE',
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
