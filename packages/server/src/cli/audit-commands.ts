import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import {
  type AuditEvent,
  type AuditVerification,
  auditColumn,
  GatehouseError,
  openAuditEvent,
} from '@gatehouse/core';
import type { JWK } from 'jose';
import { checkpointVerifier, readPublicKeys } from '../audit/audit-keys.js';
import { AuditLog } from '../audit/audit-log.js';
import { auditQueryFrom, parseTimeBound } from '../audit/audit-routes.js';
import { readCheckpointFile } from '../audit/checkpointer.js';
import { toOcsf } from '../audit/ocsf.js';
import { writeOtlpJsonLines } from '../audit/otel.js';
import { pruneAuditBefore } from '../audit/retention.js';
import { renderRecording, sessionRecording } from '../audit/timeline.js';
import { verifyExportFile, verifyStoredAudit } from '../audit/verify-log.js';
import { findConfigPath, type GatehouseConfig, loadConfig } from '../config/load.js';
import { openStore, type Store } from '../store/index.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';

/** Who a CLI change is recorded as. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Runs `work` with the store and an audit log over it; the log is committed before the store closes. */
export async function withStoreAndAudit<T>(
  io: CliIo,
  configFlag: string | undefined,
  work: (store: Store, audit: AuditLog, config: GatehouseConfig) => Promise<T>,
): Promise<T> {
  const config = await loadConfig(findConfigPath({ flag: configFlag, env: io.env, cwd: io.cwd }), io.env);
  const store = await openStore(config.storage);
  const audit = new AuditLog(store);
  try {
    return await work(store, audit, config);
  } finally {
    await audit.close();
    await store.close();
  }
}

function reportVerification(io: CliIo, result: AuditVerification, json: boolean | undefined): number {
  if (json) {
    printJson(io, {
      ok: result.ok,
      events: result.events,
      checkpoints: result.checkpoints,
      ...(result.firstSeq !== undefined && { first_seq: result.firstSeq, last_seq: result.lastSeq }),
      ...(result.problem && { problem: result.problem }),
    });
  } else if (result.ok) {
    const range = result.firstSeq !== undefined ? ` (${result.firstSeq}–${result.lastSeq})` : '';
    io.stdout(
      `ok: ${result.events} events${range} chained, ${result.checkpoints} signed checkpoints verified\n`,
    );
  } else {
    const p = result.problem!;
    io.stdout(`BROKEN at ${p.seq}: ${p.kind} — ${p.message}\n`);
    io.stdout(`(${result.events} events before it verified)\n`);
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** A file the user named that cannot be used is a usage error (exit 2), whatever the reason. */
async function asUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof GatehouseError && err.code === 'GH_USAGE') throw new UsageError(err.message);
    throw err;
  }
}

/** `gatehouse audit verify`: recomputes the chain and checks every checkpoint signature. */
export async function auditVerify(
  io: CliIo,
  opts: {
    from?: string;
    json?: boolean;
    config?: string;
    file?: string;
    publicKey?: string;
    checkpoints?: string;
    partial?: boolean;
  },
): Promise<number> {
  if (opts.partial && opts.file === undefined)
    throw new UsageError('--partial applies to an exported --file');
  const from = opts.from !== undefined ? Number(opts.from) : undefined;
  if (from !== undefined && (!Number.isSafeInteger(from) || from < 1))
    throw new UsageError('--from takes a sequence number (1 or more)');
  const at = (file: string) => resolve(io.cwd, file);
  const publicKeys: JWK[] | undefined = opts.publicKey
    ? await asUsage(readPublicKeys(at(opts.publicKey)))
    : undefined;
  const external = opts.checkpoints ? await asUsage(readCheckpointFile(at(opts.checkpoints))) : [];
  if (opts.file !== undefined) {
    if (!publicKeys)
      throw new UsageError(
        'verifying an exported file needs the public key it was signed with: --public-key FILE',
      );
    return reportVerification(
      io,
      await asUsage(verifyExportFile(at(opts.file), publicKeys, external, opts.partial === true)),
      opts.json,
    );
  }
  const config = await loadConfig(findConfigPath({ flag: opts.config, env: io.env, cwd: io.cwd }), io.env);
  // The checkpoint copy kept outside the database is used whenever it exists.
  if (!opts.checkpoints && existsSync(config.audit.checkpointFile))
    external.push(...(await asUsage(readCheckpointFile(config.audit.checkpointFile, { tornTail: true }))));
  const store = await openStore(config.storage);
  try {
    const result = await asUsage(
      verifyStoredAudit(store, {
        ...(from !== undefined && { from }),
        ...(publicKeys && { publicKeys }),
        externalCheckpoints: external,
        // The command's event loop has nothing else to do: it verifies ranges itself.
        thisThread: true,
      }),
    );
    return reportVerification(io, result, opts.json);
  } finally {
    await store.close();
  }
}

