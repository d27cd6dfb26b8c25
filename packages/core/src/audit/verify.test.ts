import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditCheckpoint,
  type AuditDraft,
  auditHash,
  GENESIS_HASH,
  type SealedAuditEvent,
  sealAuditEvent,
  sha256Hex,
} from './event.js';
import { isSecretKey, outputPreview, redactSecretFields } from './redact.js';
import { AUDIT_PRUNE_ACTION, type AuditRow, verifyAuditChain } from './verify.js';

const draft = (i: number): AuditDraft => ({
  type: 'decision',
  time: new Date(Date.UTC(2026, 10, 27, 10, 0, i)).toISOString(),
  who: { agent: { id: 'agt_1', name: 'finance-agent' } },
  what: { tool: 'payments.transfer', args: { amount: 100 + i, to: 'ACME' } },
  outcome: { status: i % 3 === 0 ? 'denied' : 'allowed' },
  session_id: 'ses_1',
});

/** A chain of `n` events, and an honest "signature": a checkpoint is trusted when its jws says so. */
function chain(n: number): SealedAuditEvent[] {
  const events: SealedAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const sealed = sealAuditEvent(draft(seq), `evt_${seq}`, seq, prev);
    events.push(sealed);
    prev = sealed.hash;
  }
  return events;
}
const rowOf = (e: SealedAuditEvent): AuditRow => ({
  seq: e.seq,
  hash: e.hash,
  text: e.text,
  prevHash: e.prevHash,
  type: e.type,
  agentId: e.agentId ?? null,
  sessionId: e.sessionId ?? null,
  tool: e.tool ?? null,
  outcome: e.outcome,
});
const checkpointAt = (e: SealedAuditEvent, jws = 'trusted'): AuditCheckpoint => ({
  seq: e.seq,
  hash: e.hash,
  time: '2026-11-27T10:00:00.000Z',
  kid: 'k1',
  jws,
});
const verify = (rows: AuditRow[], checkpoints: AuditCheckpoint[] = [], from?: number) =>
  verifyAuditChain(rows, checkpoints, {
    verifySignature: (cp) => cp.jws === 'trusted',
    ...(from !== undefined && { from }),
  });

