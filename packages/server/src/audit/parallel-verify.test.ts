import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AuditDraft } from '@gatehouse/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { rawDatabase, storeDialects } from '../testing/dialects.js';
import { checkpointVerifier, loadAuditSigningKey } from './audit-keys.js';
import { AuditLog } from './audit-log.js';
import { AuditCheckpointer } from './checkpointer.js';
import { verifyAuditInParallel } from './parallel-verify.js';
import { verifyStoredAudit } from './verify-log.js';

const { tempDir, cleanup } = storeDialects('gh-parallel-verify');
afterAll(cleanup);

const draft = (i: number): AuditDraft => ({
  type: 'decision',
  time: new Date().toISOString(),
  who: { agent: { id: 'agt_a', name: 'agent-a' } },
  what: { tool: 'email.send', args: { i }, args_hash: `h${i}` },
  outcome: { status: 'allowed' },
  session_id: `ses_${i % 3}`,
  decision_id: `dec_${i}`,
});

/** 300 events with a checkpoint every 25; then the tampering; then both verifiers. */
async function verifiedBothWays(tampering: readonly string[]) {
  const path = join(tempDir, `${randomBytes(4).toString('hex')}.db`);
  const store = await openStore({ sqlite: path });
  const key = await loadAuditSigningKey(store, new Uint8Array(randomBytes(32)));
  const checkpointer = new AuditCheckpointer(store, key, { every: 25, intervalMs: 60_000 });
  await checkpointer.start();
  const log = new AuditLog(store, { onCommitted: (events) => checkpointer.observe(events) });
  for (let burst = 0; burst < 6; burst++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(draft(burst * 50 + i + 1))));
    await checkpointer.cut();
  }
  await log.close();
  await checkpointer.close();
  const raw = await rawDatabase({ sqlite: path });
  for (const statement of tampering) await raw.exec(statement);
  await raw.close();
  const sequential = await verifyStoredAudit(store, { threads: 1 });
  const verifier = await checkpointVerifier([key.publicJwk]);
  const inRanges = (ranges: number, thisThread = false) =>
    verifyAuditInParallel(path, store.streamAuditCheckpoints(1), verifier, {
      threads: 3,
      minEventsPerRange: 10,
      pageSize: 7,
      ranges,
      thisThread,
    });
  const parallel = await inRanges(3);
  // Thirteen uneven ranges of 24 (the last 12), more than the threads: each takes several in turn.
  const manyRanges = await inRanges(13);
  // The same, with this thread as one of the three (as the CLI verifies).
  const withThisThread = await inRanges(13, true);
  await store.close();
  return { sequential, parallel, manyRanges, withThisThread };
}

const comparable = (v: {
  ok: boolean;
  events: number;
  checkpoints: number;
  problem?: { kind: string; seq: number };
}) => ({
  ok: v.ok,
  events: v.events,
  checkpoints: v.checkpoints,
  ...(v.problem && { kind: v.problem.kind, seq: v.problem.seq }),
});

// Three ranges: 1–100, 101–200, 201–300; event 100 is the second range's anchor. The same log
// is also verified in thirteen ranges, which the three pooled threads take in turn.
const cases: [string, string[]][] = [
  ['an untouched log', []],
  [
    'an edited event',
    ['update audit_events set event = replace(event, \'"i":150\', \'"i":151\') where seq = 150'],
  ],
  ['a deleted anchor', ['delete from audit_events where seq = 100']],
  [
    'an edited anchor (the last event of a range)',
    ['update audit_events set event = replace(event, \'"i":100\', \'"i":1000\') where seq = 100'],
  ],
  [
    'the first event of a range edited',
    ['update audit_events set event = replace(event, \'"i":201\', \'"i":2010\') where seq = 201'],
  ],
  [
    "an anchor's stored hash replaced",
    ['update audit_events set hash = (select hash from audit_events where seq = 99) where seq = 100'],
  ],
  ['a column of an anchor changed', ["update audit_events set agent_id = 'agt_b' where seq = 100"]],
  ['the first event of a range deleted', ['delete from audit_events where seq = 101']],
  ['an event deleted inside a range', ['delete from audit_events where seq = 57']],
  ['a whole range deleted', ['delete from audit_events where seq between 101 and 200']],
  [
    'events swapped across a boundary',
    [
      'update audit_events set seq = -1 where seq = 200',
      'update audit_events set seq = 200 where seq = 201',
      'update audit_events set seq = 201 where seq = -1',
    ],
  ],
  ['a tail cut before a checkpoint', ['delete from audit_events where seq > 280']],
  [
    'a checkpoint whose signature was changed',
    [
      "update audit_checkpoints set jws = jws || 'x' where seq = (select min(seq) from audit_checkpoints where seq > 150)",
    ],
  ],
  ['a column changed', ["update audit_events set tool = 'other.tool' where seq = 230"]],
];

describe('verifying an audit log in parallel ranges', () => {
  it.each(cases)('finds what one pass finds in %s', async (_name, tampering) => {
    const { sequential, parallel, manyRanges, withThisThread } = await verifiedBothWays(tampering);
    expect(parallel).toBeDefined();
    expect(comparable(parallel!)).toEqual(comparable(sequential));
    expect(comparable(manyRanges!)).toEqual(comparable(sequential));
    expect(comparable(withThisThread!)).toEqual(comparable(sequential));
    if (tampering.length === 0) expect(parallel).toMatchObject({ ok: true, events: 300, lastSeq: 300 });
    else expect(sequential.ok).toBe(false);
  });

  it('leaves a short log to one pass', async () => {
    const path = join(tempDir, `${randomBytes(4).toString('hex')}.db`);
    const store = await openStore({ sqlite: path });
    await store.appendAudit([draft(1), draft(2)]);
    expect(await verifyAuditInParallel(path, [], () => true)).toBeUndefined();
    await store.close();
  });
});
