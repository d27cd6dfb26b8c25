import type { ApprovalRecord } from '@gatehouse/core';

/** One argument that differs between two actions: its path, and the value on each side (absent = undefined). */
export interface ArgumentChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Every leaf of a JSON value by path (`to[0]`, `meta.note`); an empty object or array is a leaf. */
function leaves(value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => {
      leaves(item, `${path}[${i}]`, out);
    });
  } else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) {
      const segment = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
      leaves(item, path === '' ? segment : `${path}.${segment}`, out);
    }
  } else {
    out.set(path, value);
  }
  return out;
}

/** What changed from `before` to `after`, leaf by leaf, in a stable order. */
export function argumentChanges(before: unknown, after: unknown): ArgumentChange[] {
  const a = leaves(before);
  const b = leaves(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: ArgumentChange[] = [];
  for (const path of paths) {
    const was = a.get(path);
    const is = b.get(path);
    if (a.has(path) && b.has(path) && JSON.stringify(was) === JSON.stringify(is)) continue;
    changes.push({ path, ...(a.has(path) && { before: was }), ...(b.has(path) && { after: is }) });
  }
  return changes;
}

/**
 * The previously approved action closest to this one: fewest changed
 * arguments, the most recent on a tie. What an approver most wants to know
 * about a request is how it differs from what people already said yes to —
 * the same payee with ten times the amount, or a new recipient.
 */
export function closestApproved(
  record: ApprovalRecord,
  candidates: readonly ApprovalRecord[],
): { approval: ApprovalRecord; changes: ArgumentChange[] } | undefined {
  let best: { approval: ApprovalRecord; changes: ArgumentChange[] } | undefined;
  for (const candidate of candidates) {
    if (candidate.id === record.id) continue;
    if (candidate.agent.id !== record.agent.id || candidate.tool !== record.tool) continue;
    const changes = argumentChanges(candidate.args, record.args);
    if (
      !best ||
      changes.length < best.changes.length ||
      (changes.length === best.changes.length && candidate.createdAt > best.approval.createdAt)
    )
      best = { approval: candidate, changes };
  }
  return best;
}
