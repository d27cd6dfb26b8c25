import { AUDIT_PRUNE_ACTION } from '@gatehouse/core';
import type { AuditSink } from './audit-log.js';
import type { AuditStore } from './audit-store.js';
import { actionDraft } from './drafts.js';

/**
 * Prunes events older than `before`, but only up to a signed checkpoint: the
 * log that remains starts right after it, and that checkpoint vouches for
 * the removed part, so the rest still verifies. The prune itself is an event
 * in the chain, written first: a log that starts late without one was cut by
 * someone else. Returns the events removed.
 */
export async function pruneAuditBefore(
  store: AuditStore,
  audit: AuditSink,
  before: Date,
  who: string,
): Promise<number> {
  // The newest checkpoint no later than the cut: walk the checkpoints in order.
  let anchor: number | undefined;
  for await (const checkpoint of store.streamAuditCheckpoints(1)) {
    if (Date.parse(checkpoint.time) > before.getTime()) break;
    anchor = checkpoint.seq;
  }
  if (anchor === undefined) return 0;
  // The checkpoint's time is when it was cut; no event up to it is younger.
  await audit.append(
    actionDraft({
      type: 'admin',
      action: AUDIT_PRUNE_ACTION,
      outcome: 'succeeded',
      who: { person: who },
      door: 'retention',
      extra: { through_seq: anchor, before: before.toISOString() },
    }),
  );
  return store.pruneAudit(anchor);
}
