import { unparsedOf } from './compile-clause.js';
import type { Condition, SentenceMeaning } from './meaning.js';
import { parseSentence } from './parse-sentence.js';
import type { ObjectPhrase, ParsedSentence } from './parsed.js';
import type { Vocabulary } from './vocabulary.js';

// How a clause of a sentence relates to the clause before it: the effect a clause that ends on
// its verb points back at, "anything larger", a restriction that takes back a permission, and
// what a clause leaves unsaid.

/**
 * The effect of a clause that ends on its verb, from the clause before: "Staging deletes are
 * fine, production deletes are not" denies; "Reading email doesn't need approval, but sending it
 * does" asks; "Orders may not be deleted, but sandbox rows may" permits. Returns why it cannot
 * be told, if so.
 */
export function resolveEllipsis(p: ParsedSentence, before: ParsedSentence | undefined): string | undefined {
  if (!before || p.effects.length > 0) return 'says its effect twice, or points back at nothing';
  const effects = new Set(before.effects);
  if (effects.size !== 1) return 'the clause before it has no single effect to point back at';
  const [effect] = [...effects];
  if (p.ellipsis === 'negated') {
    if (effect === 'allow' && !before.noApproval && !before.only) p.effects.push('deny');
    else if (effect === 'deny' && !before.withoutApproval) p.effects.push('allow');
    else if (effect === 'approve') p.effects.push('allow');
    else return 'what the opposite of the clause before is, is not clear';
    return undefined;
  }
  if (effect === 'allow' && before.noApproval) {
    p.effects.push('approve');
    if (before.approvers !== undefined) p.approvers = before.approvers;
    p.groups.push(...before.groups);
    p.people.push(...before.people);
    if (before.peopleJoin !== undefined) p.peopleJoin = before.peopleJoin;
    return undefined;
  }
  if (effect === 'deny' && !before.withoutApproval && !before.only) {
    p.effects.push('allow');
    return undefined;
  }
  return 'what it affirms of the clause before is not clear';
}

/**
 * The clause "anything larger" means after a restricting clause bounded from above ("between
 * $500 and $5,000", "up to $2,500"): that clause's subject and calls, over its upper bound.
 * Undefined when the clause before permits (the usual "anything else") or bounds nothing.
 */
export function largerThanBefore(p: ParsedSentence, before: ParsedSentence): ParsedSentence | undefined {
  if (before.effects.length === 0 || before.effects.some((e) => e === 'allow') || before.only)
    return undefined;
  if (p.conditions.length > 0 || p.objects.length > 0 || p.verbs.length > 0) return undefined;
  const bounds = before.conditions.filter((c) => c.kind === 'amount' && (c.op === '<' || c.op === '<='));
  const upper = bounds.length === 1 ? bounds[0] : undefined;
  if (upper?.kind !== 'amount') return undefined;
  return {
    ...p,
    otherwise: false,
    otherwiseLarger: false,
    agents: before.agents,
    exceptAgents: before.exceptAgents,
    ...(before.agentLabel !== undefined && { agentLabel: before.agentLabel }),
    objects: before.objects,
    verbs: before.verbs,
    conditions: [
      ...before.conditions.filter((c) => c.kind !== 'amount'),
      { kind: 'amount', op: upper.op === '<' ? '>=' : '>', value: upper.value },
    ],
    origins: before.origins,
    notes: [...p.notes, `"larger" is above the bound of the clause before (${upper.op} ${upper.value})`],
  };
}

const sameCondition = (a: Condition, b: Condition) => JSON.stringify(a) === JSON.stringify(b);

/** Whether two meanings can apply to one call: a tool in common and agents that meet. */
const sameCalls = (a: SentenceMeaning, b: SentenceMeaning) =>
  a.tools.some((t) => b.tools.includes(t)) &&
  (a.agents.length === 0 || b.agents.length === 0 || a.agents.some((x) => b.agents.includes(x)));

/**
 * "need approval; … never need approval": an approval and a permission that says nobody is
 * asked, over the same calls with one's conditions within the other's.
 */
