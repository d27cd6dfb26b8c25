import { TOOL_CATEGORIES, type ToolCategory, type ToolDefinition } from '../policy/types.js';
import { peopleApproval } from './approvers.js';
import { compileDomainsAnyOf } from './compile-domains.js';
import { compileOnlyCalls, unclearOnly } from './compile-only-calls.js';
import { carveOutOfPermission } from './compile-permissions.js';
import { argsOfTarget, BODY_ARGS, CATEGORY_NOUNS, FILLER_WORDS, VERBS } from './lexicon.js';
import type { Condition, SentenceMeaning } from './meaning.js';
import { misreadConditions } from './misreadings.js';
import type { ParsedSentence } from './parsed.js';
import { type Refusal, refuse } from './refusal.js';
import { argumentOf, negation, noArgument, resolveConditions } from './resolve-conditions.js';
import { callsOfValues, droppedObject, resolveObjects } from './resolve-objects.js';
import { suggestionsFor, type Vocabulary } from './vocabulary.js';

/** The outcome of compiling one clause: the rules it states (several when "only" negates several conditions). */
export type ClauseResult =
  | { readonly ok: true; readonly meanings: readonly SentenceMeaning[] }
  | { readonly ok: false; readonly refusal: Refusal };

/** The refusal of words nothing in the grammar consumed, with did-you-mean suggestions. */
export function unparsedRefusal(rest: readonly string[], vocabulary: Vocabulary): ClauseResult {
  const grammarWords = [...Object.values(VERBS).flat(), ...Object.values(CATEGORY_NOUNS).flat()];
  const suggestions = [...new Set(rest.flatMap((w) => suggestionsFor(w, vocabulary, grammarWords)))].slice(
    0,
    5,
  );
  return refuse('GH_NL_UNPARSED', `did not understand: "${rest.join(' ')}"`, [...rest], suggestions);
}

/** "may only", "can only": an "only" that limits the permission its modal gives. */
const MODAL_ONLY = /\b(?:may|can|could|shall|should|must|will)\s+only\b/i;

/** The words of a parse no phrase consumed, fillers left out. */
export const unparsedOf = (parsed: ParsedSentence) => parsed.rest.filter((w) => !FILLER_WORDS.has(w));

/**
 * Compiles one parsed clause into its meaning(s), or refuses it whole: a clause with any word
 * the grammar did not consume is refused, never half-compiled. `sentence` is the whole
 * sentence, which every rule it gives is described by.
 */
