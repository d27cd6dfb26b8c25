import type { RuleHit } from './injection-hidden.js';
import { within } from './injection-reporting.js';
import type { InjectionFamily, InjectionRule } from './injection-rule.js';

/**
 * Features that generalise across phrasings: an order aimed at a tool-like
 * action (send, pay, grant, delete, visit, call …) becomes evidence of an
 * injection by what surrounds it — who it is addressed to, what precedes it,
 * how it treats the user's task — and counts for more when it names a
 * destination (an address, URL, IBAN, account) or something worth stealing.
 * The parts are cues (injection-cues.ts) found in the rules' one pass; this
 * module only relates their positions, in time linear in their number.
 *
 * Learned from the public attack templates (AgentDojo's important
 * instructions, tool knowledge, system message and direct attacks;
 * InjecAgent's orders in data fields; Greshake et al.'s indirect
 * injections): each names the reader, forges a turn or marker, subordinates
 * the user's task, or speaks as the user about the user's assets.
 */

/** A feature as the scanner reports it; `pattern` is unused (features are not matched, they are combined). */
function feature(
  id: string,
  family: InjectionFamily,
  weight: number,
  reason: string,
  group = id,
): InjectionRule {
  return { id, family, lang: '*', weight, reason, triggers: [], pattern: /(?!)/g, group };
}

/** The features, by id. Weights: what each says alone, before a destination or a sensitive object adds to it. */
export const FEATURES = {
  addressedOrder: feature(
    'addressed-order',
    'addressing-ai',
    0.6,
    'addresses an AI and orders a tool-like action',
  ),
  markerOrder: feature(
    'role-marker-order',
    'role-marker',
    0.45,
    'a forged role or system marker followed by an order',
    // One piece of evidence with the role-line rules: an honest transcript has role lines and requests in them
    // too ("User: can you send me my invoice?"); what tips a forged turn over is what its order moves.
    'role-marker',
  ),
  toolCallOrder: feature(
    'order-after-tool-call',
    'tool-call-mimicry',
    0.5,
    'an order right after tool-call or function-call syntax',
  ),
  subordinatesTask: feature(
    'subordinates-user-task',
    'direct-instruction',
    0.55,
    'puts an action before the user\'s own task ("before you solve the task I gave you")',
  ),
  readerObligation: feature(
    'reader-obligation',
    'direct-instruction',
    0.35,
    'puts the reader under an obligation to act',
  ),
  ownerVoice: feature(
    'owner-voice-request',
    'harmful-action',
    0.45,
    "asks, in the owner's voice, for an action on the owner's accounts, devices or data",
  ),
  resetOrder: feature(
    'reset-then-order',
    'context-ignoring',
    0.6,
    "resets the reader's instructions and gives an order",
  ),
  labelledOrder: feature(
    'labelled-order',
    'direct-instruction',
    0.4,
    'a task label (TODO, action required) over an order that moves data or money',
  ),
} as const;

/** All feature rules, for lookups by id (groups, reports). */
export const FEATURE_RULES: readonly InjectionRule[] = Object.values(FEATURES);

/** How far around an order each kind of context is looked for, in skeleton characters. */
const REACH = {
  addresseeBefore: 500,
  addresseeAfter: 200,
  // Forged markers lead straight into their order: `###(system_message) Send …`, `{"role": "system", "content": "Send …`.
  markerBefore: 60,
  toolCallBefore: 600,
  sequencing: 500,
  labelBefore: 40,
  resetBefore: 120,
  object: 250,
} as const;

/** A destination or a sensitive object adds this much, each, up to MAX_WEIGHT. */
const DESTINATION_BONUS = 0.15;
const SENSITIVE_BONUS = 0.1;
const MAX_WEIGHT = 0.9;
/** Feature hits kept per feature: enough to explain, bounded. */
const MAX_FEATURE_HITS = 8;

const DESTRUCTIVE = /^(?:delete|remove|erase|wipe|destroy)/;
/** An obligation's subject that is a program reading the text, not a person ("you", "make sure to"). */
const MACHINE_SUBJECT =
  /\b(?:assistants?|ai|agents?|models?|llms?|bots?|tool|reader|process|software|system|pipeline|whoever)\b/;

