import type { RuleHit } from './injection-hidden.js';
import { disjoint } from './injection-mention.js';
import { MODEL_WEIGHTS } from './injection-model-weights.js';
import { type MetaWords, within } from './injection-reporting.js';
import type { InjectionRule } from './injection-rule.js';
import { originalSpan, type Skeleton } from './normalize.js';
import { preview } from './preview.js';
import type { DetectorFinding } from './types.js';

/**
 * The learned half of the injection detector: a logistic regression over
 * hashed word unigrams and bigrams of short windows of the skeleton, the
 * cue and feature hits inside each window (quoted or not, in a text about
 * attacks), and two facts about the whole text (findings in hidden or
 * encoded carriers, words about attacks). The text's score is the strongest
 * window's, so a short order inside a long, harmless carrier is not diluted
 * by it. The phrase rules' own findings are not features: they were tuned on
 * the corpora the model learns from, and a model that learnt to trust them
 * there would trust them on the articles that quote what they match.
 *
 * Why a model beside the rules: rules catch phrasings someone wrote down;
 * the model weighs the parts an injection is made of (who a sentence
 * addresses, what it orders, what it names) against the parts a quoting
 * article or a README is made of, on whatever words carry them. It is
 * trained by `npm run train:detector` (test/corpus/train-model.mjs) on the
 * repository's corpora; the weights are a generated module, pure data.
 *
 * Linear in the text: one pass to tokenise, each token read by two windows.
 */

/** log2 of the number of hashed feature buckets. */
export const MODEL_BITS = 16;
const MASK = (1 << MODEL_BITS) - 1;
/** Tokens per window and between window starts: a few sentences, each token in two windows. */
export const WINDOW = 40;
export const STRIDE = 20;

/** What the model reads of one text, all in skeleton coordinates. */
export interface ModelInput {
  /** The skeleton (lower case, folded; see normalize.ts). */
  readonly text: string;
  /** Rule, cue and feature hits on the skeleton itself (not in decoded or hidden carriers). */
  readonly hits: readonly RuleHit[];
  /** The distinct words about attacks the text uses (injection-reporting.ts). */
  readonly meta: MetaWords;
  /** Quoted spans, sorted, when the text uses a strong word about attacks. */
  readonly quotes: readonly (readonly [number, number])[] | undefined;
  /** Spans that cite an instruction rather than give it (code's string literals, reported quotations), sorted. */
  readonly mentions: readonly (readonly [number, number])[];
  /** The strongest finding in a hidden or encoded carrier (0..1). */
  readonly carrierScore: number;
}

/** Hashed features of one text: buckets of the whole-text facts, and of each window (CSR layout). */
export interface ModelFeatures {
  readonly doc: Int32Array;
  readonly buckets: Int32Array;
  /** Window k's buckets are buckets[offsets[k] .. offsets[k+1]). */
  readonly offsets: Int32Array;
  /** Each window's span in the skeleton. */
  readonly spans: Int32Array;
  /** How many rule, cue and feature hits each window holds (training starts from the windows with most). */
  readonly hitCounts: Int32Array;
  /** Each window's sum of weights, when scored with weights (its buckets are then not kept). */
  readonly sums?: Float64Array;
  /** Labels of the buckets (for explanations), when asked for. */
  readonly labels?: readonly string[];
}

/** FNV-1a over a string's code units. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}
const pair = (a: number, b: number) => Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ 0x5bd1e995;
const bucketOf = (h: number) => (h ^ (h >>> 16)) & MASK;

const NEWLINE = hashString('<nl>');
/** Words with digits in them (ids, SKUs, times) and numbers are one token each: their values are a generator's. */
const ALNUM = hashString('<w0>');
const NUMBER = hashString('<0>');

const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 10 || c === 0xa0;
/** Scripts written without spaces: each character is a token (bigrams then read like words). */
const isIdeographic = (c: number) =>
  (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af);

