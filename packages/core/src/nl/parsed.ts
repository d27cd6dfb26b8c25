import type { Effect, ToolCategory } from '../policy/types.js';
import type { ValueTarget } from './lexicon.js';
import { type Comparison, escapeRegex } from './meaning.js';

/**
 * What the grammar's passes share: the parse they fill in (`ParsedSentence`), the phrase kinds
 * it holds, and the helpers every pass uses to build and run its patterns.
 */

/** Consumes every match of a pattern; the callback returns false to leave a match alone. */
export type Take = (pattern: string, onMatch: (m: RegExpExecArray) => boolean | undefined) => void;

/** What one object phrase selects, before it is resolved against the catalog. */
export type ObjectPhrase =
  | { readonly kind: 'namespace'; readonly namespace: string }
  /** `place`: the namespace a verb phrase named it by ("list email"), which "it" points back to. */
  | { readonly kind: 'tool'; readonly pattern: string; readonly place?: string }
  | { readonly kind: 'category'; readonly category: ToolCategory }
  | { readonly kind: 'external' }
  | { readonly kind: 'financial-systems' }
  | { readonly kind: 'databases' }
  | { readonly kind: 'any' };

/** A condition as the sentence says it; argument names are resolved against the tools later. */
export type ParsedCondition =
  | { readonly kind: 'amount'; readonly op: Comparison; readonly value: number; readonly currency?: string }
  | {
      readonly kind: 'recipients';
      readonly scope: 'outside' | 'inside' | 'any';
      readonly domain?: string;
      readonly also?: readonly string[];
    }
  | { readonly kind: 'resource'; readonly key: string; readonly value: string; readonly not?: boolean }
  /** `period`: said as a time ("during the freeze"), not as the state of what is called. */
  | { readonly kind: 'state'; readonly value: string; readonly period?: boolean }
  | { readonly kind: 'hours'; readonly from: number; readonly to: number; readonly inside: boolean }
  | { readonly kind: 'days'; readonly days: readonly number[] }
  | { readonly kind: 'dates'; readonly from: string; readonly until: string; readonly inside: boolean }
  | { readonly kind: 'session-label'; readonly label: string }
  | { readonly kind: 'provenance'; readonly target: ValueTarget; readonly label: string }
  | { readonly kind: 'calls'; readonly op: Comparison; readonly value: number }
  /** "more than 3 recipients": how many addresses a message goes to. */
  | { readonly kind: 'recipient-count'; readonly op: Comparison; readonly value: number }
  | { readonly kind: 'intent'; readonly intent: string; readonly inside: boolean }
  | { readonly kind: 'payee'; readonly values: readonly string[]; readonly not?: boolean }
  | { readonly kind: 'yearly'; readonly from: number; readonly to: number; readonly inside: boolean };

