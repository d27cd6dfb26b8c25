import type { ToolCategory, ToolDefinition } from '../policy/types.js';
import {
  ACCOUNT_ARGS,
  AMOUNT_ARGS,
  BODY_ARGS,
  CATEGORY_NOUNS,
  FILLER_WORDS,
  RECIPIENT_ARGS,
  URL_ARGS,
  VERBS,
} from './lexicon.js';
import type { Comparison, Condition, SentenceMeaning } from './meaning.js';
import { type ParsedCondition, parseSentence } from './parse-sentence.js';
import { suggestionsFor, type Vocabulary } from './vocabulary.js';

/** Why a sentence was refused, as a stable code. */
export type RefusalCode =
  | 'GH_NL_TOO_LONG'
  | 'GH_NL_UNPARSED'
  | 'GH_NL_NO_EFFECT'
  | 'GH_NL_AMBIGUOUS_EFFECT'
  | 'GH_NL_NO_ACTION'
  | 'GH_NL_NO_TOOL'
  | 'GH_NL_NO_ARGUMENT'
  | 'GH_NL_UNSUPPORTED';

/** A sentence the compiler will not turn into a rule, with the part it did not understand. */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  /** The words no phrase of the grammar consumed, in order. */
  readonly unparsed: readonly string[];
  /** Close words from the policy's vocabulary, for a did-you-mean. */
  readonly suggestions: readonly string[];
}

/** The outcome of compiling one sentence. */
export type SentenceResult =
  | { readonly ok: true; readonly meaning: SentenceMeaning }
  | { readonly ok: false; readonly refusal: Refusal };

/** Longest sentence accepted: a rule is one sentence, and the grammar's passes stay bounded. */
export const MAX_SENTENCE_LENGTH = 500;

const refuse = (
  code: RefusalCode,
  message: string,
  unparsed: string[] = [],
  suggestions: string[] = [],
): SentenceResult => ({
  ok: false,
  refusal: { code, message, unparsed, suggestions },
});

const flip: Record<Comparison, Comparison> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>' };

/** A property of the tools' argument schemas among `names`, and whether it is a list. */
function argumentOf(
  tools: readonly ToolDefinition[],
  names: readonly string[],
  type?: 'number',
): { arg: string; list: boolean } | undefined {
  for (const name of names) {
    for (const tool of tools) {
      const props = (tool.schema?.properties ?? {}) as Record<string, { type?: string; items?: unknown }>;
      const prop = props[name];
      if (!prop) continue;
      if (type === 'number' && prop.type !== 'number' && prop.type !== 'integer') continue;
      return { arg: name, list: prop.type === 'array' };
    }
  }
  return undefined;
}

/**
 * Compiles one controlled-English sentence against a policy's vocabulary into its meaning, or
 * refuses it whole. Deterministic, no I/O: the same sentence and vocabulary give the same
 * meaning. A sentence with any word the grammar did not consume is refused, never
 * half-compiled.
 *
 * @example
 * ```ts
 * const r = compileSentence('Financial transactions over $1,000 require dual authorization', vocabularyOf(policy));
 * if (r.ok) console.log(r.meaning.conditions); // [{ kind: 'amount', arg: 'amount', op: '>', value: 1000 }]
 * ```
 */
