import type { RuleDocument } from '../policy/schema.js';
import { conditionCel, type SentenceMeaning } from './meaning.js';

/** A rule id from a sentence: `nl-` and its first words, unique among `taken`. */
export function ruleIdFor(sentence: string, taken: ReadonlySet<string>): string {
  const words = sentence
    .toLowerCase()
    .replace(/[$€£]/g, '')
    .replace(/(\d),(\d)/g, '$1$2')
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !['the', 'a', 'an', 'of', 'to', 'that', 'and', 'all'].includes(w))
    .slice(0, 6);
  const base = `nl-${words.join('-')}`.slice(0, 60).replace(/-+$/, '');
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * The policy rule a sentence means. Agent exemptions and agent labels go into the condition,
 * since `match` selects and cannot exclude.
 */
export function ruleFromMeaning(meaning: SentenceMeaning, id: string): RuleDocument {
  const cel: string[] = [];
  if (meaning.exceptAgents.length > 0)
    cel.push(`!(agent.name in [${meaning.exceptAgents.map((a) => JSON.stringify(a)).join(', ')}])`);
  if (meaning.agentLabel !== undefined) {
    const label = JSON.stringify(meaning.agentLabel);
    cel.push(`(${label} in agent.labels || (has(agent.classification) && agent.classification == ${label}))`);
  }
  for (const c of meaning.conditions)
    cel.push(
      meaning.conditions.length + cel.length > 1 && c.kind === 'hours'
        ? `(${conditionCel(c)})`
        : conditionCel(c),
    );
  const match: NonNullable<RuleDocument['match']> = {
    ...(meaning.agents.length > 0 && { agents: [...meaning.agents] }),
    ...(meaning.toolPatterns.length > 0 && { tools: [...meaning.toolPatterns] }),
    ...(meaning.categories.length > 0 && { categories: [...meaning.categories] }),
  };
  return {
    id,
    description: meaning.sentence,
    ...(Object.keys(match).length > 0 && { match }),
    ...(cel.length > 0 && { when: cel.join(' && ') }),
    ...(meaning.require && {
      require: {
        ...(meaning.require.origin && { origin: cloneLists(meaning.require.origin) }),
        ...(meaning.require.mentions && { mentions: cloneLists(meaning.require.mentions) }),
      },
    }),
    effect: meaning.effect,
    ...(meaning.approval && {
      approval: {
        approvers: meaning.approval.approvers,
        ...(meaning.approval.groups.length > 0 && { groups: [...meaning.approval.groups] }),
      },
    }),
    ...(meaning.quota && { quota: { max: meaning.quota.max, per: meaning.quota.per } }),
  };
}

const cloneLists = (m: Readonly<Record<string, readonly string[]>>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v]]));

/** The groups a fragment declares for the people its sentences name as approvers. */
export function declaredGroups(meanings: readonly SentenceMeaning[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const m of meanings)
    for (const [name, members] of Object.entries(m.approval?.declares ?? {})) groups[name] = [...members];
  return groups;
}