/** `gatehouse audit key`: the public keys that verify checkpoints, as a JWK Set. */
export async function auditKey(io: CliIo, opts: { config?: string }): Promise<number> {
  return withStoreAndAudit(io, opts.config, async (store) => {
    const keys = await store.listAuditKeys();
    if (keys.length === 0)
      throw new UsageError('no audit key yet: it is created when `gatehouse serve` first starts');
    printJson(io, { keys: keys.map((k) => JSON.parse(k.publicJwk) as JWK) });
    return EXIT.ok;
  });
}

/** One event as a line. */
/** The header over `eventLine`'s columns. */
const EVENT_HEADER = `${'SEQ'.padStart(6)}  ${'TIME'.padEnd(24)}  ${'TYPE'.padEnd(9)} ${'OUTCOME'.padEnd(9)} WHO  WHAT\n`;

function eventLine(e: AuditEvent): string {
  const who = e.who.agent?.name ?? e.who.agent?.id ?? e.who.person ?? '-';
  const what = e.what.tool ?? e.what.action ?? '-';
  const code = e.outcome.code ? ` ${e.outcome.code}` : '';
  const detail = e.outcome.detail ? `  ${e.outcome.detail.slice(0, 120)}` : '';
  return `${String(e.seq).padStart(6)}  ${e.time}  ${e.type.padEnd(9)} ${e.outcome.status.padEnd(9)} ${who}  ${what}${code}${detail}\n`;
}

type SearchOptions = {
  agent?: string;
  session?: string;
  tool?: string;
  outcome?: string;
  type?: string;
  since?: string;
  until?: string;
  limit?: string;
  json?: boolean;
  config?: string;
};

/** `gatehouse audit search`: events matching every filter given, oldest first. */
export async function auditSearch(io: CliIo, opts: SearchOptions): Promise<number> {
  return withStoreAndAudit(io, opts.config, async (store) => {
    const { json: _json, config: _config, ...filters } = opts;
    const query = await auditQueryFrom({ ...filters, order: 'asc' }, store, { order: 'asc', limit: 100 });
    if (typeof query === 'string') throw new UsageError(query);
    const events = 'empty' in query ? [] : (await store.queryAudit(query)).map(openAuditEvent);
    if (opts.json) printJson(io, events);
    else if (events.length === 0) io.stdout('no matching events\n');
    else {
      if (events.length > 0) io.stdout(EVENT_HEADER);
      for (const e of events) io.stdout(eventLine(e));
    }
    return EXIT.ok;
  });
}

/** `gatehouse audit tail`: the last events, and with --follow every new one as it is committed. */
export async function auditTail(
  io: CliIo,
  opts: { lines?: string; follow?: boolean; json?: boolean; config?: string },
): Promise<number> {
  const count = Number(opts.lines ?? 20);
  if (!Number.isSafeInteger(count) || count < 1 || count > 1000) throw new UsageError('-n takes 1 to 1000');
  return withStoreAndAudit(io, opts.config, async (store) => {
    const print = (e: AuditEvent) =>
      opts.json ? io.stdout(`${JSON.stringify(e)}\n`) : io.stdout(eventLine(e));
    const last = (await store.queryAudit({ order: 'desc', limit: count })).reverse();
    if (!opts.json) io.stdout(EVENT_HEADER);
    for (const row of last) print(openAuditEvent(row));
    if (last.length === 0 && !opts.json) io.stderr('no events yet\n');
    if (!opts.follow) return EXIT.ok;
    let cursor = last[last.length - 1]?.seq ?? 0;
    let stopped = false;
    void io.stopSignal?.then(() => {
      stopped = true;
    });
    while (!stopped) {
      const rows = await store.queryAudit({ order: 'asc', limit: 500, cursor });
      for (const row of rows) print(openAuditEvent(row));
      cursor = rows[rows.length - 1]?.seq ?? cursor;
      if (rows.length < 500)
        await Promise.race([
          new Promise((r) => setTimeout(r, 500)),
          ...(io.stopSignal ? [io.stopSignal] : []),
        ]);
    }
    return EXIT.ok;
  });
}

