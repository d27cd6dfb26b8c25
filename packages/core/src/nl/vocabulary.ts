import type { CompiledPolicy, ResourceStateWindow, ToolDefinition } from '../policy/types.js';
import { WELL_KNOWN_LABELS } from '../policy/types.js';

/**
 * The words a policy gives the sentence compiler: its tool catalog, agents, groups, resource
 * facts, states and intents. A sentence may only name what the policy already declares, so a
 * compiled rule never refers to a tool, agent or group that does not exist.
 */
export interface Vocabulary {
  readonly tools: readonly ToolDefinition[];
  /** Agent name → the phrases that name it ("ops-agent" → "the ops agent", "ops agent"). */
  readonly agents: ReadonlyMap<string, readonly string[]>;
  readonly groups: readonly string[];
  /** Labels and classifications the declared agents carry ("autonomous"). */
  readonly agentLabels: readonly string[];
  /** Group name → its members' addresses, so "(Carol and Dave)" can be checked. */
  readonly groupMembers: ReadonlyMap<string, readonly string[]>;
  /** Group name → how many members it has, so an unmeetable approval is refused. */
  readonly groupSizes: ReadonlyMap<string, number>;
  /** Tool namespace (the part before the first `.`) → the phrases that name it. */
  readonly namespaces: ReadonlyMap<string, readonly string[]>;
  /** Resource fact value → the keys it appears under in the catalog (`production` → [env]). */
  readonly resourceValues: ReadonlyMap<string, readonly string[]>;
  readonly states: readonly string[];
  /** The windows each state is declared in, with the tools it covers. */
  readonly stateWindows: ReadonlyMap<string, readonly ResourceStateWindow[]>;
  /** The months (1–12) each state's declared windows touch, so "the holiday freeze" can be checked. */
  readonly stateMonths: ReadonlyMap<string, readonly number[]>;
  /** Intent name → the phrases that name it. */
  readonly intents: ReadonlyMap<string, readonly string[]>;
  /** Intent → the tool patterns the policy lets a session of that intent call. */
  readonly intentTools: ReadonlyMap<string, readonly string[]>;
  /** Labels tools emit plus those Gatehouse emits. */
  readonly labels: readonly string[];
  /** The company's mail domain: the most common domain of owners and group members. */
  readonly companyDomain?: string;
  /**
   * The people the policy names (agent owners, group members), by the phrases a sentence may
   * use for them: the whole address, and its first name when no one else shares it
   * ("carol" → carol@example.com). A sentence may ask one of them to approve.
   */
  readonly people: ReadonlyMap<string, string>;
}

/** Phrases for a hyphenated or underscored name: `email-assistant` → `email assistant`. */
function namePhrases(name: string): string[] {
  const spaced = name.toLowerCase().replace(/[-_]+/g, ' ');
  return [...new Set([name.toLowerCase(), spaced])];
}

/** An intent named for a task on a thing, said as doing it: `inbox-triage` → "triaging the inbox". */
function doingPhrases(name: string): string[] {
  const m = /^([a-z]+)[-_ ]([a-z]+)$/.exec(name.toLowerCase());
  if (!m) return [];
  const [, thing, task] = m as unknown as [string, string, string];
  return [`${gerund(task)} the ${thing}`];
}

/** "triage" → "triaging", "review" → "reviewing". */
export function gerund(task: string): string {
  return task.endsWith('e') && !task.endsWith('ee') ? `${task.slice(0, -1)}ing` : `${task}ing`;
}

