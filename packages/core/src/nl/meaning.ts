import type { Effect, ToolCategory } from '../policy/types.js';

/**
 * What a sentence means, before it becomes YAML: the compiler's intermediate value. Rules are
 * emitted from it, and the verifier predicts decisions from it independently of the emitted
 * CEL, so a condition written wrong shows up as a failed generated test.
 */
export interface SentenceMeaning {
  readonly sentence: string;
  readonly effect: Effect;
  /** For `approve`: how many people, from which groups. */
  readonly approval?: {
    readonly approvers: number;
    readonly groups: readonly string[];
    /** Groups the fragment declares for the people the sentence names ("Carol or Dave"). */
    readonly declares?: Readonly<Record<string, readonly string[]>>;
  };
  /** Named agents, or every agent when empty. */
  readonly agents: readonly string[];
  /** Agents the sentence exempts ("except the ops agent"). */
  readonly exceptAgents: readonly string[];
  /** An agent label or classification the subject must carry ("agents labelled autonomous"). */
  readonly agentLabel?: string;
  /** Tool globs of the rule's `match.tools`; empty: any tool. */
  readonly toolPatterns: readonly string[];
  /** The categories of the rule's `match.categories`; empty: any category. */
  readonly categories: readonly ToolCategory[];
  /** The catalog tools the rule can apply to: the probes the verifier generates cover each. */
  readonly tools: readonly string[];
  /** Every condition must hold for the rule to apply. */
  readonly conditions: readonly Condition[];
  /** Positive provenance: the rule applies when it is not met. */
  readonly require?: {
    readonly origin?: Readonly<Record<string, readonly string[]>>;
    readonly mentions?: Readonly<Record<string, readonly string[]>>;
  };
  /** A count per period: the rule applies once the agent made `max` of these calls within `per`. */
  readonly quota?: { readonly max: number; readonly per: string };
  /** What the compiler chose that the sentence did not say outright, for the report. */
  readonly notes: readonly string[];
}

/** A comparison operator on amounts and counts. */
export type Comparison = '>' | '>=' | '<' | '<=';

/** One condition of a sentence. */
export type Condition =
  | { readonly kind: 'amount'; readonly arg: string; readonly op: Comparison; readonly value: number }
  | {
      readonly kind: 'recipients';
      readonly arg: string;
      /** Whether the argument is a list of addresses (`to: [..]`) or one address. */
      readonly list: boolean;
      /** `outside`: at least one recipient is not in the domain; `inside`: all are; `any`: one is. */
      readonly scope: 'outside' | 'inside' | 'any';
      readonly domain: string;
      /** More domains that count as inside with `domain` ("outside example.com, except to partner.org"). */
      readonly also?: readonly string[];
    }
  /** A resource fact; `not`: the tool does not state that value (it states another, or none). */
  | { readonly kind: 'resource'; readonly key: string; readonly value: string; readonly not?: boolean }
  | { readonly kind: 'state'; readonly value: string }
  | { readonly kind: 'hours'; readonly from: number; readonly to: number; readonly inside: boolean }
  | { readonly kind: 'days'; readonly days: readonly number[] }
  /** A span of calendar time, `from` inclusive and `until` exclusive (RFC 3339, UTC). */
  | { readonly kind: 'dates'; readonly from: string; readonly until: string; readonly inside: boolean }
  | { readonly kind: 'session-label'; readonly label: string }
  | { readonly kind: 'provenance'; readonly arg: string; readonly label: string }
  | { readonly kind: 'calls'; readonly op: Comparison; readonly value: number }
  /** How many addresses the list argument `arg` holds. */
  | {
      readonly kind: 'recipient-count';
      readonly arg: string;
      readonly op: Comparison;
      readonly value: number;
    }
  | { readonly kind: 'intent'; readonly intent: string; readonly inside: boolean }
  /**
   * The account a payment goes to is one of `values` (lower case; compared without case, so a
   * block on "ACME" also stops "acme"); `not`: it is none of them.
   */
  | {
      readonly kind: 'payee';
      readonly arg: string;
      readonly values: readonly string[];
      readonly not?: boolean;
    }
  /**
   * Days of every year, as month × 100 + day ("Dec 20 through Jan 4": 1220 to 104, both
   * included); a span whose start comes after its end runs over the new year.
   */
  | { readonly kind: 'yearly'; readonly from: number; readonly to: number; readonly inside: boolean };