interface Tokens {
  readonly count: number;
  /** 1 where the token is a word or number, 0 for a mark or a line break. */
  readonly words: Uint8Array;
  readonly hashes: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** Token arrays reused by every text of up to this many units (a few hundred KB kept). */
const SCRATCH_UNITS = 1 << 15;
let SCRATCH: { hashes: Int32Array; starts: Int32Array; ends: Int32Array; words: Uint8Array } | undefined;

/**
 * Word, number, punctuation and line-break tokens of the skeleton; a run of one punctuation mark is one token.
 * INVARIANT: the arrays may be shared with the next call's: read them before tokenizing another text.
 */
function tokenize(text: string): Tokens {
  const n = text.length;
  // At most one token per character: sized once, no growing (a megabyte costs 13 MB for the scan's duration).
  // Texts of up to SCRATCH_UNITS reuse one set of arrays: the tokens never outlive the scoring that reads them.
  const scratch = n + 1 <= SCRATCH_UNITS;
  if (scratch && SCRATCH === undefined)
    SCRATCH = {
      hashes: new Int32Array(SCRATCH_UNITS),
      starts: new Int32Array(SCRATCH_UNITS),
      ends: new Int32Array(SCRATCH_UNITS),
      words: new Uint8Array(SCRATCH_UNITS),
    };
  const hashes = scratch ? SCRATCH!.hashes : new Int32Array(n + 1);
  const starts = scratch ? SCRATCH!.starts : new Int32Array(n + 1);
  const ends = scratch ? SCRATCH!.ends : new Int32Array(n + 1);
  const words = scratch ? SCRATCH!.words : new Uint8Array(n + 1);
  let count = 0;
  const push = (h: number, s: number, e: number, word: number) => {
    words[count] = word;
    hashes[count] = h;
    starts[count] = s;
    ends[count] = e;
    count++;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      const s = i;
      while (i < n && (text.charCodeAt(i) === 10 || isSpace(text.charCodeAt(i)))) i++;
      push(NEWLINE, s, s + 1, 0);
    } else if (isSpace(c)) {
      i++;
    } else if (isLower(c) || isDigit(c)) {
      const s = i;
      let h = 0x811c9dc5;
      let digits = false;
      let letters = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isLower(d)) letters = true;
        else if (isDigit(d)) digits = true;
        else break;
        h = Math.imul(h ^ d, 0x01000193);
        i++;
      }
      push(digits ? (letters ? ALNUM : NUMBER) : h | 0, s, i, 1);
    } else if (c < 128) {
      const s = i;
      while (i < n && text.charCodeAt(i) === c) i++;
      push(Math.imul(0x811c9dc5 ^ c, 0x01000193) | 0, s, i, 0);
    } else if (isIdeographic(c)) {
      push(Math.imul(0x811c9dc5 ^ c, 0x01000193) | 0, i, i + 1, 1);
      i++;
    } else {
      // Other scripts (Cyrillic, Greek, …) and non-ASCII marks: a run up to a space or an ASCII character.
      const s = i;
      let h = 0x811c9dc5;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d < 128 || isSpace(d) || isIdeographic(d)) break;
        h = Math.imul(h ^ d, 0x01000193);
        i++;
      }
      push(h | 0, s, i, 1);
    }
  }
  return { count, words, hashes, starts, ends };
}

