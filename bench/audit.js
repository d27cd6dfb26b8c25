/**
 * Audit bench: durable appends per second and verification rate.
 *
 * 1. Appends through `AuditLog` (group commit) into SQLite in WAL mode with
 *    `synchronous = FULL` (every commit is on disk before `append` resolves),
 *    at 1, 16 and 4,096 appends in flight; the same into PostgreSQL at 4,096.
 * 2. Verification: `gatehouse audit verify`'s code over the SQLite log (read,
 *    hash, link, checkpoints) and the core verifier alone over rows in memory.
 *
 * Targets (issue #17): durable appends >= 0.9 of raw better-sqlite3 with the
 * same durability and rows, measured in the same run, and >= 50,000/s where the
 * disk allows; verify >= 500,000 events/s on 2 cores, beside one pass over the
 * same log and beside its limit (raw SELECT + SHA-256 of the same bytes).
 */
import { createHash, hash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '@gatehouse/core';
import {
  AuditCheckpointer,
  AuditLog,
  loadAuditSigningKey,
  openStore,
  verifyStoredAudit,
} from '@gatehouse/server';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

const RESULTS_FILE = new URL('./results/audit.json', import.meta.url);
const TARGET_APPENDS = 50_000;
const TARGET_APPENDS_VS_RAW = 0.9;
const TARGET_VERIFY = 500_000;
const POSTGRES = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A decision event as the decision API writes it. */
const draft = (i) => ({
  type: 'decision',
  time: new Date().toISOString(),
  who: { agent: { id: 'agt_7d1f0c2a9b3e4f5a6b7c8d9e', name: 'finance-agent', owner: 'fiona@example.com' } },
  what: {
    tool: 'payments.transfer',
    args: { amount: i % 5000, to: 'ACME-GMBH', memo: 'invoice 2231' },
    args_hash: 'f577a4f2fa778b164cd9ab1df7e75bdf4ebb52267d75d0c8591e36f14b458513',
  },
  where: { node: 'bench:1', door: 'decision-api' },
  why: {
    reasoning: 'pay the invoice that is due',
    rules: [
      { id: 'dual-authorization', effect: 'approve', message: 'Transfers over $1,000 need two people' },
    ],
    reasons: ['tool is within the grants and no rule objects'],
  },
  outcome: { status: 'allowed', code: 'granted' },
  session_id: `ses_${i % 200}`,
  decision_id: `dec_${i}`,
});

/**
 * The limit: raw better-sqlite3 on the same schema, durability and rows (JSON text, SHA-256,
 * the same columns and indexes), one synchronous transaction per `batch` events, no chain lock,
 * no group-commit queue, no thread.
 */
function rawAppendRate(path, batch, total) {
  const db = new SqliteDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const head = db.prepare('select seq, hash from audit_head where id = 1');
  const insert = db.prepare(
    'insert into audit_events (seq, id, type, time, agent_id, session_id, tool, outcome, prev_hash, hash, event) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const setHead = db.prepare('update audit_head set seq = ?, hash = ?, updated_at = ? where id = 1');
  const commit = db.transaction((from, count) => {
    let { seq, hash } = head.get();
    for (let i = from; i < from + count; i++) {
      const d = draft(i);
      const id = `evt_${i.toString(16).padStart(24, '0')}`;
      const prev = hash;
      const text = JSON.stringify({ ...d, id, seq: ++seq, prev_hash: prev });
      hash = createHash('sha256').update(text).digest('hex');
      insert.run(
        seq,
        id,
        d.type,
        Date.parse(d.time),
        d.who.agent.id,
        d.session_id,
        d.what.tool,
        'allowed',
        prev,
        hash,
        text,
      );
    }
    setHead.run(seq, hash, Date.now());
  });
  const started = performance.now();
  for (let done = 0; done < total; done += batch) commit.immediate(done, Math.min(batch, total - done));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return Math.round(total / seconds);
}

/**
 * The verify limit: read the stored bytes of every event with a raw prepared statement, page by
 * page, and SHA-256 each against its stored hash, in one thread, nothing else (no link, columns
 * or checkpoints).
 */
function rawVerifyRate(path) {
  const db = new SqliteDatabase(path, { readonly: true });
  const page = db
    .prepare('select seq, event, hash from audit_events where seq > ? order by seq limit 4000')
    .raw();
  let events = 0;
  let after = 0;
  const cpu = cpuMs();
  const started = performance.now();
  for (;;) {
    const rows = page.all(after);
    if (rows.length === 0) break;
    for (const [, text, stored] of rows) {
      if (hash('sha256', text, 'hex') !== stored) throw new Error('the log does not verify');
      events++;
    }
    after = rows[rows.length - 1][0];
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = (cpuMs().all - cpu.all) * 1000;
  db.close();
  return { per_s: Math.round(events / seconds), cpu_us_per_event: Number((cpuUs / events).toFixed(2)) };
}

/** CPU milliseconds of this process (every thread) and of its main thread alone (from /proc). */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  let main = Number.NaN;
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    main = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    // Not Linux: the main thread's share is not reported.
  }
  return { all: (user + system) / 1000, main };
}

/** Runs `work` (which appends `events`) and reports its rate and CPU per event. */
async function measured(events, work) {
  const cpu = cpuMs();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const after = cpuMs();
  return {
    per_s: Math.round(events / seconds),
    cpu_us_per_event: Number((((after.all - cpu.all) * 1000) / events).toFixed(2)),
    main_thread_cpu_us_per_event: Number((((after.main - cpu.main) * 1000) / events).toFixed(2)),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function appendRate(store, inFlight, total) {
  const log = new AuditLog(store);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await log.append(draft(next++));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  return Math.round(total / seconds);
}

/** @param {{ quick: boolean }} options */
export async function run({ quick }) {
  const scale = quick ? 0.1 : 1;
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-audit-'));
  const schema = `gh_bench_${randomBytes(4).toString('hex')}`;
  const result = {
    bench: 'audit',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
    quick,
    // The machine is shared: figures mean little without what else was running.
    load_average_at_start: loadavg().map((l) => Number(l.toFixed(2))),
  };
  try {
    // The limit first, in alternating rounds with Gatehouse at 4,096 in flight (a shared machine
    // drifts; only ratios from the same run hold), each on its own file with the same schema.
    const rounds = quick ? 1 : 3;
    const roundTotal = Math.round(100_000 * scale);
    const gatehouseRounds = [];
    const rawRounds = [];
    for (let round = 0; round < rounds; round++) {
      const rawPath = join(dir, `raw-${round}.db`);
      await (await openStore({ sqlite: rawPath })).close();
      rawRounds.push(await measured(roundTotal, async () => rawAppendRate(rawPath, 4096, roundTotal)));
      const scratch = await openStore({ sqlite: join(dir, `round-${round}.db`) });
      await appendRate(scratch, 1, 50); // the writer thread starts, and warms up
      gatehouseRounds.push(await measured(roundTotal, () => appendRate(scratch, 4096, roundTotal)));
      await scratch.close();
    }
    const sqlite = await openStore({ sqlite: join(dir, 'audit.db') });
    await appendRate(sqlite, 1, 50); // the writer thread starts, and warms up
    const appends = {};
    for (const [inFlight, total] of [
      [1, 500],
      [16, 20_000],
      [4096, 200_000],
    ]) {
      appends[`sqlite_${inFlight}_in_flight`] = await appendRate(sqlite, inFlight, Math.round(total * scale));
    }
    const versusRaw = {
      gatehouse_rounds: gatehouseRounds,
      raw_better_sqlite3_rounds: rawRounds,
      ratio_of_medians: Number(
        (median(gatehouseRounds.map((r) => r.per_s)) / median(rawRounds.map((r) => r.per_s))).toFixed(2),
      ),
    };
    const key = await loadAuditSigningKey(sqlite, new Uint8Array(randomBytes(32)));
    const checkpointer = new AuditCheckpointer(sqlite, key, { every: 1000, intervalMs: 60_000 });
    await checkpointer.start();
    await checkpointer.cut();
    const events = (await sqlite.auditHead()).seq;

    // Alternating rounds: range-partitioned threads (the default) and one pass, same log, same run.
    let verified;
    const parallelRounds = [];
    const thisThreadRounds = [];
    const onePassRounds = [];
    const limitRounds = [];
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      limitRounds.push(rawVerifyRate(sqlite.sqlitePath));
      for (const [options, rounds] of [
        [{}, parallelRounds],
        // As `gatehouse audit verify` runs: its own thread is one of the range threads.
        [{ thisThread: true }, thisThreadRounds],
        [{ threads: 1 }, onePassRounds],
      ]) {
        const cpu = cpuMs();
        const started = performance.now();
        verified = await verifyStoredAudit(sqlite, options);
        const cpuUs = (cpuMs().all - cpu.all) * 1000;
        rounds.push({
          per_s: Math.round(verified.events / ((performance.now() - started) / 1000)),
          cpu_us_per_event: Number((cpuUs / verified.events).toFixed(2)),
        });
        if (!verified.ok) break;
      }
    }
    const verifyStore = median(parallelRounds.map((r) => r.per_s));
    const verifyOnePass = median(onePassRounds.map((r) => r.per_s));
    const verifyThisThread = median(thisThreadRounds.map((r) => r.per_s));
    const verifyThisThreadCpuUs = median(thisThreadRounds.map((r) => r.cpu_us_per_event));
    const verifyCpuUs = median(parallelRounds.map((r) => r.cpu_us_per_event));
    const verifyOnePassCpuUs = median(onePassRounds.map((r) => r.cpu_us_per_event));
    const verifyLimit = median(limitRounds.map((r) => r.per_s));
    const verifyLimitCpuUs = median(limitRounds.map((r) => r.cpu_us_per_event));
    const cores = Math.min(2, availableParallelism());
    // What the CPU per event allows on idle cores: the shared machine these run on has none.
    const verifyOnIdleCores = Math.round((cores * 1e6) / verifyCpuUs);
    // The verifier alone, over rows already read.
    const rows = [];
    for await (const row of sqlite.streamAudit(1)) rows.push(row);
    const started = performance.now();
    const inMemory = await verifyAuditChain([rows], [], { verifySignature: () => true });
    const verifyMemory = Math.round(inMemory.events / ((performance.now() - started) / 1000));
    await sqlite.close();

    const postgres = await openStore({ postgres: POSTGRES, schema });
    appends.postgres_4096_in_flight = await appendRate(postgres, 4096, Math.round(100_000 * scale));
    await postgres.close();

    Object.assign(result, {
      events,
      appends_per_s: appends,
      appends_vs_raw_better_sqlite3_4096_in_flight: versusRaw,
      verify_events_per_s: {
        from_sqlite: verifyStore,
        from_sqlite_rounds: parallelRounds,
        from_sqlite_with_this_thread: verifyThisThread,
        from_sqlite_with_this_thread_rounds: thisThreadRounds,
        from_sqlite_one_pass: verifyOnePass,
        from_sqlite_one_pass_rounds: onePassRounds,
        limit_raw_select_sha256_one_thread: verifyLimit,
        limit_rounds: limitRounds,
        cpu_us_per_event: {
          range_threads: verifyCpuUs,
          range_threads_with_this_thread: verifyThisThreadCpuUs,
          one_pass: verifyOnePassCpuUs,
          limit: verifyLimitCpuUs,
        },
        on_idle_cores: { cores, events_per_s: verifyOnIdleCores },
        in_memory_one_pass: verifyMemory,
        threads: availableParallelism(),
      },
      verified: verified.ok && inMemory.ok,
      targets: {
        appends_per_s: TARGET_APPENDS,
        appends_vs_raw: TARGET_APPENDS_VS_RAW,
        verify_events_per_s: TARGET_VERIFY,
      },
    });
    const fmt = (n) => n.toLocaleString('en-US');
    console.log('\naudit log (durable: SQLite WAL with synchronous=FULL, PostgreSQL default commit):');
    console.log(
      `  appends at 4,096 in flight, alternating rounds (rate, CPU µs/event all threads, main thread):\n    Gatehouse  ${gatehouseRounds.map((r) => `${fmt(r.per_s)}/s ${r.cpu_us_per_event} ${r.main_thread_cpu_us_per_event}`).join(' | ')}\n    raw better-sqlite3, same durability and rows ${rawRounds.map((r) => `${fmt(r.per_s)}/s ${r.cpu_us_per_event}`).join(' | ')}\n    ratio of medians ${versusRaw.ratio_of_medians}`,
    );
    for (const [name, rate] of Object.entries(appends))
      console.log(`  appends, ${name.replace(/_/g, ' ')}: ${fmt(rate)}/s`);
    console.log(
      `  verify from SQLite, ${fmt(verified.events)} events, ${verified.checkpoints} checkpoints (events/s, CPU µs/event all threads):\n    Gatehouse, ${availableParallelism()} range threads  ${fmt(verifyStore)}/s ${verifyCpuUs} (rounds ${parallelRounds.map((r) => fmt(r.per_s)).join(', ')})\n    Gatehouse, this thread + ${availableParallelism() - 1} (as the CLI) ${fmt(verifyThisThread)}/s ${verifyThisThreadCpuUs} (rounds ${thisThreadRounds.map((r) => fmt(r.per_s)).join(', ')})\n    Gatehouse, one pass          ${fmt(verifyOnePass)}/s ${verifyOnePassCpuUs} (rounds ${onePassRounds.map((r) => fmt(r.per_s)).join(', ')})\n    limit: raw SELECT + SHA-256 of the same bytes, one thread ${fmt(verifyLimit)}/s ${verifyLimitCpuUs} (rounds ${limitRounds.map((r) => fmt(r.per_s)).join(', ')})\n    one pass / limit ${(verifyOnePass / verifyLimit).toFixed(2)}; CPU per event / the limit's ${(verifyCpuUs / verifyLimitCpuUs).toFixed(2)}; ${fmt(verifyOnIdleCores)} events/s on ${cores} idle cores at this CPU per event`,
    );
    console.log(`  verify, rows in RAM:  ${fmt(verifyMemory)} events/s`);
    const best = Math.max(
      ...Object.entries(appends)
        .filter(([k]) => k.startsWith('sqlite'))
        .map(([, v]) => v),
    );
    const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
    console.log(
      `  ${verdict(versusRaw.ratio_of_medians >= TARGET_APPENDS_VS_RAW)} appends >= ${TARGET_APPENDS_VS_RAW} of raw better-sqlite3, same run: ${versusRaw.ratio_of_medians}`,
    );
    console.log(
      `  ${verdict(best >= TARGET_APPENDS)} appends >= ${fmt(TARGET_APPENDS)}/s (where the disk allows; the raw limit here: ${fmt(median(rawRounds.map((r) => r.per_s)))}/s): ${fmt(best)}/s`,
    );
    console.log(
      `  ${verdict(verifyStore >= TARGET_VERIFY)} verify >= ${fmt(TARGET_VERIFY)} events/s, measured: ${fmt(verifyStore)}/s (${verdict(verifyOnIdleCores >= TARGET_VERIFY)} at this CPU per event on ${cores} idle cores: ${fmt(verifyOnIdleCores)}/s)`,
    );
    result.load_average_at_end = loadavg().map((l) => Number(l.toFixed(2)));
    console.log(
      `  load average (1, 5, 15 min) at start ${result.load_average_at_start.join(' ')}, at end ${result.load_average_at_end.join(' ')} on ${availableParallelism()} cores`,
    );
    await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    return { ok: verified.ok && inMemory.ok };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}