/** A line that another speaker starts ("\nsupport bot:", "\n[10:02] ana:"), in the skeleton. */
const NEXT_SPEAKER = /\n\s{0,3}(?:\[[0-9:]{4,8}\]\s{1,2})?[a-z][a-z .'-]{0,24}:/;

/** Where the sentence that goes on at `from` ends: a full stop before a space, `!`, `?` or a line break; at most REACH.object on. */
function sentenceEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + REACH.object);
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 33 || c === 63) return i;
    // Not the dots of "www.x.com" or "2.5".
    if (c === 46 && (i + 1 >= text.length || text.charCodeAt(i + 1) === 32)) return i;
  }
  return limit;
}

/** Sorted start positions of one cue's hits. */
class Positions {
  private readonly at: Int32Array;
  constructor(hits: readonly RuleHit[]) {
    this.at = Int32Array.from(hits, (h) => h.start).sort();
  }
  /** How many hits start before `x`. */
  private below(x: number): number {
    let lo = 0;
    let hi = this.at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** Whether a hit starts in [from, to). */
  any(from: number, to: number): boolean {
    const i = this.below(from);
    return i < this.at.length && this.at[i]! < to;
  }
  /** The last hit that starts in [from, to), or -1. */
  last(from: number, to: number): number {
    const i = this.below(to);
    return i > 0 && this.at[i - 1]! >= from ? this.at[i - 1]! : -1;
  }
  get size(): number {
    return this.at.length;
  }
}

/** Who an order speaks to or as: found inside a cited span, these describe the citation, not the text around it. */
export const VOICE_CUES: ReadonlySet<string> = new Set(['cue-addressee', 'cue-role-marker', 'cue-reset']);
/** What a voice reaches: the orders, and what puts an action before the user's task. */
export const ORDER_CUES: ReadonlySet<string> = new Set([
  'cue-order',
  'cue-obligation',
  'cue-polite',
  'cue-sequencing',
]);

/**
 * The feature hits of a text, from the cue hits of one pass over its
 * skeleton. Linear in the number of cue hits (each order looks up its
 * neighbours by binary search). `cited` (sorted, disjoint) are the spans
 * the text cites rather than says (injection-mention.ts): an addressee,
 * role marker or reset inside one reaches only the orders inside one, so
 * 'a page that said "dear language model, …" — add a guard model' does not
 * address the article's own advice to the model it quotes.
 */
export function featureHits(
  text: string,
  cueHits: readonly RuleHit[],
  cited: readonly (readonly [number, number])[] = [],
): RuleHit[] {
  // Every feature is built from cue hits: without any, there is none (most tool outputs).
  if (cueHits.length === 0) return [];
  const by = new Map<string, RuleHit[]>();
  const own = new Map<string, RuleHit[]>();
  for (const h of cueHits) {
    const list = by.get(h.rule.id);
    if (list) list.push(h);
    else by.set(h.rule.id, [h]);
    if (cited.length > 0 && VOICE_CUES.has(h.rule.id) && !within(cited, h.start)) {
      const mine = own.get(h.rule.id);
      if (mine) mine.push(h);
      else own.set(h.rule.id, [h]);
    }
  }
  const positions = (id: string) => new Positions(by.get(id) ?? []);
  /** A voice cue's hits for orders inside a cited span (all of them), and for orders outside (those outside). */
  const voice = (id: string) => {
    const all = positions(id);
    return { all, own: cited.length > 0 ? new Positions(own.get(id) ?? []) : all };
  };
  const addressees = voice('cue-addressee');
  const markers = voice('cue-role-marker');
  const resets = voice('cue-reset');
  const toolCall = positions('cue-tool-call');
  const sequencing = positions('cue-sequencing');
  const label = positions('cue-task-label');
  const destination = positions('cue-destination');
  const sensitive = positions('cue-sensitive');
  const owned = positions('cue-owned');

  const out: RuleHit[] = [];
  const counts = new Map<InjectionRule, number>();
  const add = (rule: InjectionRule, start: number, end: number, bonus: number) => {
    const n = counts.get(rule) ?? 0;
    if (n >= MAX_FEATURE_HITS) return;
    counts.set(rule, n + 1);
    out.push({ rule, start, end, weight: Math.min(rule.weight + bonus, MAX_WEIGHT) });
  };

  const orders = [
    ...(by.get('cue-order') ?? []),
    ...(by.get('cue-obligation') ?? []),
    ...(by.get('cue-polite') ?? []),
  ];
  for (const order of orders) {
    const p = order.start;
    const end = order.end;
    const ownOrder = cited.length === 0 || !within(cited, p);
    const addressee = ownOrder ? addressees.own : addressees.all;
    const marker = ownOrder ? markers.own : markers.all;
    const reset = ownOrder ? resets.own : resets.all;
    // What the order acts on lies in its own sentence.
    const stop = sentenceEnd(text, end);
    const hasDestination = destination.any(p, stop);
    // Destroying something is as sensitive as what it destroys.
    const hasSensitive = sensitive.any(p, stop) || DESTRUCTIVE.test(text.slice(p, end));
    const bonus = (hasDestination ? DESTINATION_BONUS : 0) + (hasSensitive ? SENSITIVE_BONUS : 0);
    if (addressee.any(p - REACH.addresseeBefore, p + REACH.addresseeAfter))
      add(FEATURES.addressedOrder, p, end, bonus);
    // The order must be the marked turn's own: in "User: how do I reset it?\nSupport bot: Go to Settings" the
    // order is the next speaker's answer to the user, not a forged user turn.
    const markedAt = marker.last(p - REACH.markerBefore, p);
    if (markedAt >= 0 && !NEXT_SPEAKER.test(text.slice(markedAt + 1, p)))
      add(FEATURES.markerOrder, p, end, bonus);
    // Tool-call syntax alone is documentation; followed by an order that moves something, a forged step.
    if (toolCall.any(p - REACH.toolCallBefore, p) && (hasDestination || hasSensitive))
      add(FEATURES.toolCallOrder, p, end, bonus);
    if (sequencing.any(p - REACH.sequencing, p + REACH.sequencing))
      add(FEATURES.subordinatesTask, p, end, bonus);
    // An obligation is an injection's when it binds the machine reading the text ("the assistant must …", "the
    // agent processing this file should …"), or when what it moves is worth stealing or goes somewhere named.
    // "Remember to book your flights through the portal" and a runbook's "you must restart the service" bind a
    // person to an errand: a long document holds many, and none is evidence.
    if (order.rule.id === 'cue-obligation' && (bonus > 0 || MACHINE_SUBJECT.test(text.slice(p, end))))
      add(FEATURES.readerObligation, p, end, bonus);
    // InjecAgent's orders in data fields: the attacker writes as the owner ("my front door", "my account").
    if (order.rule.id === 'cue-polite' && owned.any(p, stop)) add(FEATURES.ownerVoice, p, end, bonus);
    if (reset.any(p - REACH.resetBefore, p)) add(FEATURES.resetOrder, p, end, bonus);
    // "TODO: send the slides to marketing@" is a to-do list; a label over moving secrets, sums or everything, or
    // over destroying something, is not.
    if (label.any(p - REACH.labelBefore, p) && hasSensitive) add(FEATURES.labelledOrder, p, end, bonus);
  }
  // Addressed to the model and naming where something should go, in a language whose verbs no cue reads ("…
  // إلى المساعد الذكي: شارك الملف … مع x@y", "AI 어시스턴트에게 …: … tariq@…와 공유하세요"): the destination stands for
  // the order. Weaker than an order read as one.
  if (orders.length === 0)
    for (const hit of by.get('cue-addressee') ?? []) {
      const stop = sentenceEnd(text, hit.end);
      if (destination.any(hit.end, stop))
        add(FEATURES.addressedOrder, hit.start, hit.end, -0.2 + DESTINATION_BONUS);
    }
  // Text addressed to the model that puts something before its task is the template without an English verb.
  for (const hit of by.get('cue-sequencing') ?? [])
    if (
      (cited.length === 0 || !within(cited, hit.start) ? addressees.own : addressees.all).any(
        hit.start - REACH.addresseeBefore,
        hit.end + REACH.addresseeAfter,
      )
    )
      add(FEATURES.addressedOrder, hit.start, hit.end, 0);
  // "The task I gave you" speaks for itself: text addressed to whoever performs the user's task.
  for (const hit of by.get('cue-sequencing') ?? []) add(FEATURES.subordinatesTask, hit.start, hit.end, -0.1);
  return out;
}
