import { AUDIT_PRUNE_ACTION, type AuditCheckpoint, type AuditRow, verifyAuditChain } from '@gatehouse/core';
import type { AuditSink } from './audit-log.js';
import type { AuditStore } from './audit-store.js';
import { actionDraft } from './drafts.js';

/**
 * Prunes events older than `before`, but only up to a checkpoint whose
 * signature verifies (its time is part of what was signed, so nobody can
 * backdate one to steer the cut) and only after the chain up to it verifies:
 * nothing is deleted that the key does not vouch for. The prune is written
 * into the chain first; a log that starts late without one was cut by someone
 * else. Returns the events removed.
 */
export async function pruneAuditBefore(
  store: AuditStore,
  audit: AuditSink,
  before: Date,
  who: string,
  verifySignature: (checkpoint: AuditCheckpoint) => Promise<boolean>,
): Promise<number> {
  let anchor: AuditCheckpoint | undefined;
  for await (const checkpoint of store.streamAuditCheckpoints(1)) {
    if (Date.parse(checkpoint.time) > before.getTime()) break;
    if (await verifySignature(checkpoint)) anchor = checkpoint;
  }
  if (anchor === undefined) return 0;
  const cut = anchor;
  async function* upToCut(): AsyncIterable<AuditRow[]> {
    for await (const page of store.streamAuditPages(1)) {
      const kept = page.filter((row) => row.seq <= cut.seq);
      if (kept.length > 0) yield kept;
      if (kept.length < page.length) return;
    }
  }
  async function* checkpointsUpToCut(): AsyncIterable<AuditCheckpoint> {
    for await (const checkpoint of store.streamAuditCheckpoints(1)) {
      if (checkpoint.seq > cut.seq) return;
      yield checkpoint;
    }
  }
  // The start of the log was vouched for when it was pruned last; what is checked here is that
  // the events about to go form one chain that ends in the signed checkpoint.
  const checked = await verifyAuditChain(upToCut(), checkpointsUpToCut(), {
    verifySignature,
    trustFirst: true,
  });
  if (!checked.ok || checked.lastSeq !== cut.seq || checked.lastHash !== cut.hash) {
    throw new Error(
      `not pruning: the audit chain up to checkpoint ${cut.seq} does not verify (${checked.problem?.message ?? 'it ends elsewhere'})`,
    );
  }
  await audit.append(
    actionDraft({
      type: 'admin',
      action: AUDIT_PRUNE_ACTION,
      outcome: 'succeeded',
      who: { person: who },
      door: 'retention',
      extra: { through_seq: cut.seq, before: before.toISOString() },
    }),
  );
  return store.pruneAudit(cut.seq);
}
