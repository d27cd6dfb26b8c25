import type { ClauseResult } from './compile-clause.js';
import { CALL_WORDS } from './lexicon.js';
import { ANY_INTENT } from './meaning.js';
import { normalizeSentence } from './normalize.js';
import { parsePhrases } from './parse-sentence.js';
import type { ParsedSentence } from './parsed.js';
import { refuse } from './refusal.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * "may only" said of calls rather than of a condition: the calls named are the ones left alone,
 * and a rule denies every other tool. The rule lists those tools by name, as they are today.
 */

type Compile = (parsed: ParsedSentence, sentence: string, vocabulary: Vocabulary) => ClauseResult;

/** The rule of a clause whose "only" is over calls, or undefined when its "only" is not. */
export function compileOnlyCalls(
  parsed: ParsedSentence,
  sentence: string,
  vocabulary: Vocabulary,
  compileClause: Compile,
): ClauseResult | undefined {
  if (parsed.intentTools) return compileIntentTools(parsed, sentence, vocabulary, compileClause);
  if (!onlyTheseCalls(parsed, sentence, vocabulary)) return undefined;
  // "The finance agent may only use payments.transfer and finance.report", "Only read
  // operations are permitted": every other tool is denied (to that agent, or to every one).
  const named = compileClause({ ...parsed, only: false, effects: ['deny'] }, sentence, vocabulary);
  if (!named.ok) return named;
  return compileClause(
    {
      ...parsed,
      only: false,
      effects: ['deny'],
      objects: [{ kind: 'any' }],
      verbs: [],
      exceptTools: [...parsed.exceptTools, ...(named.meanings[0]?.tools ?? [])],
      notes: [
        ...parsed.notes,
        `"may only use" these tools: every other tool is denied to ${parsed.agents.length > 0 ? 'the agent' : 'every agent'}`,
      ],
    },
    sentence,
    vocabulary,
  );
}

/**
 * "may only" said of calls alone, with no condition: tools by name ("only payments.transfer"),
 * by namespace, or kinds of call ("only reads"). Calls of a namespace narrowed by a kind ("only
 * sandbox deletes") are left out: which other calls the "only" forbids is not said.
 */
function onlyTheseCalls(parsed: ParsedSentence, sentence: string, vocabulary: Vocabulary): boolean {
  if (!parsed.only || parsed.onlyAgents || parsed.readOnly || parsed.agentLabel !== undefined) return false;
  // "Injection-suspected sessions can only read": the session is where the "only" holds, not
  // what it limits; a condition on the call itself ("only during business hours") is what it limits.
  // "In production, agents may only read": a situation set off before the clause is where the
  // "only" holds too.
  const situated =
    parsed.conditions.every((c) => c.kind === 'session-label') ||
    frontedSituation(parsed, sentence, vocabulary);
  if (parsed.exceptAgents.length > 0 || !situated || parsed.origins.length > 0) return false;
  if (!parsed.effects.every((e) => e === 'allow')) return false;
  const kinds = parsed.verbs.filter((v) => v !== 'any');
  const named = parsed.objects.filter((o) => o.kind === 'tool' || o.kind === 'namespace');
  if (named.length > 0)
    return parsed.agents.length > 0 && kinds.length === 0 && named.length === parsed.objects.length;
  const categories = parsed.objects.filter((o) => o.kind === 'category');
  return (
    kinds.length + categories.length > 0 &&
    parsed.objects.every((o) => o.kind === 'category' || o.kind === 'any')
  );
}

/**
 * "In an inbox-triage session, only the tools of that intent may be used": during the intent,
 * every tool it does not list is denied. Said of no single intent, or as anything but an "only"
 * over them, it is refused.
 */
