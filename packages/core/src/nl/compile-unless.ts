import { type ClauseResult, compileClause, unparsedOf } from './compile-clause.js';
import type { Condition, SentenceMeaning } from './meaning.js';
import { misreadConditions } from './misreadings.js';
import { parseSentence } from './parse-sentence.js';
import type { ParsedSentence } from './parsed.js';
import { refuse } from './refusal.js';
import { negation } from './resolve-conditions.js';
import type { Vocabulary } from './vocabulary.js';

/** Where the exception starts: "unless", "except when", "except (for) ones/those …", "except …". */
const MARKER = / (?:, )?(?:unless|except (?:when|if|where)|except(?: for)?(?: (?:those|ones|the ones))?) /;

/** "…unless they are under $100": the pointer back and its verb say nothing of their own. */
const POINTER =
  /^(?:it is|it's|they are|they're|it was|they were|it goes|they go|it is sent|they are sent|sent|going|done)\s/;

/**
 * "No transfers on weekends, except ones of $50 or less", "Deletes need approval unless the ops
 * agent is deleting from staging": a rule and the case it leaves out, when the case says more
 * than the one condition "unless it is …" negates in place. The case is read as the rule's own
 * conditions would be (the sentence with the exception said as part of its subject); what that
 * adds to the rule is the exception. The rule applies when any part of the exception fails, so
 * each added condition, negated, is a rule of its own, and an added agent is exempted. Returns
 * undefined when the sentence is not of that shape, for the other readings' refusal to speak.
 */
export function compileUnless(
  text: string,
  sentence: string,
  vocabulary: Vocabulary,
  accounts: readonly string[],
): ClauseResult | undefined {
  const m = MARKER.exec(text);
  if (!m || text.slice(m.index + m[0].length).search(MARKER) >= 0) return undefined;
  const left = ` ${text.slice(0, m.index).trim()} `;
  // "…, except ones to ACME, which only need approval": the exception's own effect.
  const after = text.slice(m.index + m[0].length).trim();
  let [said, then] = after.split(/ , (?:which|in which case|where|and then|then) /);
  // "…, except to acct-ops-001 which just needs an ok": the comma left out, taken only when
  // what follows "which" says an effect (else "which" is the case's own relative clause).
  if (then === undefined) {
    const [s2, t2] = after.split(/ which (?!.* which )/);
    if (t2 !== undefined && parseSentence(` ${t2} `, vocabulary, accounts).effects.length > 0) {
      said = s2;
      then = t2;
    }
  }
  const right = (said ?? '').replace(POINTER, '');
  if (left.trim().split(' ').length < 2 || right.length === 0) return undefined;
  const joined = ` ${left.trim()} ${/^(?:the|a|an)\s/.test(right) ? 'when ' : ''}${right} `;
  // Parsed first, the exception read into the rule: most sentences of this shape stop there.
  const wholeParsed = understood(parseSentence(joined, vocabulary, accounts));
  const baseParsed = wholeParsed && understood(parseSentence(left, vocabulary, accounts));
  if (!wholeParsed || !baseParsed) return undefined;
  const base = one(compileClause(baseParsed, sentence, vocabulary));
  const whole = one(compileClause(wholeParsed, sentence, vocabulary));
  // "Order queries are fine, except for the finance agent, which may never run them": a
  // permission adds no rule, so only the exception's own effect does.
  const permits = base?.effect === 'allow';
  if (!base || !whole || (permits && then === undefined) || !sameRule(base, whole)) return undefined;
  const key = (c: Condition) => JSON.stringify(c);
  const had = new Set(base.conditions.map(key));
  // The exception narrows the rule: every condition of the rule is still there.
  const kept = new Set(whole.conditions.map(key));
  if (!base.conditions.every((c) => kept.has(key(c)))) return undefined;
  const added = whole.conditions.filter((c) => !had.has(key(c)));
  const agents = whole.agents.filter((a) => !base.agents.includes(a));
  if (added.length + agents.length === 0 || (agents.length > 0 && base.agents.length > 0)) return undefined;
  const meanings: SentenceMeaning[] = [];
  const note = `"unless"/"except": the rule applies when the exception does not hold${added.length + (agents.length > 0 ? 1 : 0) > 1 ? ', one rule for each part of it that fails' : ''}`;
  if (agents.length > 0 && !permits)
    meanings.push({ ...base, exceptAgents: [...base.exceptAgents, ...agents], notes: [...base.notes, note] });
  for (const c of permits ? [] : added) {
    const negated = negation(c);
    if (!negated)
      return refuse('GH_NL_UNSUPPORTED', `"unless …" says a ${c.kind} condition a rule cannot negate`);
    const conditions = [...base.conditions, negated];
    const why = misreadConditions(conditions);
    if (why) return refuse('GH_NL_UNSUPPORTED', why);
    meanings.push({ ...base, conditions, notes: [...base.notes, note] });
  }
  if (then === undefined) return { ok: true, meanings };
  const own = understood(parseSentence(` ${then} `, vocabulary, accounts));
  if (!own || own.effects.length === 0) return undefined;
  if (own.effects.every((e) => e === 'allow')) return permits ? undefined : { ok: true, meanings };
  // The exception's calls, under the rule's conditions and its own, with the effect it is given.
  const exception = compileClause(
    {
      ...own,
      pronoun: false,
      agents: [...wholeParsed.agents],
      exceptAgents: [...wholeParsed.exceptAgents],
      objects: [...wholeParsed.objects],
      verbs: [...wholeParsed.verbs],
      conditions: [...wholeParsed.conditions, ...own.conditions],
      origins: [...wholeParsed.origins],
    },
    sentence,
    vocabulary,
  );
  if (!exception.ok) return exception;
  return { ok: true, meanings: [...meanings, ...exception.meanings] };
}

/** The parse, when the grammar consumed every word of it and knows it can be stated. */
export function understood(p: ParsedSentence): ParsedSentence | undefined {
  return unparsedOf(p).length === 0 && p.unsupported.length === 0 ? p : undefined;
}

/** The one rule of a clause that compiled to exactly one, without a count. */
function one(r: ClauseResult): SentenceMeaning | undefined {
  return r.ok && r.meanings.length === 1 && r.meanings[0]?.quota === undefined ? r.meanings[0] : undefined;
}

/** Whether `b` reads as the rule `a` with conditions or agents of its own (over the same calls, or more). */
function sameRule(a: SentenceMeaning, b: SentenceMeaning): boolean {
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  return (
    a.effect === b.effect &&
    // The exception may name the calls more loosely ("unless it is deleting from staging").
    a.tools.every((t) => b.tools.includes(t)) &&
    same(a.approval, b.approval) &&
    same(a.require, b.require) &&
    same(a.exceptAgents, b.exceptAgents) &&
    a.agentLabel === b.agentLabel
  );
}