/** The first token whose end is after `at`: the token a hit starting at `at` begins in. */
function tokenAt(tokens: Tokens, at: number): number {
  let lo = 0;
  let hi = tokens.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens.ends[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Coarse bins of a 0..1 score: the model learns how far to trust each. */
const scoreBin = (x: number) =>
  x <= 0 ? 0 : x < 0.2 ? 1 : x < 0.35 ? 2 : x < 0.5 ? 3 : x < 0.65 ? 4 : x < 0.8 ? 5 : x < 0.9 ? 6 : 7;

/** The names of a hit's features: what it is, and, in a text about attacks, whether it is quoted there. */
function hitNames(hit: RuleHit, input: ModelInput): readonly string[] {
  const r = hit.rule;
  // The phrase rules were tuned on the training corpora: a model that learnt to trust them would trust them
  // everywhere. It reads the parts (cues) and their combinations (features), which no corpus was tuned against.
  if (!r.cue && r.pattern.source !== '(?!)') return NO_NAMES;
  // The same few lists for every hit of a rule: made once, not a new string per hit and scan.
  let names = NAMES_OF.get(r);
  if (names === undefined) {
    const base = r.cue ? `cue:${r.id}` : `feature:${r.id}`;
    names = { own: namesFor(base), cited: namesFor(`${base} (cited)`) };
    NAMES_OF.set(r, names);
  }
  const set = within(input.mentions, hit.start) ? names.cited : names.own;
  if (input.quotes === undefined) return set.plain;
  return within(input.quotes, hit.start) ? set.quoted : set.prose;
}

const NO_NAMES: readonly string[] = [];
interface HitNames {
  readonly plain: readonly string[];
  readonly quoted: readonly string[];
  readonly prose: readonly string[];
}
/** hitNames' lists, by rule: for a hit of its own, and for one inside a cited span. */
const NAMES_OF = new WeakMap<RuleHit['rule'], { readonly own: HitNames; readonly cited: HitNames }>();

function namesFor(name: string): HitNames {
  return {
    plain: [name],
    quoted: [name, `${name} (quoted, in a text about attacks)`],
    prose: [name, `${name} (in a text about attacks)`],
  };
}

/** What one window's features go to: a sum of weights (scoring) or a list of buckets (training, explaining). */
interface Accumulator {
  readonly w: Float32Array | undefined;
  sum: number;
  n: number;
  buckets: Int32Array;
  /** Where each listed bucket came from (2t: token t, 2t+1: tokens t and t+1, -1-i: the window's i-th hit name). */
  readonly sources: number[] | undefined;
}

/** Counts bucket `b` once per window (SEEN, stamp). */
function take(acc: Accumulator, b: number, source: number): void {
  if (SEEN[b] === stamp) return;
  SEEN[b] = stamp;
  if (acc.w !== undefined) {
    acc.sum += acc.w[b]!;
    return;
  }
  if (acc.n === acc.buckets.length) {
    const grown = new Int32Array(Math.max(16, acc.buckets.length * 2));
    grown.set(acc.buckets);
    acc.buckets = grown;
  }
  acc.buckets[acc.n++] = b;
  acc.sources?.push(source);
}

/** Mark of the buckets already counted in the current window; the stamp changes per window. */
const SEEN = new Int32Array(1 << MODEL_BITS);
let stamp = 0;

/** A new stamp: no bucket is marked counted. */
function nextStamp(): void {
  stamp = (stamp + 1) | 0;
  if (stamp === 0) {
    SEEN.fill(0);
    stamp = 1;
  }
}

/**
 * The sum of the weights of the distinct buckets of tokens [from, to) (unigrams, and bigrams inside the window)
 * and of the hits' names `extra`: the sum take() makes, adding in the same order (so the same float).
 */
function windowSum(
  w: Float32Array,
  uni: readonly number[],
  bi: readonly number[],
  from: number,
  to: number,
  extra: readonly number[] | undefined,
): number {
  nextStamp();
  const s = stamp;
  let sum = 0;
  for (let t = from; t < to; t++) {
    const u = uni[t]!;
    if (SEEN[u] !== s) {
      SEEN[u] = s;
      sum += w[u]!;
    }
    const b = bi[t]!;
    if (b >= 0 && t + 1 < to && SEEN[b] !== s) {
      SEEN[b] = s;
      sum += w[b]!;
    }
  }
  if (extra)
    for (let i = 0; i < extra.length; i++) {
      const b = extra[i]!;
      if (SEEN[b] !== s) {
        SEEN[b] = s;
        sum += w[b]!;
      }
    }
  return sum;
}

/** Buckets of hit names, by name: a handful of names recur in every text. */
const NAME_BUCKETS = new Map<string, number>();
function nameBucket(name: string): number {
  let b = NAME_BUCKETS.get(name);
  if (b === undefined) {
    b = bucketOf(hashString(name));
    if (NAME_BUCKETS.size < 4096) NAME_BUCKETS.set(name, b);
  }
  return b;
}

/**
 * The hashed features of a text. With `withLabels`, also a readable label
 * per bucket entry (slower; for explaining one window).
 */
export function modelFeatures(input: ModelInput): ModelFeatures {
  return featuresOf(input, tokensOf(input));
}

/** The parts whose presence anywhere in a text counts, with how many times they occur (0, 1, 2 or more). */
const DOC_PARTS = [
  'cue-addressee',
  'cue-order',
  'cue-role-marker',
  'cue-tool-call',
  'cue-destination',
  'cue-sensitive',
  'cue-ai-label',
  'cue-tool-name',
  'cue-inline-turn',
];

/**
 * Which parts of an injection the whole text holds, and which features its
 * parts make up: a payload split over distant fragments ("step 1: collect the
 * codes" … "step 2: send them to …") has its addressee in one window and its
 * destination in another, and no single window sees both.
 */
function docParts(hits: readonly RuleHit[]): string[] {
  const counts = new Int32Array(DOC_PARTS.length);
  let features = 0;
  for (const hit of hits) {
    const i = DOC_PARTS.indexOf(hit.rule.id);
    if (i >= 0) counts[i]!++;
    else if (!hit.rule.cue && hit.rule.pattern.source === '(?!)') features++;
  }
  const names = DOC_PARTS.map((id, i) => `doc:${id} ${Math.min(counts[i]!, 2)}`);
  // The parts together: an addressee and a destination anywhere in the text, orders counted as well.
  names.push(
    `doc:addressee+order+destination ${Math.min(counts[0]!, 1)}${Math.min(counts[1]!, 2)}${Math.min(counts[4]!, 1)}`,
    `doc:features ${Math.min(features, 3)}`,
  );
  return names;
}

/**
 * The buckets of the named features (cue and feature hits, facts about the
 * whole text), for the trainer: they describe how a text is built, not its
 * words, and it regularises them less than the word n-grams.
 */
export function namedBuckets(rules: readonly InjectionRule[]): Set<number> {
  const names: string[] = [];
  for (const r of rules) {
    const name = r.cue ? `cue:${r.id}` : `feature:${r.id}`;
    for (const n of [name, `${name} (cited)`])
      names.push(n, `${n} (quoted, in a text about attacks)`, `${n} (in a text about attacks)`);
  }
  for (let bin = 0; bin < 8; bin++) names.push(`doc:carrier ${bin}`);
  for (let strong = 0; strong <= 3; strong++)
    for (let weak = 0; weak <= 3; weak++) names.push(`doc:meta words ${strong}/${weak}`);
  for (const id of DOC_PARTS) for (let n = 0; n <= 2; n++) names.push(`doc:${id} ${n}`);
  for (const combo of ['000', '001', '010', '011', '020', '021', '100', '101', '110', '111', '120', '121'])
    names.push(`doc:addressee+order+destination ${combo}`);
  for (let n = 0; n <= 3; n++) names.push(`doc:features ${n}`);
  return new Set(names.map((name) => bucketOf(hashString(name))));
}

/** Salt of the words inside quotes in a text about attacks: a quoted payload's words are other features than a bare one's. */
const QUOTED = 0x5f3759df;

/** The tokens of the input's skeleton; in a text about attacks, those inside its quotes salted. */
function tokensOf(input: ModelInput): Tokens {
  const tokens = tokenize(input.text);
  // What code or a report cites is salted as what an article quotes is: other features than the same words bare.
  const quotes =
    input.mentions.length === 0 ? input.quotes : disjoint([...(input.quotes ?? []), ...input.mentions]);
  if (quotes === undefined || quotes.length === 0) return tokens;
  // INVARIANT: tokens and quotes are both sorted by start; one merge pass.
  let q = 0;
  for (let t = 0; t < tokens.count; t++) {
    const at = tokens.starts[t]!;
    while (q < quotes.length && quotes[q]![1] <= at) q++;
    if (q === quotes.length) break;
    if (quotes[q]![0] <= at && tokens.hashes[t] !== NEWLINE) tokens.hashes[t] = tokens.hashes[t]! ^ QUOTED;
  }
  return tokens;
}

/** The features of `tokens`; with `only`, of that window alone, with a readable label per bucket entry. */
function featuresOf(input: ModelInput, tokens: Tokens, only?: number, w?: Float32Array): ModelFeatures {
  const labels: string[] | undefined = only === undefined ? undefined : [];
  const tokenText = (t: number) => {
    const h = tokens.hashes[t]!;
    if (h === NEWLINE) return '⏎';
    if (h === ALNUM || h === NUMBER) return '<number>';
    if (h === (ALNUM ^ QUOTED) || h === (NUMBER ^ QUOTED)) return '<number> (quoted)';
    return input.text.slice(tokens.starts[t]!, tokens.ends[t]!);
  };

  const docNames = [
    `doc:carrier ${scoreBin(input.carrierScore)}`,
    // How much the text talks about attacks: an article quoting a payload says "injection", "attacker", "example".
    `doc:meta words ${Math.min(input.meta.strong, 3)}/${Math.min(input.meta.weak, 3)}`,
    ...docParts(input.hits),
  ];
  const doc = Int32Array.from(docNames, (s) => bucketOf(hashString(s)));

  const windows = tokens.count <= WINDOW ? 1 : Math.ceil((tokens.count - WINDOW) / STRIDE) + 1;
  // Named features of the hits, by window: each hit lies in at most two windows.
  const named: (number[] | undefined)[] = new Array(windows);
  const namedLabels: (string[] | undefined)[] = new Array(windows);
  const hitCounts = new Int32Array(windows);
  for (const hit of input.hits) {
    const t = tokenAt(tokens, hit.start);
    let first = Math.max(0, Math.ceil((t - WINDOW + 1) / STRIDE));
    let last = Math.min(windows - 1, Math.floor(t / STRIDE));
    for (let k = first; k <= last; k++) hitCounts[k]!++;
    // Explaining one window reads the names of its own hits alone (in the same order).
    if (only !== undefined) {
      if (only < first || only > last) continue;
      first = only;
      last = only;
    }
    for (const name of hitNames(hit, input)) {
      const b = nameBucket(name);
      for (let k = first; k <= last; k++) {
        const list = named[k] ?? [];
        named[k] = list;
        list.push(b);
        if (labels) {
          const names = namedLabels[k] ?? [];
          namedLabels[k] = names;
          names.push(name);
        }
      }
    }
  }

  const offsets = new Int32Array(windows + 1);
  const spans = new Int32Array(windows * 2);
  // Each token's unigram and bigram buckets, once: every token is read by two windows. Explaining one window
  // needs its own tokens' alone: uni[t - base] and bi[t - base] hold token t's.
  const base = only === undefined ? 0 : Math.min(only * STRIDE, tokens.count);
  const limit = only === undefined ? tokens.count : Math.min(tokens.count, base + WINDOW);
  // Plain arrays: short-lived typed arrays of this size are allocated outside the heap, and cost more to make.
  const uni: number[] = new Array(limit - base);
  const bi: number[] = new Array(limit - base);
  const { hashes, words } = tokens;
  for (let t = base; t < limit; t++) {
    const h = hashes[t]!;
    uni[t - base] = bucketOf(h);
    // Pairs of marks (`":`, `},`) describe a carrier's syntax, not what it says: a pair needs a word.
    bi[t - base] =
      t + 1 < tokens.count && (words[t] === 1 || words[t + 1] === 1) ? bucketOf(pair(h, hashes[t + 1]!)) : -1;
  }
  // With weights, each window's sum is kept instead of its buckets: scoring a megabyte allocates no bucket list.
  const acc: Accumulator = {
    w,
    sum: 0,
    n: 0,
    buckets: new Int32Array(
      w !== undefined ? 0 : only === undefined ? Math.min(windows * (2 * WINDOW + 8), 1 << 20) : 4 * WINDOW,
    ),
    sources: labels ? [] : undefined,
  };
  const sums = w === undefined ? undefined : new Float64Array(windows);
  for (let k = only ?? 0; k < (only === undefined ? windows : only + 1); k++) {
    const from = k * STRIDE;
    const to = Math.min(tokens.count, from + WINDOW);
    spans[2 * k] = tokens.count === 0 ? 0 : tokens.starts[from]!;
    spans[2 * k + 1] = tokens.count === 0 ? 0 : tokens.ends[to - 1]!;
    if (sums !== undefined && w !== undefined) {
      // Scoring: the same sum, in the same order, as take() would make it, without the bucket list.
      sums[k] = windowSum(w, uni, bi, from - base, to - base, named[k]);
      continue;
    }
    nextStamp();
    offsets[k] = acc.n;
    acc.sum = 0;
    for (let t = from; t < to; t++) {
      take(acc, uni[t - base]!, 2 * t);
      if (t + 1 < to && bi[t - base]! >= 0) take(acc, bi[t - base]!, 2 * t + 1);
    }
    const extra = named[k];
    if (extra) for (let i = 0; i < extra.length; i++) take(acc, extra[i]!, -1 - i);
    if (sums) sums[k] = acc.sum;
  }
  const n = acc.n;
  const buckets = acc.buckets;
  if (labels && only !== undefined)
    for (const src of acc.sources!)
      labels.push(
        src < 0
          ? namedLabels[only]![-1 - src]!
          : src % 2 === 0
            ? `"${tokenText(src >> 1)}"`
            : `"${tokenText(src >> 1)} ${tokenText((src >> 1) + 1)}"`,
      );
  offsets[only === undefined ? windows : only + 1] = n;
  return {
    doc,
    buckets: buckets.subarray(0, n),
    offsets,
    spans,
    hitCounts,
    ...(labels && { labels }),
    ...(sums && { sums }),
  };
}

/** The model's verdict on one text. */
export interface ModelVerdict {
  /** Probability-like score, 0..1. */
  readonly score: number;
  /** The strongest window, in skeleton coordinates. */
  readonly start: number;
  readonly end: number;
  /** The features that pushed the strongest window's score most, either way, with their weights. */
  readonly reasons: readonly { readonly feature: string; readonly weight: number }[];
}

let WEIGHTS: Float32Array | undefined;
/** The weights, decoded on first use from the generated module (int8, scaled). */
export function modelWeights(): Float32Array {
  if (WEIGHTS) return WEIGHTS;
  const raw = MODEL_WEIGHTS.weights;
  const w = new Float32Array(1 << MODEL_BITS);
  const bytes = atob(raw);
  for (let i = 0; i < w.length && i < bytes.length; i++) {
    const q = bytes.charCodeAt(i);
    w[i] = (q > 127 ? q - 256 : q) * MODEL_WEIGHTS.scale;
  }
  WEIGHTS = w;
  return w;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Scores features with weights `w` and bias `bias`: the whole-text logit plus the strongest window's. */
export function logitOf(
  f: ModelFeatures,
  w: ArrayLike<number>,
  bias: number,
): { logit: number; window: number } {
  let base = bias;
  for (const b of f.doc) base += w[b]!;
  let best = Number.NEGATIVE_INFINITY;
  let window = 0;
  const windows = f.offsets.length - 1;
  for (let k = 0; k < windows; k++) {
    let s = 0;
    if (f.sums) s = f.sums[k]!;
    else for (let i = f.offsets[k]!; i < f.offsets[k + 1]!; i++) s += w[f.buckets[i]!]!;
    if (s > best) {
      best = s;
      window = k;
    }
  }
  return { logit: base + (windows > 0 ? best : 0), window };
}

/** How many features an explanation names. */
const REASONS = 5;

/**
 * The learned model's score of a text, with the window that decided it and
 * the features that weighed most there.
 */
export function modelVerdict(input: ModelInput): ModelVerdict {
  const w = modelWeights();
  const tokens = tokensOf(input);
  const features = featuresOf(input, tokens, undefined, w);
  const { logit, window } = logitOf(features, w, MODEL_WEIGHTS.bias);
  const start = features.spans[2 * window] ?? 0;
  const end = features.spans[2 * window + 1] ?? 0;
  const score = sigmoid(logit);
  // The reasons are read only for a finding (score ≥ 0.5): most outputs are ordinary text, and
  // explaining costs a second pass with labels, so it is done on first read.
  let reasons: ModelVerdict['reasons'] | undefined;
  return {
    score,
    start,
    end,
    get reasons() {
      reasons ??= explain(input, tokens, window, score, w);
      return reasons;
    },
  };
}

/** The features that pushed the deciding window's score towards the verdict, strongest first. */
function explain(
  input: ModelInput,
  tokens: Tokens,
  window: number,
  score: number,
  w: Float32Array,
): ModelVerdict['reasons'] {
  // Explaining re-reads only the deciding window, with labels.
  const explained = featuresOf(input, tokens, window);
  const contributions: { feature: string; weight: number }[] = [];
  for (let i = explained.offsets[window]!; i < explained.offsets[window + 1]!; i++)
    contributions.push({ feature: explained.labels![i]!, weight: w[explained.buckets[i]!]! });
  const docLabels = docLabelsOf(input);
  for (let i = 0; i < explained.doc.length; i++)
    contributions.push({ feature: docLabels[i]!, weight: w[explained.doc[i]!]! });
  // What to name: the features that pushed towards the verdict.
  const sign = score >= 0.5 ? 1 : -1;
  contributions.sort((a, b) => sign * (b.weight - a.weight));
  return contributions
    .slice(0, REASONS)
    .filter((c) => sign * c.weight > 0)
    .map((c) => ({ feature: c.feature, weight: Math.round(c.weight * 100) / 100 }));
}

/** The names of the whole-text features, in the order `featuresOf` gives their buckets. */
function docLabelsOf(input: ModelInput): string[] {
  return [
    `hidden or encoded carriers ${input.carrierScore.toFixed(2)}`,
    `words about attacks (${input.meta.strong} strong, ${input.meta.weak} weak)`,
    ...docParts(input.hits).map((name) => `in the whole text: ${name.slice('doc:'.length)}`),
  ];
}

/** The model's verdict as a finding: its weight is the score, its reason the features that decided it. */
export function modelFinding(verdict: ModelVerdict, skeleton: Skeleton, text: string): DetectorFinding {
  const [start, end] = originalSpan(skeleton, text, verdict.start, verdict.end);
  const named = verdict.reasons.map((r) => `${r.feature} ${r.weight > 0 ? '+' : ''}${r.weight}`).join(', ');
  const score = Math.round(verdict.score * 1000) / 1000;
  return {
    detector: 'injection',
    kind: 'learned-model',
    family: 'learned',
    reason:
      verdict.score >= 0.5
        ? `a learned model reads this passage as an injection (${score}; ${named})`
        : `a learned model reads this passage as ordinary text (${score}${named ? `; ${named}` : ''})`,
    start,
    end,
    weight: score,
    preview: preview(text, start, end),
  };
}
