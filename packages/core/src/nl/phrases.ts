import type { ToolCategory } from '../policy/types.js';
import { VERBS } from './lexicon.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Phrases a policy's tool names give the grammar: namespaces with their nouns ("the orders
 * database", "email tools") and tools named by what they are ("contact lookups", "update the
 * password"). Built from the vocabulary, so a catalog brings its own words.
 */

const NAMESPACE_SUFFIXES = [
  '',
  's',
  ' tools',
  ' tool',
  ' database',
  ' databases',
  ' db',
  ' system',
  ' systems',
  ' data',
  ' records',
  ' messages',
];

/** Phrase → tool namespace: "orders database", "email tools", "the sandbox". */
export function namespacePhrases(vocabulary: Vocabulary): Map<string, string> {
  const nsPhrase = new Map<string, string>();
  for (const [ns, phrases] of vocabulary.namespaces)
    for (const p of phrases) for (const suffix of NAMESPACE_SUFFIXES) nsPhrase.set(`${p}${suffix}`, ns);
  // "the order database", "order system data": a plural name said singular before its noun;
  // never alone, where "order" or "contact" is some other word.
  for (const [ns, phrases] of vocabulary.namespaces)
    for (const p of phrases) {
      const one = p.replace(/s$/, '');
      if (one === p || one.length < 3) continue;
      for (const suffix of NAMESPACE_SUFFIXES)
        if (suffix.startsWith(' ') && !nsPhrase.has(`${one}${suffix}`)) nsPhrase.set(`${one}${suffix}`, ns);
    }
  return nsPhrase;
}

/**
 * Phrase → tool for tools named by what they are rather than by a verb: "contact lookups",
 * "financial reports", "reports" (contacts.lookup, finance.report). An action that is itself a
 * verb of the grammar ("send", "delete") is left to the verb passes.
 */
export function toolPhrases(vocabulary: Vocabulary): Map<string, string> {
  const verbs = new Set(Object.values(VERBS).flat());
  const byAction = new Map<string, string[]>();
  for (const t of vocabulary.tools) {
    const [ns, action] = t.name.toLowerCase().split('.');
    if (!ns || !action || !/^[a-z]+$/.test(action)) continue;
    byAction.set(action, [...(byAction.get(action) ?? []), t.name]);
  }
  const phrases = new Map<string, string>();
  // "bank.update_password" is "update the password", "change the password", "edit password".
  for (const t of vocabulary.tools) {
    const [verb, ...rest] = (t.name.toLowerCase().split('.')[1] ?? '').split('_');
    const category = Object.entries(VERBS).find(([c, list]) => c !== 'any' && list.includes(verb ?? ''))?.[0];
    if (!category || rest.length === 0 || !rest.every((w) => /^[a-z]+$/.test(w))) continue;
    const object = rest.join(' ');
    for (const syn of (VERBS as Record<string, readonly string[]>)[category] ?? [])
      for (const det of ['', 'the ', 'a ', 'an ', 'their ', 'its ', "the user's ", 'any '])
        phrases.set(`${syn} ${det}${object}`, t.name);
  }
  for (const [action, tools] of byAction) {
    for (const name of tools) {
      const ns = name.toLowerCase().split('.')[0] as string;
      const words = new Set([...(vocabulary.namespaces.get(name.split('.')[0] as string) ?? []), ns]);
      for (const w of [...words]) {
        words.add(w.replace(/s$/, ''));
        if (/^financ/.test(w)) words.add('financial');
      }
      for (const w of words) for (const a of [action, `${action}s`]) phrases.set(`${w} ${a}`, name);
    }
    // A bare "reports" names the one tool that is a report; a bare "deletes" is a verb's.
    if (tools.length === 1 && !verbs.has(action)) phrases.set(`${action}s`, tools[0] as string);
  }
  return phrases;
}

/** A tool said by its own verb, with the category the verb gives the clause. */
export interface ToolVerbPhrase {
  readonly tool: string;
  readonly category: ToolCategory;
}

/** Particles that a tool's one-word action may end in: `lookup` is "look up". */
const PARTICLES = ['up', 'out', 'down', 'in', 'off'];

/** The inflections of a verb: `list` → list, lists, listed, listing. */
function inflections(verb: string): string[] {
  const stem = verb.replace(/e$/, '');
  const third = /(?:s|sh|ch|x|z)$/.test(verb)
    ? `${verb}es`
    : /[^aeiou]y$/.test(verb)
      ? `${verb.slice(0, -1)}ies`
      : `${verb}s`;
  const past = /e$/.test(verb)
    ? `${verb}d`
    : /[^aeiou]y$/.test(verb)
      ? `${verb.slice(0, -1)}ied`
      : `${verb}ed`;
  return [verb, third, past, `${stem}ing`];
}

/**
 * Phrase → tool for a tool whose action is a verb of the grammar, said with its namespace as the
 * object: "look up a contact", "listing email" are contacts.lookup and email.list, not every tool
 * of the verb's category there. A verb that names its category outright ("read", "delete") is
 * left to the category, which covers every such tool of the namespace.
 */
export function toolVerbPhrases(vocabulary: Vocabulary): Map<string, ToolVerbPhrase> {
  const verbCategory = new Map<string, ToolCategory>();
  for (const [category, list] of Object.entries(VERBS) as [ToolCategory | 'any', readonly string[]][])
    if (category !== 'any') for (const v of list) if (!verbCategory.has(v)) verbCategory.set(v, category);
  const phrases = new Map<string, ToolVerbPhrase>();
  for (const t of vocabulary.tools) {
    const [ns, action] = t.name.toLowerCase().split('.');
    if (!ns || !action || !/^[a-z]+$/.test(action)) continue;
    const particle = PARTICLES.find((p) => action.endsWith(p) && action.length > p.length + 2);
    const base = particle ? action.slice(0, -particle.length) : action;
    const forms = inflections(base)
      .map((f) => (particle ? `${f} ${particle}` : f))
      .filter((f) => {
        const category = verbCategory.get(f);
        return category !== undefined && category !== action && t.categories.includes(category);
      });
    if (forms.length === 0) continue;
    const nouns = new Set<string>();
    for (const w of [...(vocabulary.namespaces.get(t.name.split('.')[0] as string) ?? []), ns]) {
      nouns.add(w);
      nouns.add(w.replace(/s$/, ''));
    }
    for (const f of forms) {
      const verb = { tool: t.name, category: verbCategory.get(f) as ToolCategory };
      for (const det of ['', 'the ', 'a ', 'an ', 'any ', 'their ', 'its ', "the user's "])
        for (const n of nouns) phrases.set(`${f} ${det}${n}`, verb);
    }
  }
  return phrases;
}