export function asksAbout(allow: SentenceMeaning, approve: SentenceMeaning): boolean {
  const within = (a: SentenceMeaning, b: SentenceMeaning) =>
    a.conditions.every((c) => b.conditions.some((d) => sameCondition(c, d)));
  return sameCalls(allow, approve) && (within(allow, approve) || within(approve, allow));
}

/**
 * A restriction that takes back all a permission of the same sentence gave: same tools and
 * agents, and no condition of its own to narrow it ("can send email, but can't send email").
 * A narrower restriction is the usual carve-out ("may send email, but never to gmail.com").
 */
export function contradicts(allow: SentenceMeaning, restrict: SentenceMeaning): boolean {
  // "may be queried, but every query must be approved": asking a person is how a bare permission
  // is used, not a contradiction of it; "under $100 are fine, payments need approval" takes back
  // what the permission singled out.
  return (
    sameCalls(allow, restrict) &&
    !(restrict.effect === 'approve' && allow.conditions.length === 0) &&
    restrict.require === undefined &&
    restrict.conditions.every((c) => allow.conditions.some((d) => sameCondition(c, d)))
  );
}

/**
 * What a clause leaves unsaid, taken from the clause before it: the subject when it names none
 * ("… but may never delete it"), and the objects and their conditions when it points back
 * ("it", "there", "from it") or names no object at all.
 */
export function inherit(p: ParsedSentence, before: ParsedSentence): void {
  if (p.agents.length === 0 && !p.anyAgent && p.exceptAgents.length === 0 && p.agentLabel === undefined) {
    p.agents.push(...before.agents);
    p.exceptAgents.push(...before.exceptAgents);
    if (before.agentLabel !== undefined) p.agentLabel = before.agentLabel;
  }
  // "Transfers need approval on weekends; transfers are blocked above 3000": a clause that says
  // the same action again by its own noun is a statement of its own, not one that points back,
  // so the weekend is not carried into the block.
  const saysAgain =
    !p.pronoun &&
    p.objects.length === 0 &&
    before.objects.length === 0 &&
    p.verbs.length > 0 &&
    p.verbs.length === before.verbs.length &&
    p.verbs.every((v) => before.verbs.includes(v));
  const pointsBack = !saysAgain && (p.pronoun || (p.objects.length === 0 && p.origins.length === 0));
  if (!pointsBack) {
    // "Flagged sessions may still look up contacts, but reading email needs approval": a
    // permission adds no rule, so the session it names is the subject of the whole sentence.
    const sessions = before.conditions.filter((c) => c.kind === 'session-label');
    const permits = before.effects.length > 0 && before.effects.every((e) => e === 'allow');
    if (permits && !p.conditions.some((c) => c.kind === 'session-label')) p.conditions.push(...sessions);
    return;
  }
  // "… not delete anything there": "anything" is whatever "there" is.
  if (p.pronoun && p.objects.every((o) => o.kind === 'any')) p.objects.splice(0);
  // "Queries against the orders database are fine; deletions from it need approval": the
  // action said as a noun is narrowed to what "it" is; without it the rule would reach every delete.
  const where = before.objects.filter((o) => o.kind !== 'category' && o.kind !== 'any').map(placeOf);
  const actionsOnly = p.objects.length > 0 && !p.objects.some((o) => o.kind !== 'category');
  if (p.pronounPlace && actionsOnly && where.length > 0) p.objects.push(...where);
  // "… only with approval and never on weekends": a clause that names no action at all means the
  // one before, verb and object both; carrying the object alone would reach its every tool.
  const saysNoAction = p.verbs.length === 0 && p.objects.length === 0;
  // With an action of its own, the clause takes the place the one before acted on ("query the
  // orders DB, but not delete anything there"), not the tool its verb picked out there.
  if (p.objects.length === 0)
    p.objects.push(...(saysNoAction ? before.objects : before.objects.map(placeOf)));
  if (saysNoAction) p.verbs.push(...before.verbs);
  const kinds = new Set(p.conditions.map((c) => c.kind));
  // An amount is carried only when the clause points back outright ("on weekdays they need two
  // approvals"): a clause that merely names no object may be about a different size of call.
  for (const c of before.conditions)
    if (!kinds.has(c.kind) && (c.kind !== 'amount' || p.pronoun)) p.conditions.push(c);
}

