import type { ToolCategory, ToolDefinition } from '../policy/types.js';
import { scopeFronted } from './fronted-scope.js';
import {
  ANY_TOOL_NOUNS,
  CALL_WORDS,
  CATEGORY_NOUNS,
  DATABASE_NOUNS,
  EXTERNAL_COMMUNICATION_NOUNS,
  FINANCIAL_SYSTEM_NOUNS,
  NOUN_VERBS,
  VERBS,
} from './lexicon.js';
import { parseApprovals } from './parse-approvals.js';
import { parseConditions } from './parse-conditions.js';
import { namePatterns } from './parse-names.js';
import { parsePayees } from './parse-payees.js';
import {
  type PhrasingContext,
  parseEffectPhrasings,
  parseLeadIns,
  parseMarkers,
  parseOnlyKinds,
  parseToolVerbs,
} from './parse-phrasings.js';
import { parseProvenance } from './parse-provenance.js';
import { parseDomainExemptions } from './parse-recipients.js';
import { alt, cachedRegex, type ParsedSentence, type Take } from './parsed.js';
import { namespacePhrases, toolPhrases, toolVerbPhrases } from './phrases.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Cuts a sentence (normalised by `normalizeSentence`, or one clause of it) into its pieces, and
 * marks a situation said before an "only" as the scope of it (`scopeFronted`). What is left over
 * is returned in `rest` for the caller to refuse.
 */
export function parseSentence(
  normalized: string,
  vocabulary: Vocabulary,
  accounts: readonly string[] = [],
): ParsedSentence {
  const parsed = parsePhrases(normalized, vocabulary, accounts);
  // The fronted phrase is read without scoping of its own: a phrase read while looking for the
  // fronted one is never itself a sentence with a situation before its "only" (each would try
  // every shorter run of words again, exponential in the words before the comma).
  scopeFronted(normalized, parsed, (t) => parsePhrases(t, vocabulary, accounts));
  return parsed;
}

/**
 * Cuts a sentence (normalised by `normalizeSentence`, or one clause of it) into its pieces,
 * consuming each phrase it recognises; what is left over is returned in `rest`. No fronted
 * situation is scoped. Pure and linear in the sentence (a bounded number of regex passes over
 * at most 500 characters).
 */
