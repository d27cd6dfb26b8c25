import { CUES } from './injection-cues.js';
import { HIDDEN_PATTERNS, type RuleHit } from './injection-hidden.js';
import { execMatches, type Matches, META_PATTERNS, type MetaWords } from './injection-reporting.js';
import type { InjectionRule } from './injection-rule.js';
import { ENGLISH_RULES } from './injection-rules-en.js';
import { INTERNATIONAL_RULES } from './injection-rules-intl.js';
import { type LiteralHits, LiteralScanner, startsOf } from './literal-scan.js';
import { gallop, mergeAscending, unitPositions, windowAt } from './positions.js';
import { planOf } from './regex-plan.js';

/*
 * The injection rules' engine: each rule compiled to the literals that must
 * occur for it to match, one literal scan of a text for all of them, and the
 * rules run only where their anchors occur; plus the passes over rewrites of
 * a text (rot13, reversed) near the signs of one. injection.ts turns the hits
 * into findings and a score.
 */

/** Every injection rule, in the order findings are reported. */
// INVARIANT: local cues come last; runRules finds the context cues before it looks for them.
export const INJECTION_RULES: readonly InjectionRule[] = [
  ...ENGLISH_RULES,
  ...INTERNATIONAL_RULES,
  ...CUES.filter((c) => !c.local),
  ...CUES.filter((c) => c.local),
];

/** Matches kept per rule and per pass: enough to explain, bounded to keep the cost linear. */
export const MAX_HITS_PER_RULE = 8;

/** A rule as the scanner runs it: literal ids for its triggers, anchors and factors. */
interface CompiledRule {
  /** The pattern, sticky: tried at one position at a time. */
  readonly sticky: RegExp;
  readonly triggers: readonly number[];
  /**
   * Anchors by literal id; undefined when the pattern may start anywhere (it then runs over the whole text).
   * `checkBoundary`: a `\b` before an anchor that starts with a word character, checked before the pattern runs.
   */
  readonly anchors:
    | readonly { readonly id: number; readonly boundary: boolean; readonly checkBoundary: boolean }[]
    | undefined;
  readonly factors: readonly number[];
  readonly maxLength: number;
  /** The anchors' ids, as a key: rules with the same anchors have the same candidates. */
  readonly anchorKey: string;
}

const LITERAL_IDS = new Map<string, number>();
const literalId = (text: string): number => {
  let id = LITERAL_IDS.get(text);
  if (id === undefined) {
    id = LITERAL_IDS.size;
    LITERAL_IDS.set(text, id);
  }
  return id;
};
/** Distinct factors (literal sets), by key; their ids index FACTOR_LITERALS. */
const FACTOR_IDS = new Map<string, number>();
const FACTOR_LITERALS: (readonly number[])[] = [];
const FACTOR_SHORTEST: number[] = [];

function compile(rule: InjectionRule): CompiledRule {
  const flags = rule.pattern.flags.replace('g', '');
  const triggers = rule.triggers.map(literalId);
  const sticky = new RegExp(rule.pattern.source, `${flags}y`);
  // The analysis reads patterns without flags; one with flags runs over the whole text.
  const plan = flags === '' ? planOf(rule.pattern.source) : undefined;
  if (!plan)
    return {
      sticky,
      triggers,
      anchors: undefined,
      factors: [],
      maxLength: Number.POSITIVE_INFINITY,
      anchorKey: '',
    };
  const factors = plan.factors.map((set) => {
    const key = set.join('\u0000');
    let id = FACTOR_IDS.get(key);
    if (id === undefined) {
      id = FACTOR_LITERALS.length;
      FACTOR_IDS.set(key, id);
      FACTOR_LITERALS.push(set.map(literalId));
      FACTOR_SHORTEST.push(Math.min(...set.map((t) => t.length)));
    }
    return id;
  });
  const anchors = plan.anchors?.map((a) => ({
    id: literalId(a.text),
    boundary: a.boundary,
    checkBoundary: a.boundary && isWordUnit(a.text.charCodeAt(0)),
  }));
  return {
    sticky,
    triggers,
    anchors,
    factors,
    maxLength: plan.maxLength,
    anchorKey: anchors?.map((a) => `${a.id}${a.boundary ? 'b' : ''}`).join(',') ?? '',
  };
}