describe('the audit chain', () => {
  it('verifies an untouched chain with its checkpoints', async () => {
    const events = chain(10);
    const result = await verify(events.map(rowOf), [checkpointAt(events[4]!), checkpointAt(events[9]!)]);
    expect(result).toEqual({
      ok: true,
      events: 10,
      checkpoints: 2,
      firstSeq: 1,
      lastSeq: 10,
      lastHash: events[9]!.hash,
    });
  });

  it('seals an event whose strings carry lone surrogates instead of failing its batch', async () => {
    const bad = sealAuditEvent(
      { ...draft(1), why: { reasoning: 'pay \ud800 now' }, what: { tool: 't', args: { ['k\udfff']: 'x' } } },
      'evt_1',
      1,
      GENESIS_HASH,
    );
    expect(bad.text).toContain('pay \ufffd now');
    expect(await verify([rowOf(bad)])).toMatchObject({ ok: true, events: 1 });
  });

  it('seals an event carrying numbers JSON cannot hold, describing them instead of failing', async () => {
    const odd = sealAuditEvent(
      {
        ...draft(1),
        what: { tool: 't', args: { amount: Number.POSITIVE_INFINITY, n: Number.NaN, big: 10n } },
      },
      'evt_1',
      1,
      GENESIS_HASH,
    );
    expect(JSON.parse(odd.text).what.args).toEqual({
      amount: '[unstorable number: Infinity]',
      n: '[unstorable number: NaN]',
      big: '[unstorable bigint: 10]',
    });
    expect(await verify([rowOf(odd)])).toMatchObject({ ok: true, events: 1 });
    expect(auditHash({ amount: Number.POSITIVE_INFINITY })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the canonical text it stores', () => {
    const [first] = chain(1);
    expect(first!.hash).toBe(sha256Hex(first!.text));
    expect(JSON.parse(first!.text)).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH, id: 'evt_1' });
    // Canonical: keys sorted, no whitespace.
    expect(first!.text.startsWith('{"id":"evt_1","outcome":')).toBe(true);
  });

  it('names an edited event, even one edited with its hash recomputed', async () => {
    const rows = chain(6).map(rowOf);
    const edited = { ...rows[2]!, text: rows[2]!.text.replace('"amount":103', '"amount":9103') };
    expect((await verify([...rows.slice(0, 2), edited, ...rows.slice(3)])).problem).toMatchObject({
      kind: 'edited',
      seq: 3,
    });
    const resealed = { ...edited, hash: sha256Hex(edited.text) };
    expect((await verify([...rows.slice(0, 2), resealed, ...rows.slice(3)])).problem).toMatchObject({
      kind: 'edited',
      seq: 3,
    });
  });

  it('is not fooled by arguments that carry a link of their own', async () => {
    // An agent puts a forged event's hash into its arguments, hoping the event can be chained to
    // either predecessor; with the forged one swapped in, the chain must still break.
    const [first] = chain(1);
    const real = sealAuditEvent(draft(2), 'evt_2', 2, first!.hash);
    const forged = sealAuditEvent({ ...draft(2), outcome: { status: 'denied' } }, 'evt_2', 2, first!.hash);
    const next = sealAuditEvent(
      { ...draft(3), what: { tool: 'payments.transfer', args: { prev_hash: forged.hash, seq: 3, z: 0 } } },
      'evt_3',
      3,
      real.hash,
    );
    expect(await verify([first!, real, next].map(rowOf))).toMatchObject({ ok: true });
    const swapped = [rowOf(first!), rowOf(forged), { ...rowOf(next), prevHash: forged.hash }];
    expect((await verify(swapped)).problem).toMatchObject({ kind: 'edited' });
  });

  it('verifies events whose arguments reuse the keys it reads, and still catches a changed column', async () => {
    const nested = {
      prev_hash: 'f'.repeat(64),
      seq: 1,
      session_id: 'ses_other',
      type: 'admin',
      tool: 'other.tool',
      status: 'denied',
      who: { agent: { id: 'agt_other' } },
    };
    // The second event of a chain: the one the fast path reads.
    const [first] = chain(1);
    const odd = sealAuditEvent(
      { ...draft(2), what: { tool: 'payments.transfer', args: { nested, list: [nested] } } },
      'evt_2',
      2,
      first!.hash,
    );
    expect(await verify([rowOf(first!), rowOf(odd)])).toMatchObject({ ok: true, events: 2 });
    for (const column of [
      { sessionId: 'ses_other' },
      { tool: 'other.tool' },
      { agentId: 'agt_other' },
      { type: 'admin' },
      { outcome: 'denied' },
    ])
      expect((await verify([rowOf(first!), { ...rowOf(odd), ...column }])).problem).toMatchObject({
        kind: 'edited',
        seq: 2,
      });
  });

  it('reads the sequence number whole: a leading zero or a digit more is not the number', async () => {
    // The fast path compares seq's digits in place; an event re-sealed with its seq written
    // otherwise, and the next event chained to that, must still fail where one pass parses.
    const [first, second] = chain(2);
    for (const [written, kind] of [
      ['"seq":02,', 'edited'],
      ['"seq":20,', 'reordered'],
    ] as const) {
      const text = second!.text.replace('"seq":2,', written);
      const odd = { ...rowOf(second!), text, hash: sha256Hex(text) };
      const next = sealAuditEvent(draft(3), 'evt_3', 3, odd.hash);
      const verified = await verify([rowOf(first!), odd, rowOf(next)]);
      expect(verified.ok).toBe(false);
      expect(verified.problem).toMatchObject({ kind, seq: 2 });
    }
  });

  it('reads only whole keys: keys that end in the ones it reads do not stand in for them', async () => {
    // The fast path searches for a key's letters and then checks the quote before them.
    const [first] = chain(1);
    const args = {
      aprev_hash: 'f'.repeat(64),
      nowho: { agent: { id: 'agt_other' } },
      subtype: 'admin',
      mytool: 'other.tool',
      list: [{ xwho: { agent: { id: 'agt_other' } } }],
    };
    const odd = sealAuditEvent(
      { ...draft(2), what: { tool: 'payments.transfer', args } },
      'evt_2',
      2,
      first!.hash,
    );
    expect(await verify([rowOf(first!), rowOf(odd)])).toMatchObject({ ok: true, events: 2 });
    for (const column of [{ agentId: 'agt_other' }, { tool: 'other.tool' }, { type: 'admin' }])
      expect((await verify([rowOf(first!), { ...rowOf(odd), ...column }])).problem).toMatchObject({
        kind: 'edited',
        seq: 2,
      });
  });

  it('catches a changed agent column when the user or an endorsed value after `what` spells out another agent', async () => {
    const [first] = chain(1);
    const fake = { agent: { id: 'agt_other' } };
    for (const extra of [
      { who: { agent: { id: 'agt_1' }, user: { who: fake } } },
      { why: { endorsed: { who: fake } } },
    ]) {
      const odd = sealAuditEvent({ ...draft(2), ...extra }, 'evt_2', 2, first!.hash);
      expect(await verify([rowOf(first!), rowOf(odd)])).toMatchObject({ ok: true, events: 2 });
      expect((await verify([rowOf(first!), { ...rowOf(odd), agentId: 'agt_other' }])).problem).toMatchObject({
        kind: 'edited',
        seq: 2,
      });
    }
  });

  it('verifies an event whose ids carry lone surrogates, and keeps digests for what they are', async () => {
    const [first] = chain(1);
    const lone = sealAuditEvent({ ...draft(2), session_id: 'ses_\ud800' }, 'evt_2', 2, first!.hash);
    expect(lone.sessionId).toBe('ses_\ufffd');
    expect(await verify([rowOf(first!), rowOf(lone)])).toMatchObject({ ok: true, events: 2 });
    // An id shaped like a digest is digested itself: it cannot stand for another id's digest.
    const posing = sealAuditEvent(
      { ...draft(2), session_id: lone.sessionId!.replace(/^/, 'sha256:') },
      'e',
      2,
      first!.hash,
    );
    expect(posing.sessionId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // A raw value stored where its digest belongs hides the event from queries: caught.
    const long = sealAuditEvent({ ...draft(2), session_id: 's'.repeat(300) }, 'evt_2', 2, first!.hash);
    expect(
      (await verify([rowOf(first!), { ...rowOf(long), sessionId: 's'.repeat(300) }])).problem,
    ).toMatchObject({
      kind: 'edited',
      seq: 2,
    });
  });

  it('keeps long or control-character ids as digests in query columns, and verifies them', async () => {
    const odd = sealAuditEvent(
      { ...draft(1), session_id: `s\u0000${'x'.repeat(300)}` },
      'evt_1',
      1,
      GENESIS_HASH,
    );
    expect(odd.sessionId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await verify([rowOf(odd)])).toMatchObject({ ok: true });
    expect((await verify([{ ...rowOf(odd), sessionId: 'ses_other' }])).problem).toMatchObject({
      kind: 'edited',
    });
  });

  it('names a column changed behind the event (a query would find the wrong agent)', async () => {
    const rows = chain(4).map(rowOf);
    rows[1] = { ...rows[1]!, agentId: 'agt_someone_else' };
    expect((await verify(rows)).problem).toMatchObject({ kind: 'edited', seq: 2 });
  });

  it('names a deleted event, and a run of them', async () => {
    const rows = chain(8).map(rowOf);
    expect((await verify(rows.filter((r) => r.seq !== 4))).problem).toMatchObject({
      kind: 'missing',
      seq: 4,
      message: 'event 4 is missing',
    });
    expect((await verify(rows.filter((r) => r.seq < 3 || r.seq > 5))).problem).toMatchObject({
      kind: 'missing',
      seq: 3,
    });
    expect((await verify(rows.slice(2))).problem).toMatchObject({ kind: 'missing', seq: 1 });
  });

  it('names two swapped events', async () => {
    const rows = chain(6).map(rowOf);
    const swapped = rows.map((r) => ({ ...r }));
    swapped[2] = { ...rows[3]!, seq: 3 };
    swapped[3] = { ...rows[2]!, seq: 4 };
    expect((await verify(swapped)).problem).toMatchObject({ kind: 'reordered', seq: 3 });
  });

  it('names a tail cut after a checkpoint, and a checkpoint signed by another key', async () => {
    const events = chain(10);
    const rows = events.map(rowOf);
    expect((await verify(rows.slice(0, 7), [checkpointAt(events[8]!)])).problem).toMatchObject({
      kind: 'truncated',
      seq: 8,
    });
    expect((await verify(rows, [checkpointAt(events[4]!, 'forged')])).problem).toMatchObject({
      kind: 'bad-signature',
      seq: 5,
    });
  });

  it('accepts a log pruned at a checkpoint with a signed record of the prune, and nothing else', async () => {
    const events = chain(10);
    const prune = sealAuditEvent(
      {
        type: 'admin',
        time: '2026-11-27T11:00:00.000Z',
        who: { person: 'cli:root' },
        what: { action: AUDIT_PRUNE_ACTION, args: { through_seq: 5 } },
        outcome: { status: 'succeeded' },
      },
      'evt_11',
      11,
      events[9]!.hash,
    );
    const kept = [...events.slice(5).map(rowOf), rowOf(prune)];
    expect(await verify(kept, [checkpointAt(events[4]!), checkpointAt(prune)])).toMatchObject({
      ok: true,
      events: 6,
      firstSeq: 6,
    });
    // The oldest events deleted at a checkpoint, with no prune recorded: an attack, not retention.
    expect((await verify(events.slice(5).map(rowOf), [checkpointAt(events[4]!)])).problem).toMatchObject({
      kind: 'missing',
      seq: 1,
    });
    // A prune event that no signed checkpoint covers yet could have been appended by anyone.
    expect((await verify(kept, [checkpointAt(events[4]!)])).problem).toMatchObject({ kind: 'missing' });
    expect((await verify(events.slice(5).map(rowOf), [checkpointAt(events[3]!)])).problem).toMatchObject({
      kind: 'missing',
      seq: 1,
    });
  });

  it('asks for a recorded prune even when verifying from a sequence number', async () => {
    const events = chain(10);
    expect((await verify(events.slice(5).map(rowOf), [checkpointAt(events[4]!)], 3)).problem).toMatchObject({
      kind: 'missing',
    });
  });

  it('verifies from a sequence number, anchored on the event before it', async () => {
    const rows = chain(10).map(rowOf);
    expect(await verify(rows.slice(5), [], 7)).toMatchObject({
      ok: true,
      events: 4,
      firstSeq: 6,
      lastSeq: 10,
    });
    expect((await verify(rows.slice(6), [], 7)).problem).toMatchObject({ kind: 'missing', seq: 6 });
  });

  it('detects any single-byte change anywhere in any event (property)', async () => {
    const rows = chain(5).map(rowOf);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.nat(),
        fc.integer({ min: 32, max: 126 }),
        async (index, position, code) => {
          const target = rows[index]!;
          const at = position % target.text.length;
          fc.pre(target.text.charCodeAt(at) !== code);
          const text = target.text.slice(0, at) + String.fromCharCode(code) + target.text.slice(at + 1);
          const tampered = rows.map((r, i) => (i === index ? { ...r, text } : r));
          const result = await verify(tampered);
          expect(result.ok).toBe(false);
          expect(result.problem?.seq).toBeLessThanOrEqual(index + 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('what the audit keeps of arguments', () => {
  it('redacts values under keys that name secrets, at any depth', () => {
    expect(
      redactSecretFields({
        to: 'bob@example.com',
        apiKey: 'sk-live-1',
        nested: [{ password: 'hunter2', note: 'fine' }],
        headers: { Authorization: 'Bearer x', 'x-request-id': 'r1' },
      }),
    ).toEqual({
      to: 'bob@example.com',
      apiKey: '[redacted]',
      nested: [{ password: '[redacted]', note: 'fine' }],
      headers: { Authorization: '[redacted]', 'x-request-id': 'r1' },
    });
    for (const key of ['client_secret', 'access_token', 'privateKey', 'db-password'])
      expect(isSecretKey(key)).toBe(true);
    for (const key of ['to', 'author', 'tokens_used', 'subject', 'description'])
      expect(isSecretKey(key)).toBe(false);
  });

  it('answers a name the same every time, past the bound of names it remembers', () => {
    const names = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? `field${i}` : `field${i}_password`));
    for (let pass = 0; pass < 2; pass++)
      for (const [i, name] of names.entries()) expect(isSecretKey(name)).toBe(i % 2 === 1);
    expect(isSecretKey('apiKey')).toBe(true);
    expect(isSecretKey(`${'x'.repeat(200)}_token`)).toBe(true);
    expect(isSecretKey(`${'x'.repeat(200)}_token`)).toBe(true);
  });

  it('keeps nothing below the depth it inspects', () => {
    let deep: unknown = { password: 'hunter2' };
    for (let i = 0; i < 80; i++) deep = { next: deep };
    expect(JSON.stringify(redactSecretFields(deep))).not.toContain('hunter2');
  });

  it('cuts a long output to a bounded preview', () => {
    const preview = outputPreview({ rows: 'x'.repeat(10_000) }, 100);
    expect(typeof preview).toBe('string');
    expect((preview as string).length).toBeLessThan(140);
    expect(outputPreview({ ok: true, token: 't' })).toEqual({ ok: true, token: '[redacted]' });
  });
});
