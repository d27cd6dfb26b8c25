import { anyOf, LITERALS, MAX_HITS_PER_RULE, runRules, SIGN_IDS } from './injection-engine.js';
import type { RuleHit } from './injection-hidden.js';
import type { InjectionRule } from './injection-rule.js';
import { leetSigns, unleet } from './leetspeak.js';
import type { LiteralHits } from './literal-scan.js';
import { positionsOf, windowsAround } from './positions.js';
import { rot13 } from './rewritten-views.js';

/*
 * The rules over rewrites of a text — rot13, read backwards — in windows
 * around the signs of one, so that a long text with a few signs is not read
 * again whole.
 */

/**
 * How far from a sign of a cipher its pass reads, each way: more than the
 * longest match of any rule, so that every match that involves the cipher is
 * found, and bounded, so that a long text with a few signs is not read again
 * whole.
 */
export const PASS_REACH = 2048;
/** Context kept around a window so that `\b`, lookbehinds and `^` read the text around it, not its edge. */
export const PASS_MARGIN = 64;

/**
 * The rules over a rewrite of some windows of `text`. `rewrite` maps a slice
 * to one of the same length. Hits whose start or end lies in a margin that
 * is not an end of the text are dropped: the slice's edge is not the text's.
 * Ordered as one run over the whole text would order them (by rule, then by
 * position), and at most MAX_HITS_PER_RULE per rule.
 */
export function runRulesIn(
  text: string,
  windows: readonly [number, number][],
  rules: readonly InjectionRule[],
  rewrite: (slice: string) => string,
  carrier: string,
  reversed = false,
): RuleHit[] {
  const all: RuleHit[] = [];
  for (const [from, to] of windows) {
    const start = Math.max(0, from - PASS_MARGIN);
    const end = Math.min(text.length, to + PASS_MARGIN);
    const slice = rewrite(text.slice(start, end));
    if (slice.length !== end - start) continue;
    const low = start === 0 ? 0 : PASS_MARGIN;
    const high = end === text.length ? slice.length : slice.length - PASS_MARGIN;
    for (const hit of runRules(slice, rules)) {
      // In a reversed slice, position p stands for end - p in the text.
      const s = reversed ? slice.length - hit.end : hit.start;
      const e = reversed ? slice.length - hit.start : hit.end;
      if (s < low || e > high) continue;
      all.push({ ...hit, start: start + s, end: start + e, carrier });
    }
  }
  return windows.length <= 1 ? all : byRuleCapped(all, rules);
}

/** Hits in the order one run of the rules gives them (by rule, then position), at most MAX_HITS_PER_RULE per rule. */
export function byRuleCapped(all: RuleHit[], rules: readonly InjectionRule[]): RuleHit[] {
  const order = new Map(rules.map((r, i) => [r, i] as const));
  all.sort((a, b) => order.get(a.rule)! - order.get(b.rule)! || a.start - b.start);
  const kept: RuleHit[] = [];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    count = i > 0 && all[i - 1]!.rule === all[i]!.rule ? count + 1 : 1;
    if (count <= (all[i]!.rule.maxHits ?? MAX_HITS_PER_RULE)) kept.push(all[i]!);
  }
  return kept;
}

export const ROT13_SIGNS = /rot-?13|vtaber|qvfertneq|vafgehpgvbaf|cerivbhf|flfgrz cebzcg|sbetrg|nffvfgnag/g;
export const REVERSED_SIGNS = /snoitcurtsni|suoiverp|erongi|dragersid|tpmorp metsys/g;
/** The commonest words ("the", "your", "and") in rot13 and backwards, or a sign above: a line to decode for the model. */
export const ROT13_LINE_SIGNS = new RegExp(`${ROT13_SIGNS.source}|\\b(?:gur|lbhe|naq)\\b`, 'g');
export const REVERSED_LINE_SIGNS = new RegExp(`${REVERSED_SIGNS.source}|\\b(?:eht|ruoy|dna)\\b`, 'g');

/**
 * Same-length rewrites of the skeleton that undo cheap ciphers, read near the
 * signs of them; each runs only when the text shows such a sign, so ordinary
 * text pays nothing. Each pass's hits, in pass order.
 */
export function transformedPasses(
  text: string,
  rules: readonly InjectionRule[],
  found: LiteralHits = LITERALS.scan(text),
): RuleHit[][] {
  const passes: RuleHit[][] = [];
  const rot = anyOf(found, SIGN_IDS.rot13) ? positionsOf(ROT13_SIGNS, text) : [];
  if (rot.length > 0)
    passes.push(runRulesIn(text, windowsAround(rot, text.length, PASS_REACH), rules, rot13, 'rot13'));
  // Leetspeak is read only near a word that spells an instruction word in it ("1gn0r3", "pr3v10u5"): a text full
  // of IDs, hashes and e-mail addresses has digits and at signs between letters, and no reason for a second pass.
  const leet = leetSigns(text);
  if (leet.length > 0)
    passes.push(runRulesIn(text, windowsAround(leet, text.length, PASS_REACH), rules, unleet, 'leetspeak'));
  return passes;
}

/** The rules over the text read backwards, near words that read as instructions backwards. */
export function reversedPass(text: string, rules: readonly InjectionRule[], found: LiteralHits): RuleHit[] {
  const signs = anyOf(found, SIGN_IDS.reversed) ? positionsOf(REVERSED_SIGNS, text) : [];
  if (signs.length === 0) return [];
  const windows = windowsAround(signs, text.length, PASS_REACH);
  return runRulesIn(text, windows, rules, (slice) => [...slice].reverse().join(''), 'reversed text', true);
}