/*
 * The compiled rules and the literal scanner are built on the first scan, not at import: a process that
 * never scans text (the CLI checking a policy) does not pay for them. INVARIANT: every entry point calls
 * ensureEngine() before it reads COMPILED, SIGN_IDS, ANCHOR_TEXT or LITERALS.
 */
let engineReady = false;
let COMPILED!: ReadonlyMap<InjectionRule, CompiledRule>;
export let SIGN_IDS!: Readonly<Record<keyof typeof SIGN_LITERALS, readonly number[]>>;
/** The texts of the literals, by id (LITERALS holds a placeholder for those it does not look for). */
let ANCHOR_TEXT!: readonly string[];
/** Every trigger, anchor, factor and sign literal, found in one pass; one-character anchors are found by indexOf when needed. */
export let LITERALS!: LiteralScanner;
/** The meta-word and carrier patterns that have anchors, sticky: tried only where an anchor occurs. */
let PLANNED!: ReadonlyMap<
  RegExp,
  { readonly sticky: RegExp; readonly anchors: CompiledRule['anchors'] & object }
>;

/**
 * Matches on the skeleton `text` that `found` scanned: a planned pattern is tried only at its anchors'
 * occurrences (and at 0), in ascending order from the end of its last match, which finds the matches repeated
 * `exec` of the global pattern finds (INVARIANT: every match starts at 0 or with an anchor, regex-plan.ts).
 */
export function plannedMatches(text: string, found: LiteralHits): Matches {
  return (pattern, on) => {
    const planned = PLANNED.get(pattern);
    if (planned === undefined || on !== text) return execMatches(pattern, on);
    const candidates = candidatesOf(text, found, planned.anchors);
    const sticky = planned.sticky;
    let k = 0;
    let from = 0;
    return () => {
      for (; k < candidates.length; k++) {
        const at = candidates[k]!;
        if (at < from) continue;
        sticky.lastIndex = at;
        const m = sticky.exec(text);
        if (m === null) continue;
        // An empty match would not advance.
        from = m[0].length === 0 ? at + 1 : at + m[0].length;
        k++;
        return m;
      }
      return null;
    };
  };
}

export function ensureEngine(): void {
  if (engineReady) return;
  COMPILED = new Map(INJECTION_RULES.map((r) => [r, compile(r)] as const));
  SIGN_IDS = {
    rot13: SIGN_LITERALS.rot13.map(literalId),
    reversed: SIGN_LITERALS.reversed.map(literalId),
    rot13Words: SIGN_LITERALS.rot13Words.map(literalId),
    reversedWords: SIGN_LITERALS.reversedWords.map(literalId),
    reporting: SIGN_LITERALS.reporting.map(literalId),
  };
  const planned = new Map<RegExp, { sticky: RegExp; anchors: CompiledRule['anchors'] & object }>();
  PLANNED = planned;
  for (const pattern of [...META_PATTERNS, ...HIDDEN_PATTERNS]) {
    const anchors = pattern.flags === 'g' ? planOf(pattern.source)?.anchors : undefined;
    if (anchors === undefined) continue;
    planned.set(pattern, {
      sticky: new RegExp(pattern.source, 'y'),
      anchors: anchors.map((a) => ({
        id: literalId(a.text),
        boundary: a.boundary,
        checkBoundary: a.boundary && isWordUnit(a.text.charCodeAt(0)),
      })),
    });
  }
  // Literals whose positions matter (anchors, factors); the others (triggers, signs) only need to occur.
  const positioned = new Set<number>();
  for (const c of [...COMPILED.values(), ...PLANNED.values()]) {
    for (const a of c.anchors ?? []) positioned.add(a.id);
    for (const f of 'factors' in c ? c.factors : []) for (const id of FACTOR_LITERALS[f]!) positioned.add(id);
  }
  ANCHOR_TEXT = [...LITERAL_IDS.keys()];
  LITERALS = new LiteralScanner(
    ANCHOR_TEXT.map((t) => (t.length === 1 && !isTrigger(t) ? '' : t)),
    (id) => positioned.has(id),
  );
  engineReady = true;
}

