import type { CompiledRule } from '../policy/types.js';
import { addressPattern, escapeRegex } from './meaning.js';

const CATEGORY_WORDS: Readonly<Record<string, string>> = {
  read: 'read',
  write: 'write',
  delete: 'delete',
  external_communication: 'communicate externally',
  financial: 'move money',
  config_change: 'change configuration',
  code_execution: 'execute code',
  agent_delegation: 'delegate to other agents',
};

const list = (items: readonly string[], joiner = 'or') =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${joiner} ${items.at(-1)}`;

// The CEL the compiler writes for "every address is in DOMAIN" (meaning.ts), read back from its own pattern so
// the two cannot drift: a rule drafted under another pattern is quoted as CEL, not described as this one.
const [PATTERN_HEAD, PATTERN_TAIL] = JSON.stringify(addressPattern('DOMAIN')).split('DOMAIN') as [
  string,
  string,
];
const ALL_ADDRESSES_IN = `args\\.(\\w+)\\.all\\(r, r(?:\\.lowerAscii\\(\\))?\\.matches\\(${escapeRegex(PATTERN_HEAD)}(.+)${escapeRegex(PATTERN_TAIL)}\\)\\)`;

/** The domain(s) of an address pattern: one, or a list written `(?:a|b)`. */
const domainsOf = (pattern: string) =>
  list(
    pattern
      .replace(/^\(\?:(.*)\)$/, '$1')
      .replace(/\\\\\./g, '.')
      .split('|')
      // A name under a domain ("and its subdomains"), as the sentence said it.
      .map((d) => d.replace(/^\[a-z0-9-\]\[a-z0-9.-\]\*\./, '*.')),
    'or',
  );

/** Known condition shapes, rendered as English; anything else is quoted as CEL. */
const CONDITION_PHRASES: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [
    /^args\.(\w+) (>=|<=|>|<) (-?[\d.]+)$/,
    (m) =>
      `${m[1]} is ${({ '>': 'over', '>=': 'at least', '<': 'under', '<=': 'at most' } as Record<string, string>)[m[2] as string]} ${Number(m[3]).toLocaleString('en-US')}`,
  ],
  [new RegExp(`^!${ALL_ADDRESSES_IN}$`), (m) => `a ${m[1]} address is outside ${domainsOf(m[2] as string)}`],
  [new RegExp(`^${ALL_ADDRESSES_IN}$`), (m) => `every ${m[1]} address is in ${domainsOf(m[2] as string)}`],
  [/^resource\.state == "([^"]+)"$/, (m) => `the system is ${m[1]}`],
  [/^resource\.(\w+) == "([^"]+)"$/, (m) => `its ${m[1]} is ${m[2]}`],
  [/^!\(resource\.(\w+) == "([^"]+)"\)$/, (m) => `its ${m[1]} is not ${m[2]}`],
  [/^"([a-z_]+)" in provenance\["([^"]+)"\]$/, (m) => `${m[2]} came from ${m[1]} content`],
  [/^"([a-z_]+)" in session\.labels$/, (m) => `the session has seen ${m[1]} content`],
  [
    /^!\(agent\.name in \[(.+)\]\)$/,
    (m) => `the agent is not ${list((m[1] as string).split(/,\s*/).map((s) => JSON.parse(s) as string))}`,
  ],
  [/^now\.getDayOfWeek\("UTC"\) in \[0, 6\]$/, () => 'it is the weekend (UTC)'],
  [
    /^!\(now\.getHours\("UTC"\) >= 9 && now\.getHours\("UTC"\) < 17\)$/,
    () => 'it is outside business hours (09:00–17:00 UTC)',
  ],
];

function describeCondition(cel: string): string {
  // "has(resource.env) && resource.env == …" is one fact: the guard only says the tool has it.
  const parts = topLevelConjuncts(cel.replace(/has\(resource\.(\w+)\) && (?=resource\.\1 ==)/g, ''));
  return parts
    .map((part) => {
      const p = unwrapped(part.trim());
      for (const [re, render] of CONDITION_PHRASES) {
        const m = re.exec(p);
        if (m) return render(m);
      }
      return `\`${part.trim()}\` holds`;
    })
    .join(' and ');
}

