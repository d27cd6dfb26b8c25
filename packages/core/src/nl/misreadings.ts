import type { Condition } from './meaning.js';

/**
 * Checks on a clause's conditions that catch a misreading before it becomes a rule. A rule's
 * conditions are a conjunction: when two of them can never hold together, or one time window
 * sits beside another, the sentence most likely said "or" (or attached a condition to the wrong
 * clause), and the rule would silently never apply. Such a clause is refused, never emitted.
 */

/** Kinds whose second occurrence in one rule is a disjunction the rule cannot state. */
const ONE_PER_RULE: ReadonlySet<Condition['kind']> = new Set(['hours', 'days', 'dates', 'state', 'intent']);

/** Why the conditions of one rule cannot be what the sentence meant, or undefined. */
export function misreadConditions(conditions: readonly Condition[]): string | undefined {
  const seen = new Map<Condition['kind'], number>();
  for (const c of conditions) seen.set(c.kind, (seen.get(c.kind) ?? 0) + 1);
  for (const [kind, n] of seen)
    if (n > 1 && ONE_PER_RULE.has(kind))
      return `two ${kind} conditions in one rule must both hold, which "or" does not mean: write one sentence for each`;
  // "in production or staging": one tool has one env, so both can never hold.
  const facts = new Map<string, string>();
  for (const c of conditions) {
    if (c.kind !== 'resource' || c.not) continue;
    const other = facts.get(c.key);
    if (other !== undefined && other !== c.value)
      return `a tool has one ${c.key}: ${other} and ${c.value} can never both hold; write one sentence for each`;
    facts.set(c.key, c.value);
  }
  // "to external recipients and colleagues": outside and inside the same domain never both
  // hold; a rule reads one set of recipients one way.
  const recipients = conditions.filter((c) => c.kind === 'recipients');
  if (recipients.length > 1)
    return 'two conditions on the recipients in one rule must both hold: write one sentence for each';
  const amounts = conditions.filter((c) => c.kind === 'amount');
  if (amounts.length > 2) return 'more than two amount bounds in one rule';
  if (amounts.length === 2) {
    const [a, b] = amounts as [
      Extract<Condition, { kind: 'amount' }>,
      Extract<Condition, { kind: 'amount' }>,
    ];
    const lower = [a, b].find((c) => c.op === '>' || c.op === '>=');
    const upper = [a, b].find((c) => c.op === '<' || c.op === '<=');
    if (!lower || !upper) return 'two amount bounds in the same direction: say one threshold';
    // A range must hold some amount: "under 10 or over 10,000" read as a conjunction holds none.
    const empty =
      lower.value > upper.value || (lower.value === upper.value && (lower.op === '>' || upper.op === '<'));
    if (empty)
      return `no amount is ${lower.op} ${lower.value} and ${upper.op} ${upper.value} at once: write one sentence for each bound`;
  }
  return undefined;
}