/**
 * Literals that must occur before a whole-text pass runs: the same one pass
 * over the text that prefilters the rules tells whether a cipher pass or the
 * reporting-voice check has anything to read.
 */
const SIGN_LITERALS = {
  rot13: [
    'rot13',
    'rot-13',
    'vtaber',
    'qvfertneq',
    'vafgehpgvbaf',
    'cerivbhf',
    'flfgrz cebzcg',
    'sbetrg',
    'nffvfgnag',
  ],
  reversed: ['snoitcurtsni', 'suoiverp', 'erongi', 'dragersid', 'tpmorp metsys'],
  // The commonest English words enciphered ("the", "your", "and"), and read backwards: a payload in rot13 or
  // written backwards need not name its attack. Only the learned model's decoded view reads their lines
  // (injection-decoded-view.ts), a bounded few: a text full of them does not run the rules twice.
  rot13Words: ['gur ', 'lbhe ', ' naq '],
  reversedWords: ['eht ', 'ruoy ', ' dna '],
  // Stems of META_STRONG: reporting voice needs one of them.
  reporting: [
    'injection',
    'firewall',
    'vulnerab',
    'the phrase',
    'jailbreak',
    'red team',
    'red-team',
    'attack',
    'adversar',
    'malicious',
    'researcher',
    'phishing',
    'payload',
    'proof of concept',
    'cve-',
    'threat model',
    'advisory',
    'exploit',
    'benchmark',
    'promptinjektion',
    'prompt-injektion',
    'angreifer',
    'attaquant',
    'inyeccion',
    'atacante',
  ],
} as const;
export const CJK = /[\u3040-\u30ff\u4e00-\u9fff]/;
export const NO_META: MetaWords = { strong: 0, weak: 0 };
/** Whether one of the literals `ids` occurs, by the scan `found`. */
export const anyOf = (found: LiteralHits, ids: readonly number[]) => ids.some((id) => found.occurs[id] === 1);

function isTrigger(text: string): boolean {
  return INJECTION_RULES.some((r) => r.triggers.includes(text));
}

/** `\b` before code unit `at`, for an anchor that starts with a word character. */
const isWordUnit = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/**
 * Sorted positions at which a rule may match: its anchors' occurrences, and the start of the text unless
 * `withStart` is false (runRules tries the start first itself, and an anchor's own list then needs no copy).
 */
function candidatesOf(
  text: string,
  found: LiteralHits,
  anchors: CompiledRule['anchors'] & object,
  lists: AnchorLists = new Map(),
  withStart = true,
): ArrayLike<number> {
  const kept: ArrayLike<number>[] = withStart ? [[0]] : [];
  for (const a of anchors) {
    // Most anchors of a family do not occur in a given text: they are passed over without a look at their lists.
    const single = LITERALS.literals[a.id] === '';
    if (!single && found.occurs[a.id] === 0) continue;
    // Rules of one family share anchors under different keys: each anchor's list is made once per text.
    const key = a.checkBoundary ? 2 * a.id + 1 : 2 * a.id;
    let list = lists.get(key);
    if (list === undefined) {
      const starts = single ? unitPositions(text, ANCHOR_TEXT[a.id]!) : startsOf(found, a.id);
      list = a.checkBoundary ? atWordStart(text, starts) : starts;
      lists.set(key, list);
    }
    kept.push(list);
  }
  return mergeAscending(kept);
}