/** `gatehouse audit export`: JSON Lines (with checkpoints, verifiable offline), OCSF, or OTLP JSON. */
export async function auditExport(
  io: CliIo,
  opts: { format?: string; since?: string; until?: string; out?: string; config?: string },
): Promise<number> {
  const format = opts.format ?? 'jsonl';
  if (!['jsonl', 'ocsf', 'otel'].includes(format)) throw new UsageError('--format is jsonl, ocsf or otel');
  const bounds: { sinceMs?: number; untilMs?: number } = {};
  for (const bound of ['since', 'until'] as const) {
    if (opts[bound] === undefined) continue;
    const ms = parseTimeBound(opts[bound]);
    if (ms === undefined) throw new UsageError(`--${bound} takes an RFC 3339 time or a duration such as 7d`);
    bounds[bound === 'since' ? 'sinceMs' : 'untilMs'] = ms;
  }
  return withStoreAndAudit(io, opts.config, async (store) => {
    const out =
      opts.out !== undefined ? createWriteStream(resolve(io.cwd, opts.out), { mode: 0o600 }) : undefined;
    const write = async (text: string) => {
      if (!out) return io.stdout(text);
      if (!out.write(text)) await once(out, 'drain');
    };
    let count = 0;
    // Times only choose where to start and stop: in between every event goes out, so the export
    // is one unbroken stretch of the chain even where writers' clocks disagree.
    const [first] = await store.queryAudit({ ...bounds, order: 'asc', limit: 1 });
    const [last] = await store.queryAudit({ ...bounds, order: 'desc', limit: 1 });
    async function* events(): AsyncIterable<AuditEvent> {
      if (!first || !last) return;
      let cursor = first.seq - 1;
      for (;;) {
        const rows = await store.queryAudit({ order: 'asc', limit: 1000, cursor });
        for (const row of rows) {
          if (row.seq > last.seq) return;
          yield openAuditEvent(row);
        }
        if (rows.length < 1000) return;
        cursor = rows[rows.length - 1]!.seq;
      }
    }
    if (format === 'otel') {
      count = await writeOtlpJsonLines(events(), write);
    } else {
      // Checkpoints travel with a JSON Lines export, so it verifies with the public key alone.
      const checkpoints = store.streamAuditCheckpoints(1)[Symbol.asyncIterator]();
      let next = await checkpoints.next();
      for await (const event of events()) {
        if (format === 'ocsf') {
          await write(`${JSON.stringify(toOcsf(event))}\n`);
        } else {
          // Before the first event, only the checkpoint that anchors it matters.
          while (!next.done && next.value.seq <= event.seq) {
            if (count > 0 || next.value.seq >= event.seq - 1)
              await write(`${JSON.stringify({ checkpoint: next.value })}\n`);
            next = await checkpoints.next();
          }
          await write(`${JSON.stringify(event)}\n`);
        }
        count++;
      }
    }
    if (out) {
      out.end();
      await once(out, 'finish');
      io.stderr(`exported ${count} ${format === 'otel' ? 'spans' : 'events'} to ${opts.out}\n`);
    }
    return EXIT.ok;
  });
}

/** `gatehouse audit prune --before 90d`: drops events older than that, up to a signed checkpoint. */
export async function auditPrune(
  io: CliIo,
  opts: { before: string; config?: string; publicKey?: string },
): Promise<number> {
  const before = parseTimeBound(opts.before);
  if (before === undefined) throw new UsageError('--before takes an RFC 3339 time or a duration such as 90d');
  const pinned = opts.publicKey ? await asUsage(readPublicKeys(resolve(io.cwd, opts.publicKey))) : undefined;
  return withStoreAndAudit(io, opts.config, async (store, audit) => {
    const keys = pinned ?? (await store.listAuditKeys()).map((k) => JSON.parse(k.publicJwk) as JWK);
    const verify = await asUsage(checkpointVerifier(keys));
    const removed = await pruneAuditBefore(store, audit, new Date(before), cliActor(), verify);
    io.stdout(
      removed === 0
        ? 'nothing to prune: no signed checkpoint is that old\n'
        : `pruned ${removed} events; the log now starts after a signed checkpoint, and verifies once the server has signed the prune\n`,
    );
    return EXIT.ok;
  });
}

/** `gatehouse sessions replay <id>`: a session, call by call. */
export async function sessionsReplay(
  io: CliIo,
  id: string,
  opts: { json?: boolean; config?: string },
): Promise<number> {
  return withStoreAndAudit(io, opts.config, async (store) => {
    const rows = await store.queryAudit({ sessionId: auditColumn(id), order: 'asc', limit: 10_000 });
    if (rows.length === 0) {
      io.stderr(`error: no recorded session '${id}'\n`);
      return EXIT.failed;
    }
    const recording = sessionRecording(id, rows.map(openAuditEvent), rows.length === 10_000);
    if (opts.json) printJson(io, recording);
    else io.stdout(renderRecording(recording));
    return EXIT.ok;
  });
}
