import { type ClauseResult, compileClause, unparsedOf, unparsedRefusal } from './compile-clause.js';
import { understood } from './compile-unless.js';
import type { Condition, SentenceMeaning } from './meaning.js';
import { misreadConditions } from './misreadings.js';
import { parseSentence } from './parse-sentence.js';
import type { ParsedSentence } from './parsed.js';
import { refuse } from './refusal.js';
import { negation } from './resolve-conditions.js';
import type { Vocabulary } from './vocabulary.js';

/** Conditions on when a call is made: together they are one window, which "at any other time" leaves. */
const TIME_KINDS: ReadonlySet<Condition['kind']> = new Set(['hours', 'days', 'dates', 'yearly']);

/** "…; at any other time …", "…; outside those hours …": only the time of the first part is turned over. */
const OTHER_TIMES =
  /\b(?:at (?:any|all) other times?|at other times|outside (?:those|these|that|this|the) (?:hours|times?|window))\b/i;

/**
 * "Deletes on weekends are denied; otherwise they need approval", "Order deletions between 08:00
 * and 20:00 need one approver; at any other time they are forbidden": two effects, the second
 * for what the first does not cover. Returns undefined when the sentence is not of that shape
 * (or its first part restricts nothing), for the other readings to try.
 *
 * The second part takes the first's subject and calls when it names none, and the opposite of
 * the first part's condition: stated only for one condition a rule can negate, or for a window
 * of time (whose opposite is one rule per bound it leaves), and refused otherwise. After a
 * denial, a second part with calls of its own takes nothing: what the first part denies stays
 * denied whatever the second says (deny wins).
 */
export function compileOtherwise(
  text: string,
  sentence: string,
  vocabulary: Vocabulary,
  accounts: readonly string[],
): ClauseResult | undefined {
  const at = text.indexOf(' , otherwise ');
  if (at < 0 || text.indexOf(' , otherwise ', at + 1) >= 0) return undefined;
  const firstParsed = understood(parseSentence(text.slice(0, at), vocabulary, accounts));
  if (!firstParsed || firstParsed.otherwise || firstParsed.ellipsis) return undefined;
  const first = compileClause(firstParsed, sentence, vocabulary);
  if (!first.ok || first.meanings.some((m) => m.effect === 'allow')) return undefined;
  const second = parseSentence(` ${text.slice(at + 13)} `, vocabulary, accounts);
  const rest = unparsedOf(second);
  if (rest.length > 0) return unparsedRefusal(rest, vocabulary);
  // "otherwise deleting them …": calls of its own and a pointer back both, which is not told apart.
  if (second.effects.length === 0 || second.otherwise || (second.pronoun && namesCalls(second)))
    return undefined;
  // "…; otherwise they are fine": what the first part does not restrict stays as the grants say.
  if (second.effects.every((e) => e === 'allow') && !second.only)
    return {
      ok: true,
      meanings: first.meanings.map((m, i) =>
        i === 0
          ? { ...m, notes: [...m.notes, '"otherwise … fine" adds no rule: the grants already permit it'] }
          : m,
      ),
    };
  const own = secondWithSubject(second, firstParsed);
  const then = compileClause(own, sentence, vocabulary);
  if (!then.ok) return then;
  // "…are blocked; otherwise mail outside example.com needs approval": calls of its own, and
  // where the first part applies its denial wins, so the second needs no condition from it.
  if (namesCalls(second) && first.meanings.every((m) => m.effect === 'deny'))
    return {
      ok: true,
      meanings: [
        ...first.meanings,
        ...then.meanings.map((m) => ({
          ...m,
          notes: [
            ...m.notes,
            '"otherwise" needs no condition of its own: what the part before denies stays denied',
          ],
        })),
      ],
    };
  const turned = turnOver(first.meanings, OTHER_TIMES.test(sentence));
  if ('refusal' in turned) return turned;
  const meanings: SentenceMeaning[] = [...first.meanings];
  for (const m of then.meanings)
    for (const set of turned.sets) {
      // A condition on an argument is about the tools of the first part; the second must act on them.
      if (set.some((c) => 'arg' in c) && !m.tools.every((t) => first.meanings[0]?.tools.includes(t)))
        return refuse(
          'GH_NL_UNSUPPORTED',
          '"otherwise" turns over a condition on calls the part after it does not make: name the same calls',
        );
      const conditions = [...m.conditions, ...set];
      const why = misreadConditions(conditions);
      if (why) return refuse('GH_NL_UNSUPPORTED', why);
      meanings.push({ ...m, conditions, notes: [...m.notes, turned.note] });
    }
  return { ok: true, meanings };
}

const namesCalls = (p: ParsedSentence) => p.objects.length > 0 || p.verbs.length > 0;

/** The second part's subject and calls, from the first part where it names none of its own. */
function secondWithSubject(second: ParsedSentence, first: ParsedSentence): ParsedSentence {
  const namesAgent =
    second.agents.length > 0 ||
    second.anyAgent ||
    second.exceptAgents.length > 0 ||
    second.agentLabel !== undefined;
  return {
    ...second,
    pronoun: false,
    ...(!namesAgent && {
      agents: [...first.agents],
      exceptAgents: [...first.exceptAgents],
      ...(first.agentLabel !== undefined && { agentLabel: first.agentLabel }),
    }),
    ...(!namesCalls(second) && { objects: [...first.objects], verbs: [...first.verbs] }),
  };
}

/**
 * The condition sets under which the first part does not apply: one per condition turned over
 * (a rule's conditions all hold, so breaking any one is enough), with the rest kept as scope.
 */
function turnOver(
  first: readonly SentenceMeaning[],
  timeOnly: boolean,
): { sets: Condition[][]; note: string } | { ok: false; refusal: ReturnType<typeof refuse>['refusal'] } {
  const [m] = first;
  if (first.length !== 1 || !m || m.require !== undefined || m.quota !== undefined)
    return refuse(
      'GH_NL_UNSUPPORTED',
      '"otherwise" after a part of several rules, an origin or a count: write the second part as a sentence of its own',
    );
  const turned = timeOnly ? m.conditions.filter((c) => TIME_KINDS.has(c.kind)) : [...m.conditions];
  const kept = m.conditions.filter((c) => !turned.includes(c));
  const window = turned.length > 1 && turned.every((c) => TIME_KINDS.has(c.kind));
  if (turned.length === 0 || (turned.length > 1 && !window))
    return refuse(
      'GH_NL_UNSUPPORTED',
      `"otherwise" takes the opposite of exactly one condition of the part before it (it has ${turned.length}): write the second part as a sentence of its own`,
    );
  const negated = turned.map(negation);
  if (negated.some((c) => c === undefined))
    return refuse(
      'GH_NL_UNSUPPORTED',
      '"otherwise" turns over a condition a rule cannot negate: write it out',
    );
  return {
    sets: negated.map((c) => [...kept, c as Condition]),
    note:
      negated.length > 1
        ? `"otherwise" is outside the window of the part before: one rule for each bound it leaves`
        : '"otherwise" is the opposite of the condition of the part before',
  };
}
