import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AuditDraft, sealAuditEvent } from '@gatehouse/core';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type StorageConfig, type Store } from '../store/index.js';
import { rawDatabase, refuseAuditWrites, storeDialects } from '../testing/dialects.js';
import { type AuditSigningKey, checkpointVerifier, loadAuditSigningKey } from './audit-keys.js';
import { AuditLog } from './audit-log.js';
import { AuditCheckpointer, readCheckpointFile } from './checkpointer.js';
import { pruneAuditBefore } from './retention.js';
import { verifyStoredAudit } from './verify-log.js';

const { dialects, tempDir, cleanup } = storeDialects('gh-audit');
afterAll(cleanup);

const MASTER_KEY = new Uint8Array(randomBytes(32));

async function tamperWith(config: StorageConfig, statement: string, params: unknown[] = []): Promise<void> {
  const db = await rawDatabase(config);
  try {
    await db.exec(statement, params);
  } finally {
    await db.close();
  }
}
const tamper = (config: StorageConfig, statement: string) => tamperWith(config, statement);

const draft = (i: number, agent = 'agt_a'): AuditDraft => ({
  type: 'decision',
  time: new Date().toISOString(),
  who: { agent: { id: agent, name: `agent-${agent}` } },
  what: { tool: i % 2 === 0 ? 'email.send' : 'payments.transfer', args: { i }, args_hash: `h${i}` },
  outcome: { status: i % 5 === 0 ? 'denied' : 'allowed' },
  session_id: `ses_${i % 3}`,
  decision_id: `dec_${i}`,
});