export function parsePhrases(
  normalized: string,
  vocabulary: Vocabulary,
  accounts: readonly string[] = [],
): ParsedSentence {
  let text = ` ${normalized.trim()} `;
  const parsed: ParsedSentence = {
    effects: [],
    groups: [],
    people: [],
    only: false,
    withoutApproval: false,
    otherwiseAsk: false,
    agents: [],
    exceptAgents: [],
    verbs: [],
    objects: [],
    conditions: [],
    origins: [],
    notes: [],
    unsupported: [],
    rest: [],
    exceptNamespaces: [],
    exceptTools: [],
  };
  /** Consumes every match of `pattern`; `onMatch` returns false to leave a match alone. */
  const take: Take = (pattern: string, onMatch: (m: RegExpExecArray) => boolean | undefined) => {
    const re = cachedRegex(`(?<=\\s)(?:${pattern})(?=\\s)`);
    text = text.replace(re, (...all) => {
      // The offset and the whole text follow the groups (a groups object last, if any is named).
      const named = typeof all.at(-1) === 'object';
      const m = all.slice(0, named ? -3 : -2) as unknown as RegExpExecArray;
      m.index = all.at(named ? -3 : -2) as number;
      m.input = all.at(named ? -2 : -1) as string;
      return onMatch(m) === false ? (m[0] as string) : ' § ';
    });
    text = text.replace(/\s+/g, ' ');
  };

  const { agentPhrase, AGENTS, agentsIn, GROUP, groupName, addGroup } = namePatterns(vocabulary, parsed);

  const phrasing: PhrasingContext = {
    take,
    parsed,
    vocabulary,
    group: GROUP,
    addGroup,
    agent: `(?:${alt(agentPhrase.keys())})`,
    agentOf: (s) => agentsIn(s)[0],
  };
  // Accounts by name, before the phrasings read "goes to" as a message sent.
  parsePayees(take, parsed, accounts);
  parseDomainExemptions(take, parsed, vocabulary);
  parseLeadIns(phrasing);
  const nsPhrase = namespacePhrases(vocabulary);
  const NAMESPACE = `(?:the\\s)?(${alt(nsPhrase.keys())})`;
  // "can read but not delete X": the permitted half is what grants already say.
  take(
    `(?:can|may|are allowed to|is allowed to)\\s(${alt([...VERBS.read, ...VERBS.write, ...VERBS.any])})(?:\\s(?:and|or)\\s(${alt(VERBS.read)}))?\\s,?\\s?but\\s(?:not|never|cannot|can't|may not|must not)`,
    (m) => {
      parsed.effects.push('deny');
      parsed.notes.push(`"${m[1]}" is left to the agents' grants: the sentence adds no allow rule for it`);
      return true;
    },
  );
  // "Reads are open to everyone, except the email assistant may never …": after a comma, an
  // agent with a modal of its own is the subject of a second statement, not an exemption.
  take(
    `(?<=,\\s)(?:except(?:\\sfor)?|but|other than)\\s(?:${AGENTS})(?=\\s(?:may|can|cannot|can't|must|should|will|is|are|needs?|requires?|has to|gets?|never)\\s)`,
    (m) => {
      parsed.unsupported.push(
        `"${m[0]}": an agent with a verb of its own starts a second statement; write one sentence for each`,
      );
      return true;
    },
  );
  // "No agent may use production tools, other than the ops agent's read queries": the exemption
  // is of that agent's reads only, and its calls are not the rule's; refused, not read as both.
  take(
    // Not in the subject ("No agent other than ops-agent may touch …"), whose verb follows.
    `(?<!^\\s(?:no|any|every|each|all|nobody|no one)(?:\\sagents?)?\\s)(?:except(?:\\sfor)?|other than|apart from|besides)\\s(?:${AGENTS})(?=\\s(?:${CALL_WORDS})\\s)`,
    (m) => {
      parsed.unsupported.push(
        `"${m[0]} …": an exemption of one agent's calls is two rules; write the agent's exemption in a sentence of its own`,
      );
      return true;
    },
  );
  // Exemptions and "only X may": the named agents are outside the rule.
  take(
    `(?:except(?:\\sfor)?(?:\\sby)?|other than(?:\\sby)?|apart from|besides|(?<=(?:nobody|no one|no agents?|everyone|everybody|anyone|anybody)\\s)but|unless (?:it is|done by|the agent is))\\s(?:${AGENTS})`,
    (m) => {
      parsed.exceptAgents.push(...agentsIn(m[0] as string).filter((a) => !parsed.exceptAgents.includes(a)));
      return true;
    },
  );
  // "except email.list", "except for contact lookups", "except pulling the finance report",
  // "other than reading email" (the namespace's tools of the verb's category).
  const toolVerb = toolVerbPhrases(vocabulary);
  const exemptTools = toolPhrases(vocabulary);
  for (const [phrase, { tool }] of toolVerb) exemptTools.set(phrase, tool);
  for (const t of vocabulary.tools) exemptTools.set(t.name.toLowerCase(), t.name);
  const exemptVerbs = new Map<string, ToolCategory | 'any'>();
  for (const [category, phrases] of Object.entries(VERBS) as [ToolCategory | 'any', readonly string[]][])
    if (category === 'any' || category === 'read' || category === 'external_communication')
      for (const p of phrases) exemptVerbs.set(p, category);
  for (const p of ['making', 'calling', 'looking up', 'running']) exemptVerbs.set(p, 'any');
  // A list goes on over "and", "or" and commas, but not over the comma that ends a fronted
  // exemption before the clause's subject ("Except for contact lookups, the email assistant …").
  const LIST_AND = `(?:\\s(?:,\\s)?(?:and|or)\\s|\\s,\\s(?!(?:the\\s)?(?:${alt(agentPhrase.keys())})(?=\\s)))`;
  const EXEMPT = `(?:(${alt(exemptVerbs.keys())})\\s)?(?:the\\s|a\\s|any\\s)?(${alt([...exemptTools.keys(), ...nsPhrase.keys()])})`;
  const exemptionOf = (verb: string | undefined, object: string): string[] => {
    const tool = exemptTools.get(object);
    if (tool) return [tool];
    const ns = nsPhrase.get(object) as string;
    const category = verb === undefined ? 'any' : exemptVerbs.get(verb);
    const tools = vocabulary.tools.filter((t) => t.name.startsWith(`${ns}.`));
    if (category === 'any') return tools.map((t) => t.name);
    // "reading email" with email.list and email.read both reads: which one is exempt is not said.
    const of = tools.filter((t) => t.categories.includes(category as ToolCategory));
    return of.length === 1 ? [(of[0] as ToolDefinition).name] : [];
  };
  take(
    `(?:except(?:\\sfor)?|other than|apart from|besides)\\s${EXEMPT}(?:${LIST_AND}${EXEMPT.replace(/\((?!\?)/g, '(?:')})*(?=\\s)`,
    (m) => {
      // A bare namespace is the namespace exemption below; a verb or a tool phrase makes it tools.
      if (m[1] === undefined && !exemptTools.has(m[2] as string)) return false;
      const found: string[] = [];
      const re = new RegExp(EXEMPT, 'g');
      for (const e of (m[0] as string).matchAll(re)) found.push(...exemptionOf(e[1], e[2] as string));
      if (found.length === 0) return false;
      for (const name of found) if (!parsed.exceptTools.includes(name)) parsed.exceptTools.push(name);
      return true;
    },
  );
  take(
    `(?:except(?:\\sfor)?|other than|apart from|besides|outside(?:\\sof)?(?=\\sthe\\s))\\s(?:in\\s|on\\s|for\\s)?${NAMESPACE}(?:${LIST_AND}${NAMESPACE})*(?:\\stools?)?`,
    (m) => {
      const re = new RegExp(`(?:^|\\s)(?:the\\s)?(${alt(nsPhrase.keys())})(?=\\s|$)`, 'g');
      for (const n of (m[0] as string).matchAll(re)) {
        const ns = nsPhrase.get(n[1] as string);
        if (ns && !parsed.exceptNamespaces.includes(ns)) parsed.exceptNamespaces.push(ns);
      }
      return true;
    },
  );
  // "except queries", "other than reads": the catalog's tools of that kind.
  const exemptNouns = new Map<string, ToolCategory>();
  for (const [category, nouns] of Object.entries(CATEGORY_NOUNS) as [ToolCategory, readonly string[]][])
    for (const n of nouns) if (!n.includes(' ')) exemptNouns.set(n, category);
  take(
    `(?:except(?:\\sfor)?|other than|apart from|besides)\\s(?:the\\s|any\\s)?(${alt(exemptNouns.keys())})(?=\\s(?:[,;.]|$)|\\s$)`,
    (m) => {
      const category = exemptNouns.get(m[1] as string) as ToolCategory;
      const tools = vocabulary.tools.filter((t) => t.categories.includes(category)).map((t) => t.name);
      if (tools.length === 0) return false;
      for (const name of tools) if (!parsed.exceptTools.includes(name)) parsed.exceptTools.push(name);
      parsed.notes.push(`"${m[0]}": the catalog's ${category} tools`);
      return true;
    },
  );

  // "… can be deleted by the ops agent only", "… may only be run by the finance agent", "… may be
  // used only by the finance agent": the
  // same. The verb stays for the verb passes ("deleted" is the deletes, not every orders tool).
  const VERB_BY = '\\s(?:may|can)\\s(?:only\\s)?be\\s[a-z]+(?:\\s(?:up|out))?\\s';
  let byOnly = false;
  take(
    `(?<=${VERB_BY})by\\s(?:${AGENTS})\\sonly(?=\\s$)|(?<=\\s(?:may|can)\\sonly\\sbe\\s[a-z]+(?:\\s(?:up|out))?\\s)by\\s(?:${AGENTS})|(?<=\\s(?:may|can)\\sbe\\s[a-z]+(?:\\s(?:up|out))?\\s)(?:only|solely|exclusively)\\sby\\s(?:${AGENTS})`,
    (m) => {
      parsed.exceptAgents.push(...agentsIn(m[0] as string));
      parsed.effects.push('deny');
      byOnly = true;
      return true;
    },
  );
  take('(?:may|can)\\s(?:only\\s)?be(?=\\s[a-z]+(?:\\s(?:up|out))?\\s§)', () => byOnly);
  take(
    `(?:is|are)\\s(?:(?:allowed|permitted|reserved)\\s)?(?:for|to)\\s(?:${AGENTS})\\sonly(?=\\s$)|(?:is|are)\\sreserved\\sfor\\s(?:${AGENTS})`,
    (m) => {
      parsed.exceptAgents.push(...agentsIn(m[0] as string));
      parsed.effects.push('deny');
      return true;
    },
  );
  take(
    `only\\s(?:${AGENTS})\\s(?:may|can|is allowed to|are allowed to|is permitted to|are permitted to|gets to|get to|should)`,
    (m) => {
      parsed.exceptAgents.push(...agentsIn((m[0] as string).replace(/^only/, '')));
      parsed.effects.push('deny');
      parsed.onlyAgents = true;
      return true;
    },
  );

  // "approval from the finance agent": an agent is not an approver, and its name must not be
  // read as the group it shares a word with, nor as the rule's subject.
  take(
    `(?:approvals?|sign-?offs?|approved|signed off|authori[sz]ed|authori[sz]ation|consent|ok|confirmed|confirmation)\\s(?:from|by)\\s(?:${GROUP}\\s(?:,\\s)?(?:and|or|,)\\s)?${AGENTS}`,
    (m) => {
      parsed.unsupported.push(`"${m[0]}": an agent cannot approve; approvals come from a group of people`);
      return true;
    },
  );

  // Conditions: provenance and origins first, since their nouns ("an email") are also objects.
  parseProvenance(phrasing);

  parseApprovals(phrasing);

  // Prohibitions and permissions.
  parseEffectPhrasings(phrasing);
  take(
    '(?:no agent|no agents|nobody|no one|nothing|no tool)\\s(?:§\\s)?(?:may|can|should|is allowed to|shall)',
    () => {
      parsed.effects.push('deny');
      return true;
    },
  );
  // A sentence that opens with "no" forbids what follows ("No payments overnight").
  take('(?<=(?:^|,)\\s)no(?!\\s(?:more|less))', () => {
    parsed.effects.push('deny');
    return true;
  });
  take('(?:(?:is|are)\\s)?only\\s(?:allowed|permitted)(?:\\sto)?', () => {
    parsed.effects.push('allow');
    parsed.only = true;
    return true;
  });
  take(
    "(?:cannot|can not|can't|may not|may never|can never|must not|must never|should never|should not|shall not|will not|won't|do not|does not|don't|doesn't|are not allowed to|is not allowed to|are not permitted to|is not permitted to|are forbidden to|is forbidden to|are prohibited from|is prohibited from|are never allowed to|is never allowed to|never|not be allowed to)",
    () => {
      parsed.effects.push('deny');
      return true;
    },
  );
  take('(?:is|are)\\s(?:blocked|forbidden|prohibited|denied|not allowed|refused|not permitted)', () => {
    parsed.effects.push('deny');
    return true;
  });
  take(
    '(?:can always|may always|can|may|is allowed to|are allowed to|is permitted to|are permitted to|(?:is|are) (?:allowed|permitted))',
    () => {
      parsed.effects.push('allow');
      return true;
    },
  );

  // "Only read tools may run in production": an "only" before the sentence's modal is said of
  // the tools it names, not of the condition after them.
  take('(?<=^\\s)only', () => {
    parsed.only = true;
    parsed.onlyLeading = true;
    return true;
  });
  parseOnlyKinds(phrasing);
  take('(?:may|can|should|must)?\\s?only', () => {
    parsed.only = true;
    return true;
  });

  // Subjects.
  if (vocabulary.agentLabels.length > 0) {
    take(`(${alt(vocabulary.agentLabels)})\\sagents?`, (m) => {
      parsed.agentLabel = m[1];
      return true;
    });
  }
  take(
    '(?:agents|agent)\\s(?:with\\s(?:the\\s)?label|labell?ed|classified as|tagged)\\s([a-z][a-z0-9_]{0,63})',
    (m) => {
      parsed.agentLabel = m[1];
      return true;
    },
  );
  // A subject, not an object: an agent after "to" or a verb that acts on it ("pay the finance
  // agent", "send email to the finance agent") is whom the call reaches, which a rule cannot
  // name; and two names run together ("the research assistant") are one name the policy does
  // not have. Both are left unconsumed, so the sentence is refused.
  const NAMES = alt(agentPhrase.keys());
  // "email", "message" and "contact" name agents too ("the email assistant"): a verb only
  // when "the" follows ("email the finance agent").
  const REACHES =
    '(?:to|with|pay|pays|paying|paid|emailing|messaging|delegate|delegates)\\s|(?:email|emails|message|messages|contact|contacts)\\s(?=the\\s)';
  // "every email the assistant sends", "any payment the finance agent makes": a relative
  // clause whose subject is the agent making the call, said after the call's noun.
  take(
    `(?<=\\s(?:emails?|e-mails?|mail|messages?|payments?|transfers?|calls?|deletes?|queries|query|reports?|lookups?)\\s)(?=the\\s)${AGENTS}(?:\\s(?:makes|does|issues|initiates|requests)(?=\\s)|(?=\\s(?:sends|runs|writes|deletes|reads|queries|pulls)\\s))`,
    (m) => {
      parsed.agents.push(...agentsIn(m[0] as string).filter((a) => !parsed.agents.includes(a)));
      return true;
    },
  );
  take(`(?<=\\s(?:${REACHES}))${AGENTS}`, (m) => {
    parsed.unsupported.push(
      `"${m[0]}": a rule names the agent that makes a call, not the agent a call reaches`,
    );
    return true;
  });
  take(`(?<!\\s(?:${NAMES})\\s(?:the\\s)?)${AGENTS}(?!\\s(?:${NAMES})\\s)`, (m) => {
    parsed.agents.push(...agentsIn(m[0] as string).filter((a) => !parsed.agents.includes(a)));
    return true;
  });
  // "off limits to everyone but the finance agent": every agent, before its exemption.
  take('(?:to\\s|for\\s)?(?:everyone|everybody|anyone|anybody)(?=\\s§)', () => {
    parsed.anyAgent = true;
    return true;
  });
  // "The email agent" that names no agent of the policy is not every agent: left over, "agent"
  // refuses the sentence rather than let the rule drop its subject.
  take(
    '(?:all|every|any|each|an|the)?\\s?(?<!other\\s)(?<!\\b(?:the|this|that)\\s[a-z][a-z-]*\\s)agents?',
    () => {
      parsed.anyAgent = true;
      return true;
    },
  );

  parseConditions(take, parsed, vocabulary);

  take(
    `(?<=§\\s)(${alt(Object.keys(NOUN_VERBS))})(?=\\s(?:an?|any|the|addresses|anyone|recipients|people|outside|[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,})\\s)`,
    (m) => {
      parsed.verbs.push(NOUN_VERBS[m[1] as string] as ToolCategory);
      return true;
    },
  );

  parseMarkers(phrasing);

  // Objects.
  take(`(?:to\\s)?(?:the\\s)?(${alt(EXTERNAL_COMMUNICATION_NOUNS)})`, (m) => {
    // The plural is mail leaving the company in the seed ("All external communications require
    // human approval"), yet writers who forbid "external communications" mean every send: a
    // prohibition of it is refused rather than read one way ("of any kind" says the category).
    if (m[1] === 'external communications' && parsed.effects.includes('deny')) {
      parsed.unsupported.push(
        '"external communications": every message sent, or only mail leaving the company? say "external communication" for every send, or "email outside the company"',
      );
      return true;
    }
    parsed.objects.push({ kind: 'external' });
    return true;
  });
  const allToolLabels = [...new Set(vocabulary.tools.flatMap((t) => t.labels))];
  // "anything labelled confidential", "tools marked untrusted", "tools that return untrusted
  // content": the catalog's own labels on its tools, said outright.
  if (allToolLabels.length > 0)
    take(
      `(?:anything|everything|any tool|all tools|tools?|any of the tools)\\s(?:that\\sis\\s|that\\sare\\s|which\\sare\\s)?(?:(?:labell?ed|marked|tagged|classified)\\s(?:as\\s)?(${alt(allToolLabels)})|(?:that|which)\\s(?:returns?|produces?|gives?)\\s(${alt(allToolLabels)})\\s(?:content|data|output|text)|(?:carrying|bearing|with|that carries|that carry|that has|that have)\\s(?:the\\s|a\\s)?(${alt(allToolLabels)})\\slabel)|(?:anything|everything)\\s(${alt(allToolLabels)})`,
      (m) => {
        const label = (m[1] ?? m[2] ?? m[3] ?? m[4]) as string;
        for (const t of vocabulary.tools.filter((x) => x.labels.includes(label)))
          parsed.objects.push({ kind: 'tool', pattern: t.name });
        parsed.notes.push(`${m[0]} are the tools the catalog labels ${label}`);
        return true;
      },
    );
  // "the financial category", "read-category tools": a category by its own name.
  const categoryNames = new Map<string, ToolCategory>();
  for (const c of Object.keys(CATEGORY_NOUNS) as ToolCategory[]) {
    categoryNames.set(c, c);
    categoryNames.set(c.replace(/_/g, ' '), c);
  }
  take(`(?:in\\s)?(?:the\\s)?(${alt(categoryNames.keys())})(?:\\s|-)category(?:\\stools?)?`, (m) => {
    parsed.objects.push({ kind: 'category', category: categoryNames.get(m[1] as string) as ToolCategory });
    return true;
  });
  // "untrusted tools", "trusted tools": with "tools" the label is the catalog's, not content's.
  if (allToolLabels.length > 0)
    take(`(${alt(allToolLabels)})\\s(?:tools?|sources?)`, (m) => {
      for (const t of vocabulary.tools.filter((x) => x.labels.includes(m[1] as string)))
        parsed.objects.push({ kind: 'tool', pattern: t.name });
      parsed.notes.push(`${m[0]} are the tools the catalog labels ${m[1]}`);
      return true;
    });
  const toolLabels = allToolLabels.filter((l) => l !== 'untrusted');
  if (toolLabels.length > 0)
    take(
      `(${alt(toolLabels)})\\s(?:data|information|tools|reports|records|documents|files|content|resources)`,
      (m) => {
        for (const t of vocabulary.tools.filter((x) => x.labels.includes(m[1] as string)))
          parsed.objects.push({ kind: 'tool', pattern: t.name });
        parsed.notes.push(`${m[0]} is what the catalog labels ${m[1]}`);
        return true;
      },
    );
  parseToolVerbs(phrasing, toolVerb);
  const toolPhrase = toolPhrases(vocabulary);
  if (toolPhrase.size > 0)
    take(`(?:the\\s)?(${alt(toolPhrase.keys())})`, (m) => {
      parsed.objects.push({ kind: 'tool', pattern: toolPhrase.get(m[1] as string) as string });
      return true;
    });
  // "…, from finance", "approval from security and finance", "emails to finance": after
  // "from", "by" or "to", or in a sentence that asks for approval, a group's bare name is
  // people, not an object; left unconsumed, the sentence is refused rather than misread.
  const approverNotObject = (m: RegExpExecArray, phrase: number) =>
    groupName(m[phrase]) !== undefined && (m[1] !== undefined || parsed.effects.includes('approve'));
  take(`((?:from|by|to)\\s)?(?:the\\s)?(${alt(FINANCIAL_SYSTEM_NOUNS)})`, (m) => {
    if (approverNotObject(m, 2)) return false;
    parsed.objects.push({ kind: 'financial-systems' });
    return true;
  });
  const toolNames = vocabulary.tools.map((t) => t.name.toLowerCase());
  take(`(?:the\\s)?([a-z0-9_][a-z0-9_.:/-]*\\.(?:\\*|[a-z0-9_*?][a-z0-9_.*?:/-]*))(?:\\stool)?`, (m) => {
    const pattern = m[1] as string;
    if (!pattern.includes('*') && !pattern.includes('?') && !toolNames.includes(pattern)) return false;
    parsed.objects.push({
      kind: 'tool',
      pattern: vocabulary.tools.find((t) => t.name.toLowerCase() === pattern)?.name ?? pattern,
    });
    return true;
  });
  // Verb phrases that hold their object ("change the settings") before the object's words
  // are read as a resource or a namespace.
  const phraseVerbs = new Map<string, ToolCategory>();
  for (const [category, phrases] of Object.entries(VERBS) as [ToolCategory | 'any', readonly string[]][])
    if (category !== 'any')
      for (const p of phrases) if (p.includes(' ') && !phraseVerbs.has(p)) phraseVerbs.set(p, category);
  take(`(?:to\\s)?(${alt(phraseVerbs.keys())})`, (m) => {
    parsed.verbs.push(phraseVerbs.get(m[1] as string) as ToolCategory);
    return true;
  });
  // Likewise category nouns of several words ("config changes", "wire transfers").
  const phraseNouns = new Map<string, ToolCategory>();
  for (const [category, nouns] of Object.entries(CATEGORY_NOUNS) as [ToolCategory, readonly string[]][])
    for (const n of nouns) if (n.includes(' ') && !phraseNouns.has(n)) phraseNouns.set(n, category);
  take(`(?:the\\s)?(${alt(phraseNouns.keys())})`, (m) => {
    parsed.objects.push({ kind: 'category', category: phraseNouns.get(m[1] as string) as ToolCategory });
    return true;
  });
  // Resource facts ("production") before namespaces, so "orders" as a system is a condition
  // only when no namespace claims the word.
  const resourcePhrases = [...vocabulary.resourceValues.keys()].filter((v) => !nsPhrase.has(v));
  if (resourcePhrases.length > 0) {
    // "anything outside staging", "deletes anywhere but the sandbox": every other value, or none.
    take(
      `(?:outside|anywhere but|anywhere except|except in|other than in|not in|beyond)\\s(?:of\\s)?(?:the\\s)?(${alt(resourcePhrases)})(?:\\s(?:environment|env|resources?|instances?))?`,
      (m) => {
        const value = m[1] as string;
        const key = vocabulary.resourceValues.get(value)?.[0] as string;
        parsed.conditions.push({ kind: 'resource', key, value, not: true });
        return true;
      },
    );
    take(
      `(?:in\\s|on\\s|against\\s|to\\s)?(?:the\\s)?(${alt(resourcePhrases)})(?:\\s(?:environment|env|resources?|instances?))?`,
      (m) => {
        const value = m[1] as string;
        const key = vocabulary.resourceValues.get(value)?.[0] as string;
        parsed.conditions.push({ kind: 'resource', key, value });
        return true;
      },
    );
  }
  take(`((?:from|by|to)\\s)?(?:the\\s|all\\s|any\\s)?(${alt(nsPhrase.keys())})`, (m) => {
    if (approverNotObject(m, 2)) return false;
    parsed.objects.push({ kind: 'namespace', namespace: nsPhrase.get(m[2] as string) as string });
    return true;
  });
  take(`(?:the\\s|all\\s|any\\s)?(${alt(DATABASE_NOUNS)})`, () => {
    parsed.objects.push({ kind: 'databases' });
    return true;
  });
  take(`(${alt(ANY_TOOL_NOUNS)})`, () => {
    parsed.objects.push({ kind: 'any' });
    return true;
  });

  // Verbs, longest phrase first across categories ("send money to" is a payment, not a send),
  // then category nouns ("payments" after "make").
  const verbCategory = new Map<string, ToolCategory>();
  for (const [category, phrases] of Object.entries(VERBS) as [ToolCategory | 'any', readonly string[]][])
    if (category !== 'any') for (const p of phrases) if (!verbCategory.has(p)) verbCategory.set(p, category);
  // "run code that deletes data": a relative clause with a verb of its own is a second action
  // that narrows the first, which a rule's categories (an OR) cannot say.
  take(`(?:that|which|who)\\s(${alt(verbCategory.keys())})`, (m) => {
    parsed.unsupported.push(`"${m[0]}": an action inside another ("… that ${m[1]} …") is not a rule's`);
    return true;
  });
  take(`(?:to\\s)?(${alt(verbCategory.keys())})`, (m) => {
    parsed.verbs.push(verbCategory.get(m[1] as string) as ToolCategory);
    return true;
  });
  take(
    `(?:to\\s)?(?:make|makes|making|perform|do|initiate|initiates|approve|execute)?\\s?(?:the\\s)?(${alt(Object.values(CATEGORY_NOUNS).flat())})`,
    (m) => {
      for (const [category, nouns] of Object.entries(CATEGORY_NOUNS)) {
        if (nouns.includes(m[1] as string))
          parsed.objects.push({ kind: 'category', category: category as ToolCategory });
      }
      return true;
    },
  );
  take(`(?:to\\s)?(?:${alt(VERBS.any)})`, () => {
    parsed.verbs.push('any');
    return true;
  });

  parsed.rest = text
    .trim()
    .split(' ')
    .filter((w) => w !== '');
  return parsed;
}