/** Anchor lists at least this long are filtered into typed arrays (atWordStart). */
const LONG_ANCHOR_LIST = 4096;

/** Per text, the candidate positions of each anchor (key 2 × id, plus 1 with the boundary checked). */
type AnchorLists = Map<number, ArrayLike<number>>;

/** The offsets of `starts` that no word unit precedes (a `\b` before an anchor that starts with one). */
function atWordStart(text: string, starts: ArrayLike<number>): ArrayLike<number> {
  // A long list (a repetitive text) is filtered into a typed array of its size, not pushed through every size.
  if (starts.length >= LONG_ANCHOR_LIST) {
    const kept = new Int32Array(starts.length);
    let k = 0;
    for (let i = 0; i < starts.length; i++) {
      const p = starts[i]!;
      if (p > 0 && isWordUnit(text.charCodeAt(p - 1))) continue;
      kept[k++] = p;
    }
    return kept.subarray(0, k);
  }
  // Plain arrays: typed arrays and their views cost more to make than these short lists cost to fill.
  const out: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const p = starts[i]!;
    if (p > 0 && isWordUnit(text.charCodeAt(p - 1))) continue;
    out.push(p);
  }
  return out;
}

/**
 * The matches of the rules on one text, prefiltered by trigger words.
 */
export function runRules(
  text: string,
  rules: readonly InjectionRule[],
  found: LiteralHits = LITERALS.scan(text),
): RuleHit[] {
  const hits: RuleHit[] = [];
  const occurs = (ids: readonly number[]) => {
    for (let i = 0; i < ids.length; i++) if (found.occurs[ids[i]!] === 1) return true;
    return false;
  };
  const compiledRules = compiledFor(rules);
  const factorStarts: (ArrayLike<number> | undefined)[] = new Array(FACTOR_LITERALS.length);
  const startsOfFactor = (f: number): ArrayLike<number> => {
    let starts = factorStarts[f];
    if (starts === undefined) {
      const ids = FACTOR_LITERALS[f]!;
      // One literal's starts are ascending already.
      starts =
        ids.length === 1 ? startsOf(found, ids[0]!) : mergeAscending(ids.map((id) => startsOf(found, id)));
      factorStarts[f] = starts;
    }
    return starts;
  };
  // Rules that share their anchors (the verbs of one family) share their candidates.
  const candidateCache = new Map<string, ArrayLike<number>>();
  const anchorLists: AnchorLists = new Map();
  // Local cues (an order's verb, its object) only count near a context cue: they are looked for there alone, so a
  // long text with no addressee, marker or sequencing pays nothing for them.
  let windows: Int32Array | undefined;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r]!;
    if (rule.local && windows === undefined) {
      windows = contextWindows(hits);
      if (windows.length === 0) break;
    }
    const compiled = compiledRules[r]!;
    if (rule.triggers.length > 0 && !occurs(compiled.triggers)) continue;
    if (compiled.anchors === undefined) {
      runEverywhere(text, rule, hits);
      continue;
    }
    const { sticky, maxLength, factors } = compiled;
    let absent = false;
    for (let i = 0; i < factors.length && !absent; i++) absent = !occurs(FACTOR_LITERALS[factors[i]!]!);
    if (absent) continue;
    let candidates = candidateCache.get(compiled.anchorKey);
    if (candidates === undefined) {
      candidates = candidatesOf(text, found, compiled.anchors, anchorLists, false);
      candidateCache.set(compiled.anchorKey, candidates);
    }
    let from = 0;
    let count = 0;
    // Candidates ascend, so each factor's next occurrence is searched for from where the last search ended.
    if (CURSORS.length < factors.length) CURSORS = new Int32Array(factors.length * 2);
    const cursors = CURSORS;
    cursors.fill(0, 0, factors.length);
    // INVARIANT: a candidate is skipped only when a check below would refuse it: jumps go to the first candidate
    // that the failed check does not rule out (a later factor occurrence, the next window, the last match's end).
    // The start of the text comes first (k = -1), then the anchors' occurrences: an anchor at 0 is tried again,
    // to the same end, as a merged list held 0 twice.
    for (let k = -1; k < candidates.length; k++) {
      const at = k < 0 ? 0 : candidates[k]!;
      if (at < from) {
        k = gallop(candidates, from, k) - 1;
        continue;
      }
      // Every factor must occur inside the longest match from here.
      let skipTo = -1;
      for (let i = 0; i < factors.length; i++) {
        const f = factors[i]!;
        const starts = startsOfFactor(f);
        cursors[i] = gallop(starts, at, cursors[i]!);
        const next = starts[cursors[i]!];
        if (next === undefined) {
          skipTo = Number.POSITIVE_INFINITY;
          break;
        }
        // The first candidate whose longest match reaches this factor occurrence.
        if (next + FACTOR_SHORTEST[f]! > at + maxLength) {
          skipTo = next + FACTOR_SHORTEST[f]! - maxLength;
          break;
        }
      }
      if (skipTo < 0 && windows !== undefined) {
        const w = windowAt(windows, at);
        if (w < 0) skipTo = Number.POSITIVE_INFINITY;
        else if (windows[w * 2]! > at) skipTo = windows[w * 2]!;
      }
      if (skipTo >= 0) {
        if (skipTo === Number.POSITIVE_INFINITY) break;
        k = gallop(candidates, skipTo, Math.max(k, 0)) - 1;
        continue;
      }
      // test(), not exec(): a sticky pattern's lastIndex is the match's end, and no match array is made for it.
      sticky.lastIndex = at;
      if (!sticky.test(text)) continue;
      const end = sticky.lastIndex;
      hits.push({ rule, start: at, end });
      if (++count >= (rule.maxHits ?? MAX_HITS_PER_RULE)) break;
      // An empty match would not advance.
      from = end === at ? at + 1 : end;
    }
  }
  return hits;
}