/** A tool a verb phrase picked out of its namespace ("list email"), as the namespace it named. */
function placeOf(o: ObjectPhrase): ObjectPhrase {
  return o.kind === 'tool' && o.place !== undefined ? { kind: 'namespace', namespace: o.place } : o;
}

/**
 * "Payments over $1,000 need approval, but only on weekdays": a clause of "only" and conditions
 * alone says when the restriction before it applies, and is read into it. After a permission it
 * is left for the refusal: "may send email, but only on weekdays" limits what is not said.
 */
export function narrowedBefore(
  clauses: readonly string[],
  vocabulary: Vocabulary,
  accounts: readonly string[],
): string[] {
  const out: string[] = [];
  for (const c of clauses) {
    const only =
      /^ only ((?:on|during|in|at|between|from|outside|before|after|when|while|if|over|under|above|below) .+) $/.exec(
        c,
      );
    const before = out.at(-1);
    if (only && before) {
      const p = parseSentence(c, vocabulary, accounts);
      const b = parseSentence(before, vocabulary, accounts);
      const kinds = new Set(b.conditions.map((x) => x.kind));
      const narrows =
        p.effects.length === 0 &&
        p.objects.length === 0 &&
        p.verbs.length === 0 &&
        p.conditions.length > 0 &&
        unparsedOf(p).length === 0 &&
        p.conditions.every((x) => !kinds.has(x.kind)) &&
        b.effects.length > 0 &&
        b.effects.every((e) => e !== 'allow') &&
        // "Only the ops agent may delete, and only in staging": a second limit, not a narrowing.
        !b.only &&
        !b.onlyAgents &&
        b.exceptAgents.length === 0;
      if (narrows) {
        out[out.length - 1] = ` ${before.trim()} ${only[1]} `;
        continue;
      }
    }
    out.push(c);
  }
  return out;
}

/**
 * "…, but in production every delete is blocked and every query needs approval": a clause with
 * two effects, its place set off first and a new subject after the "and", is two statements in
 * that place. Any other clause stays as it is.
 */
export function frontedPair(clause: string, vocabulary: Vocabulary, accounts: readonly string[]): string[] {
  const m = /^ ((?:in|on|during|outside) [^,;]{2,40}?) , (.+?) and ((?:every|all|any|each|no) .+) $/.exec(
    clause,
  );
  if (!m || new Set(parseSentence(clause, vocabulary, accounts).effects).size < 2) return [clause];
  return [` ${m[1]} , ${m[2]} `, ` ${m[1]} , ${m[3]} `];
}

/**
 * "Deleting is forbidden, but sandbox deletes need Oscar's approval": the writer means an
 * exception, yet as two rules the denial wins and the approval is never asked. The tools of an
 * approval that an earlier, unconditional denial of every agent already covers, if any.
 */
export function unreachedApproval(meanings: readonly SentenceMeaning[]): string | undefined {
  for (let i = 1; i < meanings.length; i++) {
    const later = meanings[i] as SentenceMeaning;
    if (later.effect !== 'approve' || later.tools.length === 0) continue;
    const covered = meanings
      .slice(0, i)
      .some(
        (m) =>
          m.effect === 'deny' &&
          m.conditions.length === 0 &&
          m.require === undefined &&
          m.quota === undefined &&
          m.agentLabel === undefined &&
          m.exceptAgents.length === 0 &&
          (m.agents.length === 0 || later.agents.every((a) => m.agents.includes(a))) &&
          (m.agents.length === 0 || later.agents.length > 0) &&
          later.tools.every((t) => m.tools.includes(t)),
      );
    if (covered) return later.tools.join(', ');
  }
  return undefined;
}