/** Builds the vocabulary of a compiled policy. */
export function vocabularyOf(policy: CompiledPolicy): Vocabulary {
  const tools = [...policy.tools.values()];
  const agents = new Map<string, string[]>();
  for (const name of policy.agents.keys()) agents.set(name, namePhrases(name));
  addShortNames(agents, tools, policy);
  addRoleNames(agents);
  const namespaces = new Map<string, string[]>();
  for (const tool of tools) {
    const dot = tool.name.indexOf('.');
    if (dot <= 0) continue;
    const ns = tool.name.slice(0, dot);
    if (namespaces.has(ns)) continue;
    const phrases = namePhrases(ns);
    // `orders_db` is also "the orders database".
    const base = ns.toLowerCase().split(/[-_]/)[0];
    if (base && base !== ns.toLowerCase()) phrases.push(base);
    // A contacts tool is what people call the address book.
    if (base === 'contacts' || base === 'contact')
      phrases.push('address book', 'contacts book', 'contact book');
    namespaces.set(ns, [...new Set(phrases)]);
  }
  const resourceValues = new Map<string, string[]>();
  for (const tool of tools) {
    for (const [key, value] of Object.entries(tool.resource)) {
      if (typeof value !== 'string' || !/^[a-z][a-z0-9_-]{0,40}$/i.test(value)) continue;
      const keys = resourceValues.get(value.toLowerCase()) ?? [];
      if (!keys.includes(key)) keys.push(key);
      resourceValues.set(value.toLowerCase(), keys);
    }
  }
  const intents = new Map<string, string[]>();
  for (const name of policy.intents.keys()) intents.set(name, [...namePhrases(name), ...doingPhrases(name)]);
  const labels = new Set<string>(WELL_KNOWN_LABELS);
  for (const tool of tools) for (const label of tool.labels) labels.add(label);
  const domains = new Map<string, number>();
  const emails = [...[...policy.agents.values()].map((a) => a.owner), ...[...policy.groups.values()].flat()];
  for (const email of emails) {
    const domain = /@([a-z0-9.-]+\.[a-z]{2,})$/i.exec(email)?.[1]?.toLowerCase();
    if (domain) domains.set(domain, (domains.get(domain) ?? 0) + 1);
  }
  const companyDomain = [...domains].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  return {
    tools,
    agents,
    groups: [...policy.groups.keys()],
    agentLabels: [
      ...new Set(
        [...policy.agents.values()].flatMap((a) => [
          ...(a.labels ?? []),
          ...(a.classification ? [a.classification] : []),
        ]),
      ),
    ],
    groupMembers: new Map([...policy.groups].map(([g, members]) => [g, [...members]])),
    groupSizes: new Map([...policy.groups].map(([g, members]) => [g, members.length])),
    namespaces,
    resourceValues,
    states: [...new Set(policy.states.map((s) => s.state))],
    stateWindows: new Map(
      [...new Set(policy.states.map((s) => s.state))].map((state) => [
        state,
        policy.states.filter((s) => s.state === state),
      ]),
    ),
    stateMonths: monthsOfStates(policy),
    intents,
    intentTools: policy.intents,
    labels: [...labels],
    ...(companyDomain !== undefined && { companyDomain }),
    people: peopleOf(emails),
  };
}

/** Phrase → address for each person the policy names; a first name two people share names neither. */
function peopleOf(emails: readonly string[]): Map<string, string> {
  const people = new Map<string, string>();
  const byFirst = new Map<string, Set<string>>();
  for (const raw of emails) {
    const email = raw.toLowerCase();
    if (!/^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(email)) continue;
    people.set(email, email);
    const first = email.split('@')[0]?.split(/[._+-]/)[0] ?? '';
    if (first.length >= 2) byFirst.set(first, new Set([...(byFirst.get(first) ?? []), email]));
  }
  for (const [first, owners] of byFirst) if (owners.size === 1) people.set(first, [...owners][0] as string);
  return people;
}

/**
 * "The assistant", "ops": one word of an agent's name names it when no other agent, tool
 * namespace, group or resource fact uses that word, and it is not the generic "agent".
 */
