import {
  type AuditCheckpoint,
  type AuditRow,
  type AuditVerification,
  verifyAuditChain,
} from '@gatehouse/core/audit';
import { auditPages, openAuditReader } from './sqlite-audit-pages.js';

/**
 * One range of a parallel verification (see parallel-verify.ts): events
 * `from`..`to` of a SQLite audit log, read through a connection of its own,
 * with the event before `from` as the anchor. Checkpoint signatures were
 * checked by the caller; `trusted` says which held.
 */
export interface VerifyRange {
  readonly path: string;
  readonly from: number;
  /** The last event of the range; none for the last range, which reads to the end. */
  readonly to?: number;
  readonly checkpoints: readonly { readonly checkpoint: AuditCheckpoint; readonly trusted: boolean }[];
  readonly pageSize: number;
}

/** What a range reports: its verification, and the hash it read for its anchor. */
export interface RangeVerification {
  readonly result: AuditVerification;
  readonly anchorHash?: string;
  /** Whether the range holds any event of its own (beyond the anchor). */
  readonly holdsEvents: boolean;
}

/**
 * Verifies one range. `yieldBetweenPages` lets the event loop turn after each page: the thread
 * that hands ranges to the others verifies ranges too, and must still hand each finished thread
 * its next range while it is in the middle of one of its own.
 */
export async function verifyRange(
  range: VerifyRange,
  options: { readonly yieldBetweenPages?: boolean } = {},
): Promise<RangeVerification> {
  const sqlite = openAuditReader(range.path);
  try {
    const anchorSeq = range.from - 1;
    let anchorHash: string | undefined;
    let holdsEvents = false;
    function* pages(): Iterable<AuditRow[]> {
      for (const rows of auditPages(
        sqlite,
        anchorSeq - 1,
        range.to ?? Number.MAX_SAFE_INTEGER,
        range.pageSize,
      )) {
        if (anchorHash === undefined && rows[0]?.seq === anchorSeq) anchorHash = rows[0].hash;
        if ((rows[rows.length - 1] as AuditRow).seq > anchorSeq) holdsEvents = true;
        yield rows;
      }
    }
    const trusted = new Map(range.checkpoints.map((c) => [c.checkpoint, c.trusted]));
    const result = await verifyAuditChain(
      options.yieldBetweenPages ? turning(pages()) : pages(),
      range.checkpoints.map((c) => c.checkpoint),
      { verifySignature: (cp) => trusted.get(cp) === true, ...(range.from > 1 && { from: range.from }) },
    );
    return { result, holdsEvents, ...(anchorHash !== undefined && { anchorHash }) };
  } finally {
    sqlite.close();
  }
}

/** The pages, with a turn of the event loop after each. */
async function* turning(pages: Iterable<AuditRow[]>): AsyncIterable<AuditRow[]> {
  for (const page of pages) {
    yield page;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