/** The compiled rules of each list of rules runRules is given (a handful: one per kind), in the list's order. */
const COMPILED_LISTS = new WeakMap<readonly InjectionRule[], readonly CompiledRule[]>();
function compiledFor(rules: readonly InjectionRule[]): readonly CompiledRule[] {
  let list = COMPILED_LISTS.get(rules);
  if (list === undefined) {
    list = rules.map((r) => COMPILED.get(r)!);
    COMPILED_LISTS.set(rules, list);
  }
  return list;
}

/** runRules' search positions, one per factor of the rule it runs (reused: a rule has a handful). */
let CURSORS = new Int32Array(16);

/** How far from a context cue its local cues are looked for: more than any feature's reach (injection-features.ts). */
const CONTEXT_REACH = 700;

/** Windows around the context cues among `hits`, merged, as ascending [start, end) pairs. */
function contextWindows(hits: readonly RuleHit[]): Int32Array {
  const starts = hits.filter((h) => h.rule.cue && !h.rule.local).map((h) => h.start);
  starts.sort((a, b) => a - b);
  const out: number[] = [];
  for (const at of starts) {
    const start = Math.max(0, at - CONTEXT_REACH);
    const end = at + CONTEXT_REACH;
    if (out.length > 0 && start <= out[out.length - 1]!) out[out.length - 1] = end;
    else out.push(start, end);
  }
  return Int32Array.from(out);
}

/** A rule whose matches may start anywhere: its pattern over the whole text. */
function runEverywhere(text: string, rule: InjectionRule, hits: RuleHit[]): void {
  rule.pattern.lastIndex = 0;
  let count = 0;
  for (let m = rule.pattern.exec(text); m !== null; m = rule.pattern.exec(text)) {
    hits.push({ rule, start: m.index, end: m.index + m[0].length });
    if (++count >= (rule.maxHits ?? MAX_HITS_PER_RULE)) break;
    // An empty match would not advance.
    if (m[0].length === 0) rule.pattern.lastIndex++;
  }
}