function addShortNames(
  agents: Map<string, string[]>,
  tools: readonly ToolDefinition[],
  policy: CompiledPolicy,
): void {
  const taken = new Set<string>(['agent', 'agents', 'bot', 'ai', 'the', 'assistant-agent']);
  for (const t of tools) for (const part of t.name.toLowerCase().split(/[._-]/)) taken.add(part);
  for (const g of policy.groups.keys()) for (const part of g.toLowerCase().split(/[-_]/)) taken.add(part);
  for (const t of tools)
    for (const v of Object.values(t.resource)) if (typeof v === 'string') taken.add(v.toLowerCase());
  const owners = new Map<string, string[]>();
  for (const name of agents.keys())
    for (const word of name.toLowerCase().split(/[-_]+/))
      owners.set(word, [...(owners.get(word) ?? []), name]);
  for (const [word, names] of owners) {
    if (names.length !== 1 || taken.has(word) || word.length < 3) continue;
    agents.get(names[0] as string)?.push(word);
  }
}

/** Words an agent's name abbreviates, which writers spell out ("the operations agent"). */
const SPELLED_OUT: Readonly<Record<string, readonly string[]>> = {
  ops: ['operations'],
  dev: ['development'],
  eng: ['engineering'],
  fin: ['finance'],
};

/**
 * "The email agent", "the email bot" (normalised to agent), "the operations agent": an agent
 * named `<word>-agent`, `<word>-assistant` or `<word>-bot` by its word and "agent", when no
 * other agent's name starts with that word.
 */
function addRoleNames(agents: Map<string, string[]>): void {
  const byStem = new Map<string, string[]>();
  for (const name of agents.keys()) {
    const stem = /^([a-z]+)[-_](?:agent|assistant|bot)$/.exec(name.toLowerCase())?.[1];
    if (!stem) continue;
    for (const word of [stem, ...(SPELLED_OUT[stem] ?? [])])
      byStem.set(word, [...(byStem.get(word) ?? []), name]);
  }
  const said = new Set([...agents.values()].flat());
  for (const [word, names] of byStem) {
    if (names.length !== 1) continue;
    // Not "<word> assistant": "assistant" alone may be another agent's short name ("the research
    // assistant" runs two names together), and the normalising of "bot" gives "agent".
    if (!said.has(`${word} agent`)) agents.get(names[0] as string)?.push(`${word} agent`);
  }
}

/** The calendar months each state's windows touch (at most a year's worth each). */
function monthsOfStates(policy: CompiledPolicy): Map<string, number[]> {
  const months = new Map<string, number[]>();
  for (const s of policy.states) {
    if (!s.from || !s.until) continue;
    const found = new Set(months.get(s.state) ?? []);
    for (let t = s.from.getTime(); t < s.until.getTime() && found.size < 12; t += 864e5)
      found.add(new Date(t).getUTCMonth() + 1);
    months.set(s.state, [...found]);
  }
  return months;
}

/** Levenshtein distance, bounded: the suggestions only need "close or not". */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length] as number;
}

/**
 * The vocabulary's words closest to `word`, for a did-you-mean: whole names, and names one of
 * whose parts is close ("asistant" → "email assistant"). `extra` adds the grammar's own words.
 */
export function suggestionsFor(
  word: string,
  vocabulary: Vocabulary,
  extra: readonly string[] = [],
): string[] {
  const candidates = new Set<string>([
    ...vocabulary.tools.map((t) => t.name),
    ...[...vocabulary.agents.values()].flat(),
    ...vocabulary.groups,
    ...[...vocabulary.namespaces.values()].flat(),
    ...vocabulary.resourceValues.keys(),
    ...vocabulary.states,
    ...vocabulary.labels,
    ...[...vocabulary.intents.values()].flat(),
    ...extra,
  ]);
  const distance = (c: string) =>
    Math.min(
      editDistance(word, c),
      ...c
        .split(/[\s._-]+/)
        .filter((p) => p.length > 3)
        .map((p) => editDistance(word, p) + (p === word ? 9 : 0)),
    );
  const scored = [...candidates]
    .map((c) => ({ c, d: distance(c) }))
    .filter(({ c, d }) => d <= (word.length <= 4 ? 1 : 2) && c !== word)
    .sort((x, y) => x.d - y.d || y.c.length - x.c.length || x.c.localeCompare(y.c));
  return scored.slice(0, 3).map(({ c }) => c);
}