/** A date as month × 100 + day of month (UTC), the key a yearly span compares. */
/** An intent condition's name for "any intent": inside, one was declared; outside, none was. */
export const ANY_INTENT = '*';

export const monthDayOf = (d: Date) => (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
const MONTH_DAY_CEL = '(now.getMonth("UTC") + 1) * 100 + now.getDate("UTC")';

const quote = (s: string) => JSON.stringify(s);
/** `s` as a literal inside a regular expression. */
export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The regex a whole address in `domain` matches: one address, no list smuggled in a string, and no
 * local part that relays elsewhere (`x%evil.test@example.com`, `evil.test!x@example.com` leave the domain).
 */
export const addressPattern = (domain: string, also: readonly string[] = []) =>
  also.length === 0
    ? `^[^@,;<>\\s%!]+@${escapeRegex(domain)}$`
    : `^[^@,;<>\\s%!]+@(?:${[domain, ...also].map(domainPattern).join('|')})$`;

/** `*.example.com` (said "example.com and its subdomains") is any name under it, without brackets. */
const domainPattern = (d: string) =>
  d.startsWith('*.') ? `[a-z0-9-][a-z0-9.-]*\\.${escapeRegex(d.slice(2))}` : escapeRegex(d);

/** The CEL of one condition. */
export function conditionCel(c: Condition): string {
  switch (c.kind) {
    case 'amount':
      return `args.${c.arg} ${c.op} ${c.value}`;
    case 'recipients': {
      // Domains are case-insensitive (RFC 4343): Bob@EXAMPLE.com is inside example.com.
      const pattern = quote(addressPattern(c.domain, c.also));
      if (c.scope === 'any')
        return c.list
          ? `args.${c.arg}.exists(r, r.lowerAscii().matches(${pattern}))`
          : `args.${c.arg}.lowerAscii().matches(${pattern})`;
      const inDomain = c.list
        ? `args.${c.arg}.all(r, r.lowerAscii().matches(${pattern}))`
        : `args.${c.arg}.lowerAscii().matches(${pattern})`;
      return c.scope === 'inside' ? inDomain : `!${inDomain}`;
    }
    case 'resource':
      // A tool that declares no such fact is not one the sentence names ("anything touching
      // production" is not the payments tool, which says no env): the rule passes it by.
      return c.not
        ? `!(has(resource.${c.key}) && resource.${c.key} == ${quote(c.value)})`
        : `has(resource.${c.key}) && resource.${c.key} == ${quote(c.value)}`;
    case 'state':
      return `has(resource.state) && resource.state == ${quote(c.value)}`;
    case 'hours': {
      const window =
        c.from < c.to
          ? `now.getHours("UTC") >= ${c.from} && now.getHours("UTC") < ${c.to}`
          : `(now.getHours("UTC") >= ${c.from} || now.getHours("UTC") < ${c.to})`;
      return c.inside ? window : `!(${window})`;
    }
    case 'days':
      return c.days.length === 1
        ? `now.getDayOfWeek("UTC") == ${c.days[0]}`
        : `now.getDayOfWeek("UTC") in [${c.days.join(', ')}]`;
    case 'dates': {
      const span = `now >= timestamp(${quote(c.from)}) && now < timestamp(${quote(c.until)})`;
      return c.inside ? span : `!(${span})`;
    }
    case 'session-label':
      return `${quote(c.label)} in session.labels`;
    case 'provenance':
      // A forbidden source does not taint a value the user also gave (the reading of "must come
      // from the user", which a value with both origins meets): a user's own values stay theirs.
      return `${quote(c.label)} in provenance[${quote(c.arg)}] && !("user_input" in origin[${quote(c.arg)}])`;
    case 'calls':
      return `session.calls ${c.op} ${c.value}`;
    case 'recipient-count':
      return `size(args.${c.arg}) ${c.op} ${c.value}`;
    case 'intent':
      // ANY_INTENT: whether the session declared an intent at all (the request reads none as "").
      if (c.intent === ANY_INTENT) return c.inside ? 'session.intent != ""' : 'session.intent == ""';
      return c.inside
        ? `has(session.intent) && session.intent == ${quote(c.intent)}`
        : `!(has(session.intent) && session.intent == ${quote(c.intent)})`;
    case 'payee': {
      const among = `args.${c.arg}.lowerAscii() in [${c.values.map(quote).join(', ')}]`;
      return c.not ? `!(${among})` : among;
    }
    case 'yearly': {
      const span =
        c.from <= c.to
          ? `${MONTH_DAY_CEL} >= ${c.from} && ${MONTH_DAY_CEL} <= ${c.to}`
          : `(${MONTH_DAY_CEL} >= ${c.from} || ${MONTH_DAY_CEL} <= ${c.to})`;
      return c.inside ? span : `!(${span})`;
    }
  }
}

const compare = (a: number, op: Comparison, b: number) =>
  op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b;

/** The facts of a probe request the oracle reads. */
export interface ProbeFacts {
  readonly args: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
  readonly now: Date;
  readonly sessionLabels: readonly string[];
  readonly intent?: string;
  readonly calls: number;
  readonly provenance: Readonly<Record<string, readonly string[]>>;
  /** Origins by leaf path (`to[0]`), as the request gives them. */
  readonly origin?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Whether a condition holds on a probe, computed from the meaning and not from the CEL:
 * `undefined` when the fact is missing (the CEL would error, and an error makes a deny or
 * approve rule apply).
 */
export function conditionHolds(c: Condition, facts: ProbeFacts): boolean | undefined {
  switch (c.kind) {
    case 'amount': {
      const v = facts.args[c.arg];
      return typeof v === 'number' ? compare(v, c.op, c.value) : undefined;
    }
    case 'recipients': {
      const v = facts.args[c.arg];
      const re = new RegExp(addressPattern(c.domain, c.also));
      const list = c.list ? v : [v];
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) return undefined;
      const lower = (list as string[]).map((x) => x.toLowerCase());
      if (c.scope === 'any') return lower.some((x) => re.test(x));
      const inside = lower.every((x) => re.test(x));
      return c.scope === 'inside' ? inside : !inside;
    }
    case 'resource':
      return (facts.resource[c.key] === c.value) !== (c.not === true);
    case 'state':
      return facts.resource.state === c.value;
    case 'hours': {
      const h = facts.now.getUTCHours();
      const inWindow = c.from < c.to ? h >= c.from && h < c.to : h >= c.from || h < c.to;
      return c.inside ? inWindow : !inWindow;
    }
    case 'days':
      return c.days.includes(facts.now.getUTCDay());
    case 'dates': {
      const t = facts.now.getTime();
      const inSpan = t >= Date.parse(c.from) && t < Date.parse(c.until);
      return c.inside ? inSpan : !inSpan;
    }
    case 'session-label':
      return facts.sessionLabels.includes(c.label);
    case 'provenance':
      return labelledUnder(facts.provenance, c.arg, c.label) && !userGave(facts, c.arg);
    case 'calls':
      return compare(facts.calls, c.op, c.value);
    case 'recipient-count': {
      const v = facts.args[c.arg];
      return Array.isArray(v) ? compare(v.length, c.op, c.value) : undefined;
    }
    case 'intent':
      if (c.intent === ANY_INTENT) return (facts.intent !== undefined && facts.intent !== '') === c.inside;
      return c.inside ? facts.intent === c.intent : facts.intent !== c.intent;
    case 'payee': {
      const v = facts.args[c.arg];
      if (typeof v !== 'string') return undefined;
      return c.values.includes(v.toLowerCase()) !== (c.not === true);
    }
    case 'yearly': {
      const key = monthDayOf(facts.now);
      const inSpan = c.from <= c.to ? key >= c.from && key <= c.to : key >= c.from || key <= c.to;
      return c.inside ? inSpan : !inSpan;
    }
  }
}

/** Paths at or under an argument: `to`, `to[0]`, `to.x`. */
const under = (path: string, arg: string) =>
  path === arg || path.startsWith(`${arg}[`) || path.startsWith(`${arg}.`);

/** Labels flow up as the PDP's provenance does: a list is labelled when one of its items is. */
const labelledUnder = (given: Readonly<Record<string, readonly string[]>>, arg: string, label: string) =>
  Object.entries(given).some(([k, v]) => under(k, arg) && v.includes(label));

/** Whether every value of the argument came from the user, as the PDP's `origin` intersects a list's items. */
function userGave(facts: ProbeFacts, arg: string): boolean {
  const value = facts.args[arg];
  const origin = facts.origin ?? {};
  if (!Array.isArray(value)) return (origin[arg] ?? []).includes('user_input');
  if (value.length === 0) return false;
  return value.every((_, i) => (origin[`${arg}[${i}]`] ?? []).includes('user_input'));
}
