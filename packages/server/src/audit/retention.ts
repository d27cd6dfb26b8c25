import type { AuditStore } from './audit-store.js';

/**
 * Prunes events older than `before`, but only up to a signed checkpoint: the
 * log that remains starts right after it, and that checkpoint vouches for
 * the removed part, so the rest still verifies. Returns the events removed.
 */
export async function pruneAuditBefore(store: AuditStore, before: Date): Promise<number> {
  // The newest checkpoint no later than the cut: walk the checkpoints in order.
  let anchor: number | undefined;
  for await (const checkpoint of store.streamAuditCheckpoints(1)) {
    if (Date.parse(checkpoint.time) > before.getTime()) break;
    anchor = checkpoint.seq;
  }
  if (anchor === undefined) return 0;
  // The checkpoint's time is when it was cut; no event up to it is younger.
  return store.pruneAudit(anchor);
}
