/**
 * Audit bench: durable appends per second and verification rate.
 *
 * 1. Appends through `AuditLog` (group commit) into SQLite in WAL mode with
 *    `synchronous = FULL` (every commit is on disk before `append` resolves),
 *    at 1, 16 and 4,096 appends in flight; the same into PostgreSQL at 4,096.
 * 2. Verification: `gatehouse audit verify`'s code over the SQLite log (read,
 *    hash, link, checkpoints) and the core verifier alone over rows in memory.
 *
 * Targets (issue #6): >= 50,000 durable appends/s with group commit on SQLite
 * WAL, and >= 500,000 events/s verified.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '@gatehouse/core';
import {
  AuditCheckpointer,
  AuditLog,
  loadAuditSigningKey,
  openStore,
  verifyStoredAudit,
} from '@gatehouse/server';
import pg from 'pg';

const RESULTS_FILE = new URL('./results/audit.json', import.meta.url);
const TARGET_APPENDS = 50_000;
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
  };
  try {
    const sqlite = await openStore({ sqlite: join(dir, 'audit.db') });
    const appends = {};
    for (const [inFlight, total] of [
      [1, 500],
      [16, 20_000],
      [4096, 200_000],
    ]) {
      appends[`sqlite_${inFlight}_in_flight`] = await appendRate(sqlite, inFlight, Math.round(total * scale));
    }
    const key = await loadAuditSigningKey(sqlite, new Uint8Array(randomBytes(32)));
    const checkpointer = new AuditCheckpointer(sqlite, key, { every: 1000, intervalMs: 60_000 });
    await checkpointer.start();
    await checkpointer.cut();
    const events = (await sqlite.auditHead()).seq;

    let started = performance.now();
    const verified = await verifyStoredAudit(sqlite);
    const verifyStore = Math.round(verified.events / ((performance.now() - started) / 1000));
    // The verifier alone, over rows already read.
    const rows = [];
    for await (const row of sqlite.streamAudit(1)) rows.push(row);
    started = performance.now();
    const inMemory = await verifyAuditChain([rows], [], { verifySignature: () => true });
    const verifyMemory = Math.round(inMemory.events / ((performance.now() - started) / 1000));
    await sqlite.close();

    const postgres = await openStore({ postgres: POSTGRES, schema });
    appends.postgres_4096_in_flight = await appendRate(postgres, 4096, Math.round(100_000 * scale));
    await postgres.close();

    Object.assign(result, {
      events,
      appends_per_s: appends,
      verify_events_per_s: { from_sqlite: verifyStore, in_memory: verifyMemory },
      verified: verified.ok && inMemory.ok,
      targets: { appends_per_s: TARGET_APPENDS, verify_events_per_s: TARGET_VERIFY },
    });
    const fmt = (n) => n.toLocaleString('en-US');
    console.log('\naudit log (durable: SQLite WAL with synchronous=FULL, PostgreSQL default commit):');
    for (const [name, rate] of Object.entries(appends))
      console.log(`  appends, ${name.replace(/_/g, ' ')}: ${fmt(rate)}/s`);
    console.log(
      `  verify from SQLite:   ${fmt(verifyStore)} events/s (${fmt(verified.events)} events, ${verified.checkpoints} checkpoints)`,
    );
    console.log(`  verify, rows in RAM:  ${fmt(verifyMemory)} events/s`);
    const best = Math.max(
      ...Object.entries(appends)
        .filter(([k]) => k.startsWith('sqlite'))
        .map(([, v]) => v),
    );
    if (best < TARGET_APPENDS) console.log(`  below the append target of ${fmt(TARGET_APPENDS)}/s`);
    if (verifyStore < TARGET_VERIFY)
      console.log(`  below the verify target of ${fmt(TARGET_VERIFY)} events/s`);
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