export function compileSentence(sentence: string, vocabulary: Vocabulary): SentenceResult {
  const trimmed = sentence.trim();
  if (trimmed.length > MAX_SENTENCE_LENGTH || /[\n\r]/.test(trimmed))
    return refuse('GH_NL_TOO_LONG', `a rule is one sentence of at most ${MAX_SENTENCE_LENGTH} characters`);
  const odd = /[^\p{L}\p{N}\s$€£,.'’:;*?@/_&()!-]/u.exec(trimmed);
  if (odd) return refuse('GH_NL_UNPARSED', `the character '${odd[0]}' is not part of the grammar`, [odd[0]]);
  const parsed = parseSentence(trimmed, vocabulary);
  const rest = parsed.rest.filter((w) => !FILLER_WORDS.has(w));
  if (rest.length > 0) {
    const grammarWords = [...Object.values(VERBS).flat(), ...Object.values(CATEGORY_NOUNS).flat()];
    const suggestions = [...new Set(rest.flatMap((w) => suggestionsFor(w, vocabulary, grammarWords)))].slice(
      0,
      5,
    );
    return refuse('GH_NL_UNPARSED', `did not understand: "${rest.join(' ')}"`, rest, suggestions);
  }
  const notes = [...parsed.notes];

  // Effect.
  const effects = [...new Set(parsed.effects)];
  let effect =
    effects.length === 1
      ? effects[0]
      : effects.includes('approve') && effects.every((e) => e !== 'allow' || effects.length === 2)
        ? 'approve'
        : undefined;
  if (effects.length === 2 && effects.includes('deny') && effects.includes('allow')) effect = undefined;
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
  if (effect === 'allow' && parsed.only) effect = 'deny';
  if (effect === 'deny' && parsed.withoutApproval) effect = 'approve';
  else if (parsed.withoutApproval && effect !== 'approve')
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
  if (effect === 'approve' && parsed.approvers === undefined && parsed.groups.length > 0)
    parsed.approvers = 1;

  // Action: the tools the rule can apply to.
  const verbCategories = [...new Set(parsed.verbs.filter((v): v is ToolCategory => v !== 'any'))];
  const nounCategories: ToolCategory[] = [];
  const toolSets: { tools: ToolDefinition[]; patterns: string[] }[] = [];
  let external = false;
  const nsTools = (ns: string) => vocabulary.tools.filter((t) => t.name.startsWith(`${ns}.`));
  for (const o of parsed.objects) {
    switch (o.kind) {
      case 'category':
        nounCategories.push(o.category);
        break;
      case 'external':
        nounCategories.push('external_communication');
        external = true;
        break;
      case 'any':
        break;
      case 'namespace':
        toolSets.push({ tools: nsTools(o.namespace), patterns: [`${o.namespace}.*`] });
        break;
      case 'tool': {
        const re = new RegExp(
          `^${o.pattern
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
          'i',
        );
        const tools = vocabulary.tools.filter((t) => re.test(t.name));
        if (tools.length === 0)
          return refuse(
            'GH_NL_NO_TOOL',
            `no tool in the catalog matches '${o.pattern}'`,
            [o.pattern],
            suggestionsFor(o.pattern, vocabulary),
          );
        toolSets.push({ tools, patterns: [o.pattern] });
        break;
      }
      case 'databases': {
        const tools = vocabulary.tools.filter((t) => /(^|[._-])(db|database|sql)|_db\b|db\./i.test(t.name));
        if (tools.length === 0)
          return refuse(
            'GH_NL_NO_TOOL',
            'no tool in the catalog is a database (a name with db, database or sql)',
            ['databases'],
          );
        const namespaces = [...new Set(tools.map((t) => t.name.split('.')[0] as string))];
        toolSets.push({
          tools,
          patterns: namespaces
            .map((ns) => (nsTools(ns).every((t) => tools.includes(t)) ? `${ns}.*` : ''))
            .filter((p) => p !== '')
            .concat(
              tools
                .filter((t) => !nsTools(t.name.split('.')[0] as string).every((u) => tools.includes(u)))
                .map((t) => t.name),
            ),
        });
        break;
      }
      case 'financial-systems': {
        const financeNs = [...vocabulary.namespaces.keys()].filter((ns) =>
          /^financ|^payment|^bank|^billing/i.test(ns),
        );
        const tools = vocabulary.tools.filter(
          (t) => t.categories.includes('financial') || financeNs.some((ns) => t.name.startsWith(`${ns}.`)),
        );
        if (tools.length === 0)
          return refuse('GH_NL_NO_TOOL', 'no tool in the catalog is financial', ['financial systems']);
        const namespaces = [...new Set(tools.map((t) => t.name.split('.')[0] as string))];
        const patterns = namespaces.flatMap((ns) =>
          nsTools(ns).every((t) => tools.includes(t))
            ? [`${ns}.*`]
            : tools.filter((t) => t.name.startsWith(`${ns}.`)).map((t) => t.name),
        );
        toolSets.push({ tools, patterns });
        notes.push(`"financial systems" are the tools ${patterns.join(', ')}`);
        break;
      }
    }
  }
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
  const selected = vocabulary.tools.filter(
    (t) =>
      (verbCategories.length === 0 || verbCategories.some((c) => t.categories.includes(c))) &&
      (nounCategories.length === 0 || nounCategories.some((c) => t.categories.includes(c))) &&
      (toolSets.length === 0 || toolSets.some((s) => s.tools.includes(t))),
  );
  if (selected.length === 0) {
    const what = [...verbCategories, ...nounCategories, ...toolSets.flatMap((s) => s.patterns)].join(' and ');
    return refuse('GH_NL_NO_TOOL', `no tool in the catalog is ${what}`);
  }
  // match.categories holds one family (an OR); a second family narrows through the tool list.
  let categories: ToolCategory[] = verbCategories.length > 0 ? verbCategories : nounCategories;
  let toolPatterns = toolSets.flatMap((s) => s.patterns);
  if (verbCategories.length > 0 && nounCategories.length > 0 && toolSets.length === 0) {
    const crossed = vocabulary.tools.filter((t) => nounCategories.some((c) => t.categories.includes(c)));
    toolPatterns = crossed.map((t) => t.name);
  }
  if (effect === 'allow') {
    // An allow never reaches further than the tools it names today.
    toolPatterns = selected.map((t) => t.name);
    categories = [];
  }

  // Conditions.
  const conditions: Condition[] = [];
  const recipient = argumentOf(selected, RECIPIENT_ARGS);
  const noArg = (what: string) =>
    refuse(
      'GH_NL_NO_ARGUMENT',
      `none of the tools ${selected.map((t) => t.name).join(', ')} declares ${what} in its schema`,
    );
  for (const c of parsed.conditions as ParsedCondition[]) {
    switch (c.kind) {
      case 'amount': {
        const amount = argumentOf(selected, AMOUNT_ARGS, 'number');
        if (!amount) return noArg('a numeric amount argument');
        conditions.push({ kind: 'amount', arg: amount.arg, op: c.op, value: c.value });
        if (c.currency)
          notes.push(`amounts are compared in the tool's own unit; the sentence says ${c.currency}`);
        break;
      }
      case 'recipients': {
        if (!recipient) return noArg('a recipient argument (to, recipients)');
        const domain = c.domain ?? vocabulary.companyDomain;
        if (!domain)
          return refuse(
            'GH_NL_NO_ARGUMENT',
            'the policy names no company domain (no owner or group member address): name the domain',
          );
        conditions.push({
          kind: 'recipients',
          arg: recipient.arg,
          list: recipient.list,
          scope: c.scope,
          domain,
        });
        if (!c.domain)
          notes.push(`the company is ${domain} (the domain of the policy's owners and group members)`);
        break;
      }
      case 'provenance': {
        const names = c.target === 'account' ? ACCOUNT_ARGS : c.target === 'url' ? URL_ARGS : RECIPIENT_ARGS;
        const a = argumentOf(selected, names);
        if (!a) return noArg(`an argument for the ${c.target}`);
        conditions.push({ kind: 'provenance', arg: a.arg, label: c.label });
        break;
      }
      default:
        conditions.push(c);
    }
  }
  if (external) {
    if (!recipient || !vocabulary.companyDomain)
      notes.push('"external" has no recipient argument or company domain to check: every send is covered');
    else if (!conditions.some((c) => c.kind === 'recipients')) {
      conditions.push({
        kind: 'recipients',
        arg: recipient.arg,
        list: recipient.list,
        scope: 'outside',
        domain: vocabulary.companyDomain,
      });
      notes.push(
        `external means a recipient outside ${vocabulary.companyDomain} (the domain of the policy's owners and group members)`,
      );
    }
  }

  // Origins: the rule applies when a value's origin is not one of these.
  let require: { origin?: Record<string, string[]>; mentions?: Record<string, string[]> } | undefined;
  for (const o of parsed.origins) {
    if (o.target === 'mentions') {
      const body = argumentOf(selected, BODY_ARGS);
      if (!body) return noArg('a message body argument');
      require = { ...require, mentions: { ...require?.mentions, [body.arg]: o.origins } };
      continue;
    }
    const a = argumentOf(
      selected,
      o.target === 'account' ? ACCOUNT_ARGS : o.target === 'url' ? URL_ARGS : RECIPIENT_ARGS,
    );
    if (!a) return noArg(`an argument for the ${o.target}`);
    require = { ...require, origin: { ...require?.origin, [a.arg]: o.origins } };
  }
  if (hasOriginRule && !parsed.only && effect !== 'deny' && effect !== 'approve')
    return refuse('GH_NL_UNSUPPORTED', 'an origin needs "only"');

  // "only": the rule applies when the stated condition does not hold.
  if (parsed.only && parsed.exceptAgents.length === 0 && !hasOriginRule) {
    if (conditions.length !== 1)
      return refuse(
        'GH_NL_UNSUPPORTED',
        '"only" takes exactly one condition (an amount, recipients, hours, days or an intent)',
      );
    const c = conditions[0] as Condition;
    const negated: Condition | undefined =
      c.kind === 'amount'
        ? { ...c, op: flip[c.op] }
        : c.kind === 'recipients' && c.scope === 'inside'
          ? { ...c, scope: 'outside' }
          : c.kind === 'hours'
            ? { ...c, inside: !c.inside }
            : c.kind === 'days'
              ? { kind: 'days', days: [0, 1, 2, 3, 4, 5, 6].filter((d) => !c.days.includes(d)) }
              : c.kind === 'intent'
                ? { ...c, inside: !c.inside }
                : undefined;
    if (!negated) return refuse('GH_NL_UNSUPPORTED', `"only" cannot be said of that condition`);
    conditions[0] = negated;
  } else if (parsed.only && hasOriginRule && conditions.length > 0 && !parsed.otherwiseAsk) {
    notes.push('the other conditions narrow where the origin is required');
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
  const exceptAgents = parsed.exceptAgents;
  if (parsed.agents.some((a) => exceptAgents.includes(a)))
    return refuse('GH_NL_UNSUPPORTED', 'an agent is both named and exempted');
  return {
    ok: true,
    meaning: {
      sentence: trimmed,
      effect,
      ...(effect === 'approve' && { approval: { approvers: parsed.approvers ?? 1, groups: parsed.groups } }),
      agents: parsed.agents,
      exceptAgents,
      ...(parsed.agentLabel !== undefined && { agentLabel: parsed.agentLabel }),
      toolPatterns: [...new Set(toolPatterns)],
      categories: [...new Set(categories)],
      tools: tools.map((t) => t.name),
      conditions,
      ...(require && { require }),
      notes,
    },
  };
}