/**
 * `cel` split at its top-level `&&` only: one inside brackets (a macro's body, a negated group)
 * or a string literal belongs to the part around it.
 */
function topLevelConjuncts(cel: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < cel.length; i++) {
    const c = cel[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && cel.startsWith(' && ', i)) {
      parts.push(cel.slice(start, i));
      start = i + 4;
      i += 3;
    }
  }
  parts.push(cel.slice(start));
  return parts;
}

/** `(x)` as `x` when the brackets enclose the whole part (not `(a) || (b)`). */
function unwrapped(part: string): string {
  if (!part.startsWith('(') || !part.endsWith(')')) return part;
  let depth = 0;
  for (let i = 0; i < part.length; i++) {
    if (part[i] === '(') depth++;
    else if (part[i] === ')' && --depth === 0 && i < part.length - 1) return part;
  }
  return part.slice(1, -1);
}

const UNIT_WORDS: Readonly<Record<string, string>> = { s: 'second', m: 'minute', h: 'hour', d: 'day' };

/** `3 times per day`, `1 time per 2 hours`: a quota in words. */
function timesPer(quota: NonNullable<CompiledRule['quota']>): string {
  const amount = Number(quota.per.slice(0, -1));
  const unit = UNIT_WORDS[quota.per.slice(-1)] ?? quota.per.slice(-1);
  const period = amount === 1 ? unit : `${amount} ${unit}s`;
  return `${quota.max.toLocaleString('en-US')} time${quota.max === 1 ? '' : 's'} per ${period}`;
}

/**
 * A rule rendered back as one English sentence, from its structure rather than its
 * description, so a reviewer reads what the YAML does and can compare it with what the
 * description claims.
 *
 * @example
 * ```ts
 * describeRule(rule); // "Every agent must get 2 approvals from finance to move money when amount is over 1,000."
 * ```
 */
export function describeRule(rule: CompiledRule): string {
  const m = rule.match;
  const subject = m.agents?.length
    ? `The agent${m.agents.length > 1 ? 's' : ''} ${list(m.agents)}`
    : 'Every agent';
  const verbs = m.categories?.length ? list(m.categories.map((c) => CATEGORY_WORDS[c] ?? c)) : 'call';
  const tools = m.tools?.length
    ? `${m.categories?.length ? ' through' : ''} ${list(m.tools)}`
    : m.categories?.length
      ? ''
      : ' any tool';
  const labels = m.labels?.length ? ` on data labelled ${list(m.labels)}` : '';
  // A quota of 0 applies from the first call: it reads as the plain rule.
  const quota = rule.quota && rule.quota.max > 0 ? rule.quota : undefined;
  const times = quota ? ` ${rule.effect === 'deny' ? 'at most' : 'more than'} ${timesPer(quota)}` : '';
  const action = `${verbs}${tools}${labels}${rule.effect === 'deny' ? '' : times}`;
  const approval = rule.approval;
  const effect =
    rule.effect === 'deny'
      ? quota
        ? `may ${action}${times}`
        : `may not ${action}`
      : rule.effect === 'allow'
        ? `may ${action}`
        : `must get ${approval?.approvers ?? 1} approval${(approval?.approvers ?? 1) > 1 ? 's' : ''}${approval?.groups.length ? ` from ${list(approval.groups)}` : ''} to ${action}`;
  const conditions: string[] = [];
  if (rule.when) conditions.push(`when ${describeCondition(rule.when)}`);
  for (const [arg, origins] of Object.entries(rule.require?.origin ?? {}))
    conditions.push(
      `unless ${arg} came from ${list(origins.map((o) => (o === 'user_input' ? 'the user' : o === 'trusted' ? 'a trusted tool' : o)))}`,
    );
  for (const [arg, origins] of Object.entries(rule.require?.mentions ?? {}))
    conditions.push(
      `unless everything ${arg} mentions came from ${list(origins.map((o) => (o === 'user_input' ? 'the user' : o === 'trusted' ? 'a trusted tool' : o)))}`,
    );
  const sentence =
    m.agents?.length || rule.effect !== 'deny' || quota ? `${subject} ${effect}` : `No agent may ${action}`;
  return `${sentence}${conditions.length ? ` ${conditions.join(', ')}` : ''}.`;
}