function compileIntentTools(
  parsed: ParsedSentence,
  sentence: string,
  vocabulary: Vocabulary,
  compileClause: Compile,
): ClauseResult {
  const intents = parsed.conditions.filter((c) => c.kind === 'intent');
  const intent = intents.length === 1 && intents[0]?.kind === 'intent' ? intents[0] : undefined;
  if (!intent?.inside || intent.intent === ANY_INTENT || parsed.conditions.length !== 1)
    return refuse('GH_NL_UNSUPPORTED', '"the tools of that intent" needs the one intent a session declares');
  if (parsed.intentToolsOf && !parsed.intentToolsOf.includes(intent.intent))
    return refuse(
      'GH_NL_UNSUPPORTED',
      `the tools named are those of ${parsed.intentToolsOf.join(' or ')}, not of ${intent.intent}, the intent the sentence names`,
    );
  if (
    !parsed.only ||
    !parsed.effects.every((e) => e === 'allow') ||
    parsed.objects.some((o) => o.kind !== 'any')
  )
    return refuse(
      'GH_NL_UNSUPPORTED',
      '"the tools of that intent" is said as "may only use the tools of that intent"',
    );
  const patterns = vocabulary.intentTools.get(intent.intent) ?? [];
  const listed = vocabulary.tools
    .filter((t) => patterns.some((p) => globMatches(p, t.name)))
    .map((t) => t.name);
  return compileClause(
    {
      ...parsed,
      only: false,
      intentTools: false,
      intentScope: false,
      effects: ['deny'],
      objects: [{ kind: 'any' }],
      verbs: [],
      exceptTools: [...parsed.exceptTools, ...listed],
      notes: [
        ...parsed.notes,
        `the tools of ${intent.intent} are ${listed.join(', ')}: every other tool is denied during it`,
      ],
    },
    sentence,
    vocabulary,
  );
}

/** Whether a tool pattern of the policy (`email.*`) matches a tool name. */
const globMatches = (pattern: string, name: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name);

/** A situation said first and set off by a comma ("During inbox triage, …"). */
const FRONTED_SITUATION = /^\s*((?:during|in|while|when|whenever|inside|on) [^,;]{2,60}?)\s?,/i;
/** Conditions on where or when a call happens, beside which a bare "only" of calls is unclear. */
const SITUATED = new Set(['intent', 'resource', 'state', 'hours', 'days', 'dates']);
/** The situations a fronted phrase may set: those, and the session's labels. */
const SITUATION_KINDS = new Set([...SITUATED, 'session-label']);

/** Whether every condition of the clause is a situation the sentence sets off before it. */
export function frontedSituation(parsed: ParsedSentence, sentence: string, vocabulary: Vocabulary): boolean {
  const m = FRONTED_SITUATION.exec(sentence);
  if (!m || parsed.conditions.length === 0) return false;
  const fronted = parsePhrases(normalizeSentence(m[1] as string, vocabulary.people), vocabulary, []);
  const said = new Set(fronted.conditions.map((c) => JSON.stringify(c)));
  return (
    fronted.conditions.every((c) => SITUATION_KINDS.has(c.kind)) &&
    parsed.conditions.every((c) => said.has(JSON.stringify(c)))
  );
}

/** A sentence that opens on a situation ("During triage …", "In production …"). */
const FRONTING = /^\s*(?:during|in|while|when|whenever|inside|on) /i;
let onlyOfCallsRegex: RegExp | undefined;
/** "only reads", "only queries": "only" said of a kind of call. */
const onlyOfCalls = () => {
  onlyOfCallsRegex ??= new RegExp(`\\bonly (?:${CALL_WORDS})\\b`);
  return onlyOfCallsRegex;
};

/**
 * "during triage only reads", "only reads in prod": nothing but reads there, or reads nowhere
 * else? Said with no modal, the "only" of a kind of call beside a situation is either; "During
 * triage the assistant may only read", without the comma that sets the situation off, too.
 */
export function unclearOnly(
  parsed: ParsedSentence,
  effects: readonly string[],
  sentence: string,
): ClauseResult | undefined {
  const unclear =
    (effects.length === 0 || (effects.every((e) => e === 'allow') && FRONTING.test(sentence))) &&
    parsed.only &&
    parsed.conditions.length > 0 &&
    parsed.conditions.every((c) => SITUATED.has(c.kind)) &&
    onlyOfCalls().test(sentence.toLowerCase());
  return unclear
    ? refuse(
        'GH_NL_AMBIGUOUS_EFFECT',
        '"only" before a kind of call and a situation: write "may only … during X" (nowhere else) or "during X, nothing but …"',
      )
    : undefined;
}