export function compileClause(
  parsed: ParsedSentence,
  sentence: string,
  vocabulary: Vocabulary,
): ClauseResult {
  const trimmed = sentence;
  // A phrase the grammar knows a rule cannot state is the clearer reason to give.
  if (parsed.unsupported.length > 0) return refuse('GH_NL_UNSUPPORTED', parsed.unsupported.join('; '));
  const rest = unparsedOf(parsed);
  if (rest.length > 0) return unparsedRefusal(rest, vocabulary);
  if (parsed.otherwise)
    return refuse(
      'GH_NL_UNSUPPORTED',
      '"anything else" needs a clause before it saying what is fine: "payments up to $250 are fine; anything larger needs approval"',
    );
  // "…, order deletes are not" alone says nothing: its effect is the clause before's.
  if (parsed.ellipsis)
    return refuse('GH_NL_AMBIGUOUS_EFFECT', 'a clause that ends on its verb needs a clause before it');
  if (parsed.domainsAnyOf)
    return compileDomainsAnyOf(parsed, parsed.domainsAnyOf, sentence, vocabulary, compileClause);
  const onlyCalls = compileOnlyCalls(parsed, sentence, vocabulary, compileClause);
  if (onlyCalls) return onlyCalls;
  const notes = [...parsed.notes];

  // Effect.
  const effects = [...new Set(parsed.effects)];
  let effect =
    effects.length === 1
      ? effects[0]
      : effects.length === 2 && effects.includes('approve') && effects.includes('allow')
        ? 'approve'
        : undefined;
  if (effects.length === 2 && effects.includes('deny') && effects.includes('allow')) effect = undefined;
  // "X is fine, other Y needs approval" in one clause: the permission is a statement of its
  // own, not the "with approval" of a single one; which calls each half covers is not said.
  if (effect === 'approve' && effects.includes('allow') && parsed.permits) effect = undefined;
  // "need approval; … never need approval" read as one clause: the same calls asked and not.
  if (effect === 'approve' && parsed.noApproval) effect = undefined;
  // "may only delete in the sandbox and sandbox deletes need approval" read as one clause: the
  // "only" after the modal limits the permission, not the approval ("…, but only with a human
  // OK"); folded into one approval, the limit is lost.
  if (effect === 'approve' && effects.includes('allow') && parsed.only && MODAL_ONLY.test(sentence))
    effect = undefined;
  const unclear = unclearOnly(parsed, effects, sentence);
  if (unclear) return unclear;
  if (effects.length === 0 && parsed.only) effect = 'deny';
  if (parsed.unsupported.length > 0) return refuse('GH_NL_UNSUPPORTED', parsed.unsupported.join('; '));
  if (effect === undefined && effects.length === 0)
    return refuse(
      'GH_NL_NO_EFFECT',
      'no effect: say may, may not, must ask a human, or needs N approvals from a group',
    );
  if (effect === undefined)
    return refuse(
      'GH_NL_AMBIGUOUS_EFFECT',
      `more than one effect (${effects.join(', ')}): write one rule per sentence`,
    );
  // "may transfer at most $400 (per transaction)": a permission bounded from above is a cap,
  // not a grant of the small amounts; read as "may only", what lies above it is denied.
  if (
    effect === 'allow' &&
    !parsed.only &&
    !parsed.permits &&
    // "payments under 100 never need approval" says nobody is asked below it, not that above it is denied.
    !parsed.noApproval &&
    parsed.conditions.length > 0 &&
    parsed.conditions.every((c) => c.kind === 'amount' && (c.op === '<' || c.op === '<='))
  ) {
    parsed.only = true;
    notes.push('a permission up to an amount is a cap: above it is denied');
  }
  // "Only the ops agent may delete, and only in staging": the second "only" limits the agent
  // it exempts, a second rule the sentence does not spell out; refused, not read as a condition.
  if (parsed.onlyAgents && parsed.only)
    return refuse(
      'GH_NL_UNSUPPORTED',
      'two "only"s, of the agents and of a condition: write one sentence for each',
    );
  if (effect === 'allow') {
    const carved = carveOutOfPermission(parsed, notes);
    if (carved && 'refusal' in carved) return carved;
    if (carved) effect = carved.effect;
  }
  // "may only …" limits a permission: what it does not name is denied. "Only transfers over
  // $1,000 need approval" limits nothing: the "only" there is emphasis on the condition.
  const limitsPermission = parsed.only && (effect === 'allow' || effects.length === 0);
  // "only reads, no sending": the "only" is of one kind of call and the denial of another, and
  // a denial of every kind named would forbid what "only" keeps; which calls the "only" leaves
  // out is not said, so it is refused rather than compiled as a denial of the reads.
  if (
    parsed.only &&
    !limitsPermission &&
    effect === 'deny' &&
    parsed.verbs.length + parsed.objects.length > 1
  )
    return refuse(
      'GH_NL_AMBIGUOUS_EFFECT',
      '"only" of some calls beside a denial of others: say what is denied ("no sending during triage") in a sentence of its own',
    );
  if (parsed.only && !limitsPermission) {
    parsed.only = false;
    notes.push('"only" marks the condition the rule applies under');
  }
  if (effect === 'allow' && parsed.only) effect = 'deny';
  if (effect === 'deny' && parsed.withoutApproval) effect = 'approve';
  // "… is allowed without review": a permission that says nobody is asked, which adds no rule.
  if (effect === 'allow' && parsed.withoutApproval && !parsed.only) {
    parsed.withoutApproval = false;
    notes.push('"allowed without approval" is a permission: it adds nothing the grants do not give');
  } else if (parsed.withoutApproval && effect !== 'approve')
    return refuse(
      'GH_NL_UNSUPPORTED',
      '"without approval" needs a prohibition: "may not … without approval"',
    );
  if (parsed.otherwiseAsk) {
    if (!parsed.only && parsed.origins.length === 0)
      return refuse(
        'GH_NL_UNSUPPORTED',
        '"otherwise ask" needs "only": "only pay accounts the user gave, otherwise ask a person"',
      );
    effect = 'approve';
  }
  const hasOriginRule = parsed.origins.length > 0;
  if (hasOriginRule && effect === 'allow')
    return refuse(
      'GH_NL_UNSUPPORTED',
      'an origin restricts: say "only … the user gave" or "never … other than"',
    );
  const named = peopleApproval(parsed, vocabulary, effect);
  if (named && 'ok' in named) return named;
  if (effect === 'approve' && parsed.approvers === undefined && parsed.groups.length > 0)
    parsed.approvers = 1;

  // Action: the tools the rule can apply to.
  // "The finance agent is read-only" leaves it reads alone: moving money or sending mail is no
  // read either. "Production data is read-only" is about that data: no writes or deletes of it.
  const readOnlyAgents = parsed.readOnly && parsed.objects.length === 0 && parsed.conditions.length === 0;
  if (parsed.readOnly)
    notes.push(
      `read-only: ${readOnlyAgents ? 'every call that is not a read is' : 'writes and deletes are'} denied`,
    );
  const verbCategories = readOnlyAgents
    ? TOOL_CATEGORIES.filter((c) => c !== 'read')
    : [...new Set(parsed.verbs.filter((v): v is ToolCategory => v !== 'any'))];
  const objects = resolveObjects(parsed.objects, vocabulary);
  if ('refusal' in objects) return objects;
  const { nounCategories, toolSets } = objects;
  const external = objects.external;
  notes.push(...objects.notes);
  // "production databases": the resource fact names the systems; a deny or approve rule keyed
  // on the fact alone also covers a database the catalog does not call one (fail closed).
  if (
    parsed.conditions.some((c) => c.kind === 'resource') &&
    parsed.objects.some((o) => o.kind === 'databases') &&
    effect !== 'allow' &&
    !parsed.only
  ) {
    const i = toolSets.findIndex((s) => s.patterns.some((p) => /db|database|sql/i.test(p)));
    if (i >= 0) {
      toolSets.splice(i, 1);
      notes.push(
        'the databases are the systems whose resource facts match; the rule covers every tool with those facts',
      );
    }
  }
  if (parsed.objects.length === 0 && parsed.verbs.length === 0 && toolSets.length === 0)
    callsOfValues(parsed, vocabulary, nounCategories, toolSets, notes);
  const hasAction =
    parsed.objects.length > 0 ||
    verbCategories.length > 0 ||
    nounCategories.length > 0 ||
    toolSets.length > 0 ||
    parsed.objects.some((o) => o.kind === 'any') ||
    parsed.verbs.includes('any');
  if (!hasAction)
    return refuse(
      'GH_NL_NO_ACTION',
      'no action: name a tool, a kind of tool (payments, databases, email) or a verb (read, delete, send)',
    );
  // "update the configuration": writing configuration is changing it; the noun says which.
  if (
    verbCategories.length > 0 &&
    verbCategories.every((c) => c === 'write') &&
    nounCategories.length > 0 &&
    !vocabulary.tools.some(
      (t) => t.categories.includes('write') && nounCategories.some((c) => t.categories.includes(c)),
    )
  )
    verbCategories.splice(0);
  // An exemption that exempts none of the tools the rule is about was read as the wrong
  // thing ("no agent except finance may pay": the finance agent, not the finance tools).
  const covered = vocabulary.tools.filter(
    (t) =>
      (verbCategories.length === 0 || verbCategories.some((c) => t.categories.includes(c))) &&
      (nounCategories.length === 0 || nounCategories.some((c) => t.categories.includes(c))) &&
      (toolSets.length === 0 || toolSets.some((s) => s.tools.includes(t))),
  );
  for (const name of parsed.exceptTools)
    if (!covered.some((t) => t.name === name))
      return refuse(
        'GH_NL_UNSUPPORTED',
        `"except ${name}" exempts none of the tools the rule covers: the exemption was read as the wrong thing`,
        [name],
      );
  for (const ns of parsed.exceptNamespaces) {
    if (!covered.some((t) => t.name.startsWith(`${ns}.`)))
      return refuse(
        'GH_NL_UNSUPPORTED',
        `"except ${ns}" exempts none of the tools the rule covers: name the agent ("except the ${ns} agent") or the tools`,
        [ns],
      );
  }
  const exempt = (t: ToolDefinition) =>
    parsed.exceptTools.includes(t.name) || parsed.exceptNamespaces.some((ns) => t.name.startsWith(`${ns}.`));
  const selected = vocabulary.tools.filter(
    (t) =>
      (verbCategories.length === 0 || verbCategories.some((c) => t.categories.includes(c))) &&
      (nounCategories.length === 0 || nounCategories.some((c) => t.categories.includes(c))) &&
      (toolSets.length === 0 || toolSets.some((s) => s.tools.includes(t))) &&
      !exempt(t),
  );
  if (selected.length === 0) {
    const what = [...verbCategories, ...nounCategories, ...toolSets.flatMap((s) => s.patterns)].join(' and ');
    return refuse('GH_NL_NO_TOOL', `no tool in the catalog is ${what}`);
  }
  // The verbs of "read-only" are every kind of call but reads: not each said of a named thing.
  const saidVerbs = readOnlyAgents ? undefined : { categories: verbCategories, catalog: vocabulary.tools };
  const dropped = droppedObject(toolSets, nounCategories, selected, saidVerbs);
  if (dropped) return dropped;
  // A rule on a resource fact no selected tool has would never apply: a wrong rule, refused.
  for (const c of parsed.conditions)
    if (
      c.kind === 'resource' &&
      !c.not &&
      !parsed.unlessCondition &&
      !selected.some((t) => t.resource[c.key] === c.value)
    )
      return refuse(
        'GH_NL_NO_TOOL',
        `none of the tools ${selected.map((t) => t.name).join(', ')} has ${c.key} ${c.value}`,
        [c.value],
      );
  // match.categories holds one family (an OR); a second family narrows through the tool list.
  let categories: ToolCategory[] = verbCategories.length > 0 ? verbCategories : nounCategories;
  let toolPatterns = toolSets.flatMap((s) => s.patterns);
  if (verbCategories.length > 0 && nounCategories.length > 0 && toolSets.length === 0) {
    const crossed = vocabulary.tools.filter((t) => nounCategories.some((c) => t.categories.includes(c)));
    toolPatterns = crossed.map((t) => t.name);
  }
  if (parsed.exceptNamespaces.length > 0 || parsed.exceptTools.length > 0) {
    // The exemption is by name: the rule lists the tools it covers today.
    toolPatterns = selected.map((t) => t.name);
    notes.push(
      `except ${[...parsed.exceptNamespaces.map((ns) => `the tools of ${ns}`), ...parsed.exceptTools].join(', ')}: the rule lists the others by name`,
    );
  }
  if (effect === 'allow') {
    // An allow never reaches further than the tools it names today.
    toolPatterns = selected.map((t) => t.name);
    categories = [];
  }

  const resolved = resolveConditions(parsed, selected, vocabulary, external, notes);
  if ('refusal' in resolved) return resolved;
  const { conditions } = resolved;
  const noArg = (what: string) => noArgument(selected, what);
  // "Payments need approval unless it is under $100": the rule applies when it is not.
  if (parsed.unlessCondition && external)
    return refuse(
      'GH_NL_UNSUPPORTED',
      '"external … unless" sets two conditions on the recipients: write which recipients are restricted',
    );
  if (parsed.unlessCondition) {
    const negated = conditions.length === 1 ? negation(conditions[0] as Condition) : undefined;
    if (!negated)
      return refuse('GH_NL_UNSUPPORTED', '"unless it is …" takes exactly one condition a rule can negate');
    conditions[0] = negated;
  }
  // A condition said twice ("business hours, 09:00-17:00") is one condition.
  const seen = new Set<string>();
  for (let i = conditions.length - 1; i >= 0; i--) {
    const key = JSON.stringify(conditions[i]);
    if (seen.has(key)) conditions.splice(i, 1);
    else seen.add(key);
  }

  const misread = misreadConditions(conditions);
  if (misread) return refuse('GH_NL_UNSUPPORTED', misread);
  // "at night or on weekends": a connector nothing consumed sits between the conditions, and a
  // rule's conditions (and its subject) must all hold. "or" is a disjunction a rule cannot say
  // ("by the research agent or over $1,000"); "and" between two conditions is read both ways by
  // people ("at night and on weekends" means either).
  const narrowing =
    conditions.length + (parsed.agents.length > 0 ? 1 : 0) + (parsed.agentLabel !== undefined ? 1 : 0);
  const connector =
    parsed.rest.includes('or') && narrowing > 1
      ? 'or'
      : parsed.rest.includes('and') && conditions.length > 1
        ? 'and'
        : undefined;
  if (connector)
    return refuse(
      'GH_NL_UNSUPPORTED',
      `conditions joined by "${connector}": a rule applies when all of its conditions hold; write one sentence for each`,
      [connector],
    );

  // Origins: the rule applies when a value's origin is not one of these.
  let require: { origin?: Record<string, string[]>; mentions?: Record<string, string[]> } | undefined;
  for (const o of parsed.origins) {
    if (o.target === 'mentions') {
      const body = argumentOf(selected, BODY_ARGS);
      if (!body) return noArg('a message body argument');
      require = { ...require, mentions: { ...require?.mentions, [body.arg]: o.origins } };
      continue;
    }
    const a = argumentOf(selected, argsOfTarget(o.target));
    if (!a) return noArg(`an argument for the ${o.target}`);
    require = { ...require, origin: { ...require?.origin, [a.arg]: o.origins } };
  }
  if (hasOriginRule && !parsed.only && effect !== 'deny' && effect !== 'approve')
    return refuse('GH_NL_UNSUPPORTED', 'an origin needs "only"');
  // "Payments to accounts the user gave need approval" restricts the values the user gave; a rule
  // can only require an origin (restrict the others), so it would do the opposite: refused.
  if (!parsed.only && parsed.origins.some((o) => o.named) && !parsed.unlessCondition)
    return refuse(
      'GH_NL_UNSUPPORTED',
      'a rule restricts values without an origin, not values with one: say "only to accounts the user gave" or "unless the user gave it"',
    );

  // "only": the rule applies when a stated condition does not hold. Conditions are a
  // conjunction, so "only A and B" is broken by either: one rule per negated condition.
  let conditionSets: Condition[][] = [conditions];
  if (parsed.only && parsed.exceptAgents.length === 0 && !hasOriginRule) {
    if (conditions.length === 0)
      return refuse(
        'GH_NL_UNSUPPORTED',
        '"only" needs a condition (an amount, recipients, hours, days, dates or an intent)',
      );
    if (parsed.onlyKinds)
      return refuse(
        'GH_NL_UNSUPPORTED',
        '"only" before the kind of call says which calls alone may run then, which a rule cannot list: name the calls that may not',
      );
    if (parsed.onlyLeading && conditions.some((c) => c.kind === 'resource'))
      return refuse(
        'GH_NL_UNSUPPORTED',
        '"only" before the tools says which tools alone may run there, which a rule cannot list: name the tools that may not',
      );
    // "During inbox-triage, … may only email example.com", "On weekends, … may only pay up to
    // $500": the fronted situation stays as it is and scopes each broken condition; it is not
    // itself one the "only" says must hold.
    const scope: Condition[] = conditions.filter(
      (c) => (parsed.intentScope && c.kind === 'intent') || parsed.frontedScope?.includes(c.kind),
    );
    const said = conditions.filter((c) => !scope.includes(c));
    if (said.length === 0)
      return refuse('GH_NL_UNSUPPORTED', '"only" needs a condition besides the situation that scopes it');
    const negated = said.map(negation);
    if (negated.some((c) => c === undefined))
      return refuse('GH_NL_UNSUPPORTED', `"only" cannot be said of that condition`);
    conditionSets = negated.map((c) => [...scope, c as Condition]);
    if (conditionSets.length > 1)
      notes.push(`"only" with ${conditionSets.length} conditions: one rule for each one broken`);
  } else if (parsed.only && hasOriginRule && conditions.length > 0 && !parsed.otherwiseAsk) {
    // "only to example.com addresses, and only to addresses the user gave" is two limits, which
    // narrowing one by the other would turn into a rule that lets every outside address through.
    if (conditions.some((c) => c.kind === 'recipients'))
      return refuse(
        'GH_NL_UNSUPPORTED',
        '"only" with recipients and an origin: write each limit as its own sentence',
      );
    notes.push('the other conditions narrow where the origin is required');
  }
  // "outside 09:00–17:00, Monday to Friday": either condition makes the rule apply.
  if (parsed.anyOf && parsed.anyOf.length > 0) {
    if (parsed.only || parsed.unlessCondition || effect === 'allow')
      return refuse('GH_NL_UNSUPPORTED', '"outside" a window of hours and days cannot be negated again');
    const alternatives = parsed.anyOf as Condition[];
    conditionSets = conditionSets.flatMap((set) => alternatives.map((a) => [...set, a]));
    for (const set of conditionSets) {
      const why = misreadConditions(set);
      if (why) return refuse('GH_NL_UNSUPPORTED', why);
    }
  }
  if (effect === 'approve') {
    const approvers = parsed.approvers ?? 1;
    for (const g of parsed.groups) {
      const size = vocabulary.groupSizes.get(g);
      if (size !== undefined && size < approvers)
        return refuse(
          'GH_NL_UNSUPPORTED',
          `group ${g} has ${size} member(s): ${approvers} approvals from it can never be given`,
        );
    }
  }
  // A condition on an argument is about the tools that take it: "email to external recipients"
  // is email.send, not email.read, whose calls have no recipient to check.
  const argsRead = new Set<string>([
    ...conditions.flatMap((c) => ('arg' in c ? [c.arg] : [])),
    ...Object.keys(require?.origin ?? {}),
    ...Object.keys(require?.mentions ?? {}),
  ]);
  let tools = selected;
  if (argsRead.size > 0) {
    const takes = (t: ToolDefinition) =>
      [...argsRead].every((a) => a in ((t.schema?.properties ?? {}) as object));
    const narrowed = selected.filter(takes);
    if (narrowed.length === 0) return noArg([...argsRead].join(', '));
    if (narrowed.length < selected.length) {
      tools = narrowed;
      toolPatterns = narrowed.map((t) => t.name);
    }
  }
  // "An email address … must not be used": an address is where mail goes; with no tool named,
  // the payments tool's `to` (an account) is not one.
  // "Anything addressed outside example.com" is mail too: a domain is where an address is.
  const addressOnly =
    parsed.objects.every((o) => o.kind === 'any') &&
    parsed.verbs.every((v) => v === 'any') &&
    parsed.conditions.some(
      (c) => (c.kind === 'provenance' && c.target === 'recipient') || c.kind === 'recipients',
    ) &&
    tools.some((t) => t.categories.includes('external_communication')) &&
    tools.some((t) => !t.categories.includes('external_communication'));
  if (addressOnly) {
    tools = tools.filter((t) => t.categories.includes('external_communication'));
    toolPatterns = tools.map((t) => t.name);
  }
  // The argument a condition reads may narrow the tools again ("email confidential data to
  // anyone outside": the reports take no recipient).
  const droppedByArgs = droppedObject(toolSets, nounCategories, tools, saidVerbs);
  if (droppedByArgs) return droppedByArgs;
  const exceptAgents = parsed.exceptAgents;
  if (parsed.agents.some((a) => exceptAgents.includes(a)))
    return refuse('GH_NL_UNSUPPORTED', 'an agent is both named and exempted');
  return {
    ok: true,
    meanings: conditionSets.map((set) => ({
      sentence: trimmed,
      effect,
      ...(effect === 'approve' && {
        approval: {
          approvers: parsed.approvers ?? 1,
          groups: parsed.groups,
          ...(named && 'declares' in named && named.declares && { declares: named.declares }),
        },
      }),
      agents: parsed.agents,
      exceptAgents,
      ...(parsed.agentLabel !== undefined && { agentLabel: parsed.agentLabel }),
      toolPatterns: [...new Set(toolPatterns)],
      categories: [...new Set(categories)],
      tools: tools.map((t) => t.name),
      conditions: set,
      ...(require && { require }),
      notes,
    })),
  };
}
