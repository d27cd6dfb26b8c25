import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditDraft } from '@gatehouse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { AuditLog } from './audit-log.js';
import { SqliteAuditWriter } from './sqlite-audit-writer.js';
import { verifyStoredAudit } from './verify-log.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-audit-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = () => join(dir, `audit-${files++}.db`);

const draft = (i: number): AuditDraft => ({
  type: 'decision',
  time: new Date().toISOString(),
  who: { agent: { id: 'agt_a', name: 'agent-a' } },
  what: { tool: 'email.send', args: { i, body: 'x'.repeat(200) }, args_hash: `h${i}` },
  outcome: { status: 'allowed' },
  session_id: `ses_${i % 3}`,
  decision_id: `dec_${i}`,
});

describe('the SQLite audit writer thread', () => {
  it('keeps the event loop turning while it seals and commits', async () => {
    const store = await openStore({ sqlite: file() });
    const log = new AuditLog(store);
    let turns = 0;
    let turning = true;
    const turn = () => {
      turns++;
      if (turning) setImmediate(turn);
    };
    setImmediate(turn);
    // In process, a batch this size is sealed and committed in one synchronous stretch: the loop
    // turns once or twice. In the writer thread it turns throughout.
    await Promise.all(Array.from({ length: 20_000 }, (_, i) => log.append(draft(i + 1))));
    turning = false;
    expect(turns).toBeGreaterThan(20);
    expect(await verifyStoredAudit(store)).toMatchObject({ ok: true, events: 20_000 });
    await log.close();
    await store.close();
  });

  it('commits overlapping appends in call order, as one gapless chain', async () => {
    const store = await openStore({ sqlite: file() });
    expect(store.concurrentAppends).toBe(true);
    const batches = await Promise.all(
      Array.from({ length: 50 }, (_, b) =>
        store.appendAudit(Array.from({ length: 10 }, (_, i) => draft(b * 10 + i))),
      ),
    );
    expect(batches.flat().map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    await store.close();
  });

  it('answers an append only once it is committed: another connection reads it at once', async () => {
    const path = file();
    const store = await openStore({ sqlite: path });
    const [event] = await store.appendAudit([draft(1)]);
    const reader = await openStore({ sqlite: path });
    expect((await reader.auditHead()).hash).toBe(event!.hash);
    await reader.close();
    await store.close();
  });

  it('refuses appends with a readable reason when the file cannot be opened', async () => {
    const writer = new SqliteAuditWriter(join(dir, 'missing-folder', 'x.db'), 'sqlite:missing');
    await expect(writer.append([draft(1)])).rejects.toMatchObject({
      code: 'GH_STORE_UNAVAILABLE',
      message: expect.stringMatching(/sqlite:missing failed/),
    });
    await writer.close();
  });

  it('refuses an event that has no storable form, and only that one', async () => {
    const store = await openStore({ sqlite: file() });
    const log = new AuditLog(store);
    const cycle: Record<string, unknown> = { n: 1 };
    cycle.self = cycle;
    const bad = { ...draft(2), what: { tool: 'x', args: cycle } } as unknown as AuditDraft;
    // A BigInt has a storable form: it is described, as the in-process store does.
    const big = { ...draft(4), what: { tool: 'x', args: { n: 1n } } } as unknown as AuditDraft;
    const results = await Promise.allSettled([
      log.append(draft(1)),
      log.append(bad),
      log.append(draft(3)),
      log.append(big),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'GH_STORE_UNAVAILABLE' });
    expect((results[3] as PromiseFulfilledResult<{ text: string }>).value.text).toContain(
      '"args":{"n":"[unstorable bigint: 1]"}',
    );
    expect(await verifyStoredAudit(store)).toMatchObject({ ok: true, events: 3 });
    await log.close();
    await store.close();
  });

  it('stops taking appends once closed', async () => {
    const store = await openStore({ sqlite: file() });
    await store.appendAudit([draft(1)]);
    await store.close();
    await expect(store.appendAudit([draft(2)])).rejects.toMatchObject({ code: 'GH_STORE_UNAVAILABLE' });
  });
});
