import { alt, type ParsedSentence } from './parsed.js';
import type { Vocabulary } from './vocabulary.js';

/** The patterns that name agents, groups and people, and the readers of what they matched. */
export interface NamePatterns {
  /** Every phrase that names an agent → the agent. */
  readonly agentPhrase: ReadonlyMap<string, string>;
  /** One agent's name, its phrase captured. */
  readonly AGENT: string;
  /** A list of agents' names ("the ops agent and the finance agent"). */
  readonly AGENTS: string;
  /** The agents a matched phrase names, in order. */
  readonly agentsIn: (s: string) => string[];
  /** A group of approvers, or people the policy names, the phrase captured. */
  readonly GROUP: string;
  readonly groupName: (phrase: string | undefined) => string | undefined;
  /** Records a matched group phrase (a group, or named people) as the sentence's approvers. */
  readonly addGroup: (phrase: string | undefined) => void;
}

/**
 * Builds the name patterns of a vocabulary for one parse: `addGroup` records into `parsed`.
 * Names come from the policy only, so a sentence cannot name an agent or a person it lacks.
 */
export function namePatterns(vocabulary: Vocabulary, parsed: ParsedSentence): NamePatterns {
  const agentPhrase = new Map<string, string>();
  for (const [name, phrases] of vocabulary.agents) {
    for (const p of phrases) {
      agentPhrase.set(p, name);
      agentPhrase.set(`${p}s`, name);
      if (!p.endsWith(' agent')) agentPhrase.set(`${p} agent`, name);
    }
  }
  // "the email assistant" is not the agent "assistant" doing email: a name right after a noun
  // of the vocabulary is part of a longer name the policy does not have, left for refusal.
  const nouns = [
    ...[...vocabulary.namespaces.values()].flat(),
    ...vocabulary.groups,
    ...vocabulary.resourceValues.keys(),
  ].filter((n) => ![...agentPhrase.keys()].some((p) => p.startsWith(`${n} `)));
  const NOT_AFTER_NOUN = nouns.length > 0 ? `(?<!\\s(?:${alt(nouns)})\\s)` : '';
  const AGENT = `(?:the\\s)?${NOT_AFTER_NOUN}(${alt(agentPhrase.keys())})`;
  const AGENTS = `${AGENT}(?:\\s(?:,\\s)?(?:and|or|,)\\s${AGENT})*`;
  const agentsIn = (s: string) => {
    const found: string[] = [];
    const re = new RegExp(`(?:^|\\s)(?:the\\s)?(${alt(agentPhrase.keys())})(?=\\s|$)`, 'g');
    for (const m of s.matchAll(re)) {
      const name = agentPhrase.get(m[1] as string);
      if (name && !found.includes(name)) found.push(name);
    }
    return found;
  };
  // A person the policy names may approve; a first name that is also a word of the vocabulary
  // (an agent, a tool, a group) stays that word.
  const personPhrases = [...vocabulary.people.keys()].filter(
    (p) => p.includes('@') || (!agentPhrase.has(p) && !nouns.includes(p)),
  );
  const PERSON = `(?:${alt(personPhrases)})(?:'s)?`;
  const PEOPLE = `(?:both\\s|either\\s)?${PERSON}(?:\\s(?:,\\s)?(?:and|or|,)\\s${PERSON})*(?:\\s,?\\s?(?:both of them|together|both))?`;
  const GROUP = `(?:the\\s)?(${alt(vocabulary.groups.flatMap((g) => [g, g.replace(/[-_]/g, ' ')]))}|${PEOPLE})(?:\\s(?:group|team|department|approvers|members|people))?`;
  const groupName = (phrase: string | undefined) =>
    vocabulary.groups.find((g) => g === phrase || g.replace(/[-_]/g, ' ') === phrase);
  const addGroup = (phrase: string | undefined) => {
    const g = groupName(phrase);
    if (g && !parsed.groups.includes(g)) parsed.groups.push(g);
    if (g || phrase === undefined) return;
    const named = [...phrase.matchAll(new RegExp(`(?:^|\\s)(${alt(personPhrases)})(?='s|\\s|$)`, 'g'))];
    if (named.length === 0) return;
    for (const n of named) {
      const email = vocabulary.people.get(n[1] as string) as string;
      if (!parsed.people.includes(email)) parsed.people.push(email);
    }
    const all = /\s(?:and|both|together)\s/.test(` ${phrase} `);
    const any = /\s(?:or|either)\s/.test(` ${phrase} `);
    // "Carol, Dave" says neither all nor any of them.
    const join = all && any ? 'mixed' : all ? 'all' : any || named.length === 1 ? 'any' : 'mixed';
    parsed.peopleJoin = parsed.peopleJoin === undefined || parsed.peopleJoin === join ? join : 'mixed';
  };

  return { agentPhrase, AGENT, AGENTS, agentsIn, GROUP, groupName, addGroup };
}
