import type { ToolCategory, ToolDefinition } from '../policy/types.js';
import { argsOfTarget } from './lexicon.js';
import type { ObjectPhrase, ParsedSentence } from './parsed.js';
import { type Refusal, refuse } from './refusal.js';
import { suggestionsFor, type Vocabulary } from './vocabulary.js';

/** What a clause's objects select: categories, tool sets with their match patterns, and notes. */
export interface ResolvedObjects {
  readonly nounCategories: ToolCategory[];
  readonly toolSets: { tools: ToolDefinition[]; patterns: string[] }[];
  /** "External email": the category plus recipients outside the company. */
  readonly external: boolean;
  readonly notes: string[];
}

/**
 * Resolves a clause's object phrases against the catalog: a namespace to its tools, a glob to
 * the tools it matches, "databases" and "financial systems" to the tools whose names or
 * categories say so. A phrase that selects no tool is refused with a did-you-mean.
 */
export function resolveObjects(
  objects: readonly ObjectPhrase[],
  vocabulary: Vocabulary,
): ResolvedObjects | { ok: false; refusal: Refusal } {
  const nounCategories: ToolCategory[] = [];
  const toolSets: { tools: ToolDefinition[]; patterns: string[] }[] = [];
  let external = false;
  let databases: { tools: ToolDefinition[]; patterns: string[] } | undefined;
  const notes: string[] = [];
  const nsTools = (ns: string) => vocabulary.tools.filter((t) => t.name.startsWith(`${ns}.`));
  for (const o of objects) {
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
        databases = {
          tools,
          patterns: namespaces
            .map((ns) => (nsTools(ns).every((t) => tools.includes(t)) ? `${ns}.*` : ''))
            .filter((p) => p !== '')
            .concat(
              tools
                .filter((t) => !nsTools(t.name.split('.')[0] as string).every((u) => tools.includes(u)))
                .map((t) => t.name),
            ),
        };
        toolSets.push(databases);
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
  // "orders from the database": a named set inside "the databases" is the one meant.
  if (databases && toolSets.length > 1) {
    const named = toolSets.filter((set) => set !== databases);
    if (named.every((set) => set.tools.every((t) => databases?.tools.includes(t))))
      return { nounCategories, toolSets: named, external, notes };
  }
  return { nounCategories, toolSets, external, notes };
}

/**
 * Every object the sentence names must keep a tool in the rule: one that the verb, another
 * object or a condition's argument filters out entirely was read as the wrong thing ("send
 * email with confidential data" is not a rule on the financial reports, which a send never
 * reaches). The refusal, or undefined when each object keeps a tool.
 */
export function droppedObject(
  toolSets: readonly { patterns: readonly string[]; tools: readonly ToolDefinition[] }[],
  nounCategories: readonly ToolCategory[],
  kept: readonly ToolDefinition[],
  verbs?: { readonly categories: readonly ToolCategory[]; readonly catalog: readonly ToolDefinition[] },
): { readonly ok: false; readonly refusal: Refusal } | undefined {
  const names = kept.map((t) => t.name).join(', ');
  // "Sending email, moving money and deleting orders": the verbs and the objects are crossed, so
  // a verb none of the named things takes (moving email) would silently drop out of the rule. A
  // verb no tool of the catalog takes has nothing to drop.
  for (const c of verbs?.categories ?? [])
    if (verbs?.catalog.some((t) => t.categories.includes(c)) && !kept.some((t) => t.categories.includes(c)))
      return refuse(
        'GH_NL_UNSUPPORTED',
        `"${c}" is said of none of the tools the rule covers (${names}): write one sentence for each action`,
        [c],
      );
  for (const set of toolSets)
    if (!set.tools.some((t) => kept.includes(t)))
      return refuse(
        'GH_NL_UNSUPPORTED',
        `"${set.patterns.join(', ')}" is named but none of its tools is among those the rule covers (${names})`,
        [...set.patterns],
      );
  for (const c of nounCategories)
    if (!kept.some((t) => t.categories.includes(c)))
      return refuse(
        'GH_NL_UNSUPPORTED',
        `"${c}" is named but none of its tools is among those the rule covers (${names})`,
        [c],
      );
  return undefined;
}

/**
 * The calls a clause means when it names only values: "External recipients need approval" is
 * about what a message is sent to, "Payees taken from emails" about what is paid, and "SQL the
 * model wrote" about the tools that take SQL.
 */
export function callsOfValues(
  parsed: ParsedSentence,
  vocabulary: Vocabulary,
  nounCategories: ToolCategory[],
  toolSets: { tools: ToolDefinition[]; patterns: string[] }[],
  notes: string[],
): void {
  const targets = [
    ...parsed.conditions.flatMap((c) =>
      c.kind === 'recipients'
        ? ['recipient']
        : c.kind === 'provenance'
          ? [c.target]
          : c.kind === 'payee'
            ? ['account']
            : [],
    ),
    ...parsed.origins.map((o) => o.target),
  ];
  if (targets.includes('account')) {
    nounCategories.push('financial');
    notes.push('accounts and payees are those of tools that move money');
  } else if (targets.includes('recipient')) {
    nounCategories.push('external_communication');
    notes.push('recipients are those of tools that communicate externally');
  } else {
    const named = targets.find((t) => t === 'sql' || t === 'subject' || t === 'body');
    if (named === undefined) return;
    const names = argsOfTarget(named);
    const taking = vocabulary.tools.filter((t) =>
      names.some((n) => n in ((t.schema?.properties ?? {}) as object)),
    );
    if (taking.length === 0) return;
    toolSets.push({ tools: taking, patterns: taking.map((t) => t.name) });
    notes.push(`the ${named} is an argument of ${taking.map((t) => t.name).join(', ')}`);
  }
}