/** The pieces a sentence was cut into. */
export interface ParsedSentence {
  effects: Effect[];
  approvers?: number;
  groups: string[];
  /** People named as approvers ("Carol", "both Carol and Dave"), by address. */
  people: string[];
  /** Whether the people named must all approve ("Carol and Dave") or any one may ("Carol or Dave"). */
  peopleJoin?: 'all' | 'any' | 'mixed';
  /** The group of just the named people, once a compile declared it: a second compile of the
   * same clause finds it among the groups and is not taken for a group the sentence named. */
  peopleGroup?: string;
  /** "only …" before the action: the rule applies when the stated conditions do not hold. */
  only: boolean;
  /** "… without approval": a prohibition that a person may lift. */
  withoutApproval: boolean;
  /** "otherwise ask a person". */
  otherwiseAsk: boolean;
  agents: string[];
  exceptAgents: string[];
  agentLabel?: string;
  verbs: (ToolCategory | 'any')[];
  /** "is read-only": of data, no writes or deletes of it; of agents, nothing but reads. */
  readOnly?: boolean;
  objects: ObjectPhrase[];
  conditions: ParsedCondition[];
  /** "accounts the user gave" → origins required of recipients, accounts or links. */
  /**
   * Origins a value must have. `named` marks one said as the value the clause is about ("payments
   * to accounts the user gave need approval"), not as the only one allowed or as an exception.
   */
  origins: { target: ValueTarget | 'mentions'; origins: string[]; named?: boolean }[];
  notes: string[];
  /** Phrases the grammar recognises but a rule cannot state: the sentence is refused with them. */
  unsupported: string[];
  /** The words nothing consumed, in order: refused unless they are fillers. */
  rest: string[];
  /** The subject is every agent, said outright ("no agent", "all agents", "nobody"). */
  anyAgent?: boolean;
  /** The clause points back at the one before it ("it", "there", "them"). */
  pronoun?: boolean;
  /** The pointer is a place the action happens ("from it", "there"), not its subject or object. */
  pronounPlace?: boolean;
  /** "Anything else", "all other payees": what the clause before did not permit. */
  otherwise?: boolean;
  /** "Anything larger", "anything above that": the amounts above what the clause before bounds. */
  otherwiseLarger?: boolean;
  /** "… except to partner.org": domains whose recipients the rule lets through ("company": the policy's). */
  exceptDomains?: string[];
  /**
   * A clause that ends on its verb and leaves the effect to the clause before: "…, production
   * deletes are not" says the opposite of it, "…, but sending it does" the same, affirmed.
   */
  ellipsis?: 'negated' | 'same';
  /** The permission was said as "does not need approval": its affirmative asks for approval. */
  noApproval?: boolean;
  /** "to gmail.com or yahoo.com": a recipient in any one of these domains; one rule each. */
  domainsAnyOf?: string[];
  /** "Only the ops agent may …": the "only" is said of the agents. */
  onlyAgents?: boolean;
  /** "During inbox-triage , … may only …": the intent opens the sentence and scopes its "only". */
  intentScope?: boolean;
  /** "On weekends , … may only …": the kinds of the conditions that open the clause and scope its "only". */
  frontedScope?: readonly string[];
  /** "the tools of that intent": the tools the intent the clause names lets a session call. */
  intentTools?: boolean;
  /** "the triage tools": the intents whose name the words said; the clause must name one of them. */
  intentToolsOf?: string[];
  /** "Only X may …": the "only" opens the sentence, before its modal. */
  onlyLeading?: boolean;
  /** "In production, only reads are allowed": the "only" is said of the kind of call, after its condition. */
  onlyKinds?: boolean;
  /** "… unless it is under $100": the sentence's one condition is negated. */
  unlessCondition?: boolean;
  /** A permission said as a statement ("is fine", "can go through"), not a modal "may". */
  permits?: boolean;
  /** Tool namespaces the sentence exempts ("except the email and contacts tools"). */
  exceptNamespaces: string[];
  /** Tools the sentence exempts ("except email.list", "except pulling the finance report"). */
  exceptTools: string[];
  /** Conditions of which any one makes the rule apply ("outside 09:00–17:00, Mon–Fri"): one rule each. */
  anyOf?: ParsedCondition[];
}

/** An alternation of phrases, longest first so "external emails" wins over "emails". */
export const alt = (phrases: Iterable<string>) =>
  [...new Set(phrases)]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegex)
    .join('|') || '(?!)';

/** Compiled patterns by source: a vocabulary's alternations are built once, not per sentence. */
const REGEX_CACHE = new Map<string, RegExp>();
const MAX_CACHED_PATTERNS = 2000;
export function cachedRegex(source: string): RegExp {
  let re = REGEX_CACHE.get(source);
  if (!re) {
    if (REGEX_CACHE.size >= MAX_CACHED_PATTERNS) REGEX_CACHE.clear();
    re = new RegExp(source, 'g');
    REGEX_CACHE.set(source, re);
  }
  re.lastIndex = 0;
  return re;
}