describe.each(dialects)('the audit log on %s', (dialect, configFor) => {
  const open = async (config: StorageConfig = configFor()) => {
    const store = await openStore(config);
    const key = await loadAuditSigningKey(store, MASTER_KEY);
    return { store, key, config };
  };
  const fill = async (store: Store, key: AuditSigningKey, n: number, every = 25, file?: string) => {
    const checkpointer = new AuditCheckpointer(store, key, {
      every,
      intervalMs: 60_000,
      ...(file && { file }),
    });
    await checkpointer.start();
    const log = new AuditLog(store, { onCommitted: (events) => checkpointer.observe(events) });
    // Appended in several bursts: each burst shares commits (group commit).
    for (let burst = 0; burst < n / 50; burst++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(draft(burst * 50 + i + 1))));
      await checkpointer.cut();
    }
    await log.close();
    await checkpointer.close();
  };

  it('appends concurrent events as one gapless chain that verifies', async () => {
    const { store, key } = await open();
    const log = new AuditLog(store);
    const sealed = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(draft(i + 1))));
    expect(sealed.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    const checkpointer = new AuditCheckpointer(store, key, { every: 100, intervalMs: 60_000 });
    await checkpointer.start();
    expect(await checkpointer.cut()).toMatchObject({ seq: 500 });
    expect(await verifyStoredAudit(store)).toMatchObject({ ok: true, events: 500, checkpoints: 1 });
    await log.close();
    await store.close();
  });

  it('names an edited event, even with its hash recomputed by the editor', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    await tamper(
      config,
      `update audit_events set event = replace(event, '"i":42', '"i":4242') where seq = 42`,
    );
    expect((await verifyStoredAudit(store)).problem).toMatchObject({ kind: 'edited', seq: 42 });
    await store.close();
  });

  it('names a deleted event', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    await tamper(config, `delete from audit_events where seq = 17`);
    expect((await verifyStoredAudit(store)).problem).toMatchObject({ kind: 'missing', seq: 17 });
    await store.close();
  });

  it('names two swapped events', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    // Swap the contents of rows 30 and 31, keeping their positions.
    await tamper(config, `update audit_events set seq = -1 where seq = 30`);
    await tamper(config, `update audit_events set seq = 30 where seq = 31`);
    await tamper(config, `update audit_events set seq = 31 where seq = -1`);
    expect((await verifyStoredAudit(store)).problem).toMatchObject({ kind: 'reordered', seq: 30 });
    await store.close();
  });

  it('names a tail cut after the last stored checkpoint, by the copy kept outside the database', async () => {
    const { store, key, config } = await open();
    const file = join(tempDir, `checkpoints-${randomBytes(4).toString('hex')}.jsonl`);
    await fill(store, key, 100, 25, file);
    const external = await readCheckpointFile(file);
    expect(external.at(-1)?.seq).toBe(100);
    // The attacker removes the newest events and every stored checkpoint that mentions them.
    await tamper(config, `delete from audit_events where seq > 80`);
    await tamper(config, `delete from audit_checkpoints where seq > 80`);
    await tamper(config, `update audit_head set seq = 80`);
    expect((await verifyStoredAudit(store)).ok).toBe(true); // the database alone cannot tell
    expect((await verifyStoredAudit(store, { externalCheckpoints: external })).problem).toMatchObject({
      kind: 'truncated',
      seq: 81,
    });
    await store.close();
  });

  it('names a tail cut before a stored checkpoint', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    await tamper(config, `delete from audit_events where seq > 90`);
    expect((await verifyStoredAudit(store)).problem).toMatchObject({ kind: 'truncated', seq: 91 });
    await store.close();
  });

  it('refuses checkpoints once the signing key is replaced, and a pinned key catches a re-signed log', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    const pinned = [key.publicJwk];
    const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const forged = JSON.stringify({ ...(await exportJWK(publicKey)), kid: key.kid, alg: 'EdDSA' });
    await tamperWith(config, 'update audit_keys set public_jwk = ?', [forged]);
    expect((await verifyStoredAudit(store)).problem).toMatchObject({ kind: 'bad-signature' });
    expect((await verifyStoredAudit(store, { publicKeys: pinned })).ok).toBe(true);
    await store.close();
  });

  // Two PostgreSQL connections queue on the head row. (Two SQLite writers in one process would
  // deadlock on the file lock while the event loop is blocked; across processes SQLite's own lock
  // serializes them, which the crash test exercises with the CLI and the server.)
  it.runIf(dialect === 'postgres')(
    'keeps one order with no gaps with two writers in two stores on one database',
    async () => {
      const { store: a, key, config } = await open();
      const b = await openStore(config);
      const logA = new AuditLog(a);
      const logB = new AuditLog(b);
      await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          (i % 2 === 0 ? logA : logB).append(draft(i + 1, i % 2 ? 'agt_b' : 'agt_a')),
        ),
      );
      await Promise.all([logA.close(), logB.close()]);
      const checkpointer = new AuditCheckpointer(a, key, { every: 1000, intervalMs: 60_000 });
      await checkpointer.start();
      await checkpointer.cut();
      expect(await verifyStoredAudit(b)).toMatchObject({
        ok: true,
        events: 400,
        checkpoints: 1,
        lastSeq: 400,
      });
      await Promise.all([a.close(), b.close()]);
    },
  );

  it('prunes only up to a signed checkpoint, and what remains still verifies', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    const log = new AuditLog(store);
    const ownKey = await checkpointVerifier([key.publicJwk]);
    expect(await pruneAuditBefore(store, log, new Date(Date.now() + 60_000), 'test', ownKey)).toBe(100);
    await log.close();
    // The prune is event 101; the next checkpoints cover it.
    await fill(store, key, 50);
    const result = await verifyStoredAudit(store);
    expect(result).toMatchObject({ ok: true, events: 51, firstSeq: 101, lastSeq: 151 });
    // Deleting the checkpoint that vouches for the pruned part is caught.
    await tamper(config, `delete from audit_checkpoints where seq = 100`);
    expect((await verifyStoredAudit(store)).problem).toMatchObject({ kind: 'missing' });
    await store.close();
  });

  it('prunes nothing on the word of a checkpoint whose time was changed, or of a broken chain', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    const ownKey = await checkpointVerifier([key.publicJwk]);
    const log = new AuditLog(store);
    const aYearAgo = new Date(Date.now() - 365 * 86_400_000);
    // Backdating the newest checkpoint would steer a 30-day retention into yesterday's events.
    await tamper(config, "update audit_checkpoints set time = '1970-01-01T00:00:00.000Z'");
    expect(await pruneAuditBefore(store, log, aYearAgo, 'test', ownKey)).toBe(0);
    await tamperWith(config, 'delete from audit_checkpoints');
    await fill(store, key, 50);
    // A chain broken before the cut: refused, nothing deleted.
    await tamper(config, `update audit_events set event = replace(event, '"i":7', '"i":77') where seq = 7`);
    await expect(pruneAuditBefore(store, log, new Date(Date.now() + 60_000), 'test', ownKey)).rejects.toThrow(
      /not pruning/,
    );
    expect((await store.queryAudit({ order: 'asc', limit: 1 }))[0]?.seq).toBe(1);
    await log.close();
    await store.close();
  });

  it('names the oldest events deleted at a checkpoint without a recorded prune', async () => {
    const { store, key, config } = await open();
    await fill(store, key, 100);
    await tamper(config, 'delete from audit_events where seq <= 50');
    expect((await verifyStoredAudit(store)).problem).toMatchObject({ kind: 'missing', seq: 1 });
    await store.close();
  });

  it('refuses to sign a chain that does not continue from the head it signed last', async () => {
    const { store, key, config } = await open();
    const checkpointer = new AuditCheckpointer(store, key, { every: 1000, intervalMs: 60_000 });
    await checkpointer.start();
    const log = new AuditLog(store);
    for (let i = 1; i <= 20; i++) await log.append(draft(i));
    expect(await checkpointer.cut()).toMatchObject({ seq: 20 });
    for (let i = 21; i <= 30; i++) await log.append(draft(i));
    // Someone rewrites event 21 into a self-consistent event that follows a forged predecessor.
    const forged = sealAuditEvent(
      { ...draft(21), outcome: { status: 'allowed' } },
      'evt_forged',
      21,
      'f'.repeat(64),
    );
    await tamperWith(config, 'update audit_events set event = ?, hash = ?, prev_hash = ? where seq = 21', [
      forged.text,
      forged.hash,
      forged.prevHash,
    ]);
    await expect(checkpointer.cut()).rejects.toThrow(/not signing a checkpoint/);
    expect((await store.latestAuditCheckpoint())?.seq).toBe(20);
    await log.close();
    await store.close();
  });

  it('after a restart, signs nothing the copy outside the database contradicts', async () => {
    const { store, key, config } = await open();
    const file = join(tempDir, `anchor-${randomBytes(4).toString('hex')}.jsonl`);
    const first = new AuditCheckpointer(store, key, { every: 1000, intervalMs: 60_000, file });
    await first.start();
    const log = new AuditLog(store);
    for (let i = 1; i <= 20; i++) await log.append(draft(i));
    expect(await first.cut()).toMatchObject({ seq: 20 });
    await first.close();
    // While it is down: checkpoints deleted, events 11 to 20 rewritten as a consistent chain.
    await tamperWith(config, 'delete from audit_checkpoints');
    const rows = await store.queryAudit({ order: 'asc', limit: 20 });
    let prev = rows[9]!.hash;
    for (let seq = 11; seq <= 20; seq++) {
      const forged = sealAuditEvent(
        { ...draft(seq), outcome: { status: 'allowed' } },
        `evt_f${seq}`,
        seq,
        prev,
      );
      await tamperWith(config, 'update audit_events set event = ?, hash = ?, prev_hash = ? where seq = ?', [
        forged.text,
        forged.hash,
        forged.prevHash,
        seq,
      ]);
      prev = forged.hash;
    }
    await tamperWith(config, 'update audit_head set hash = ?', [prev]);
    for (let i = 21; i <= 25; i++) await log.append(draft(i));
    const restarted = new AuditCheckpointer(store, key, { every: 1000, intervalMs: 60_000, file });
    await restarted.start();
    await expect(restarted.cut()).rejects.toThrow(/not signing a checkpoint/);
    expect(await store.latestAuditCheckpoint()).toBeUndefined();
    await log.close();
    await store.close();
  });

  it('verifies from a sequence number, in constant memory over pages', async () => {
    const { store, key } = await open();
    await fill(store, key, 150);
    expect(await verifyStoredAudit(store, { from: 120 })).toMatchObject({
      ok: true,
      firstSeq: 119,
      lastSeq: 150,
    });
    await store.close();
  });

  it('fails the append, not the chain, when the store refuses a write', async () => {
    const { store, config } = await open();
    const log = new AuditLog(store);
    await log.append(draft(1));
    await refuseAuditWrites(config);
    await expect(log.append(draft(2))).rejects.toThrow();
    expect(await verifyStoredAudit(store)).toMatchObject({ ok: true, events: 1 });
    await log.close();
    await store.close();
  });

  it('refuses only the event the store refuses, not the others in its commit', async () => {
    const { store, config } = await open();
    const db = await rawDatabase(config);
    if (dialect === 'sqlite') {
      await db.exec(
        "create trigger refuse_poison before insert on audit_events when new.tool = 'poison' begin select raise(abort, 'refused'); end",
      );
    } else {
      await db.exec(
        "create or replace function refuse_poison() returns trigger language plpgsql as $$ begin if new.tool = 'poison' then raise exception 'refused'; end if; return new; end $$",
      );
      await db.exec(
        'create trigger refuse_poison before insert on audit_events for each row execute function refuse_poison()',
      );
    }
    await db.close();
    const log = new AuditLog(store);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        log.append(i === 7 ? { ...draft(i), what: { tool: 'poison' } } : draft(i + 1)),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s === 'rejected')).toHaveLength(1);
    expect(results[7]!.status).toBe('rejected');
    expect(await verifyStoredAudit(store)).toMatchObject({ ok: true, events: 19 });
    await log.close();
    await store.close();
  });

  it('keeps the checkpoint file readable line by line', async () => {
    const { store, key } = await open();
    const file = join(tempDir, `cp-${randomBytes(4).toString('hex')}.jsonl`);
    await fill(store, key, 100, 10, file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: expect.any(Number), kid: key.kid });
    await store.close();
  });
});
