import type { DecodedSegment } from './injection-decoded-view.js';
import type { RuleHit } from './injection-hidden.js';
import { disjoint } from './injection-mention.js';
import {
  ALNUM,
  hashString,
  NEWLINE,
  NUMBER,
  pair,
  type Tokens,
  tokenAt,
  tokenize,
} from './injection-model-tokens.js';
import { type MetaWords, within } from './injection-reporting.js';
import type { InjectionRule } from './injection-rule.js';

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
  /** The skeleton (lower case, folded; see normalize.ts), then any `decoded` stretches. */
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
  /**
   * The stretches of `text` after the skeleton: what its encoded runs and enciphered lines say in plain words
   * (injection-decoded-view.ts), with where each came from.
   */
  readonly decoded?: readonly DecodedSegment[];
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
  /** The label of bucket entry i (for explanations), when asked for: made on demand, as an explanation names a few. */
  readonly labelOf?: (i: number) => string;
}

const bucketOf = (h: number) => (h ^ (h >>> 16)) & MASK;

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

/**
 * Weights as the scorer reads them: a signed byte per bucket and the value each byte stands for (the shipped
 * weights are int8 steps of one scale). A quarter of a Float32Array's memory: the buckets a window reads at
 * random stay in cache.
 */
export interface PackedWeights {
  readonly codes: Int8Array;
  /** The value of code c at values[c + 128]: the float32 number the decoded Float32Array holds for it. */
  readonly values: Float64Array;
}

/** What one window's features go to: a list of buckets (training, explaining); scoring sums them (windowSum). */
interface Accumulator {
  n: number;
  buckets: Int32Array;
  /** Where each listed bucket came from (2t: token t, 2t+1: tokens t and t+1, -1-i: the window's i-th hit name). */
  readonly sources: number[] | undefined;
}

/** Counts bucket `b` once per window (SEEN, stamp). */
function take(acc: Accumulator, b: number, source: number): void {
  if (SEEN[b] === stamp) return;
  SEEN[b] = stamp;
  if (acc.n === acc.buckets.length) {
    const grown = new Int32Array(Math.max(16, acc.buckets.length * 2));
    grown.set(acc.buckets);
    acc.buckets = grown;
  }
  acc.buckets[acc.n++] = b;
  acc.sources?.push(source);
}

/**
 * Mark of the buckets already counted in the current window; the stamp changes per window. Bytes: a window
 * reads its buckets at random, and a table of 64 KB stays in cache where one of 256 KB did not; it is cleared
 * once every 255 windows, when the stamps run out.
 */
const SEEN = new Uint8Array(1 << MODEL_BITS);
let stamp = 0;

/** A new stamp: no bucket is marked counted. */
function nextStamp(): void {
  stamp++;
  if (stamp === 256) {
    SEEN.fill(0);
    stamp = 1;
  }
}

/**
 * The sum of the weights of the distinct buckets of tokens [from, to) (unigrams, and bigrams inside the window)
 * and of the hits' names `extra`: the buckets take() lists for the window, added in that order (so the same float
 * as logitOf's sum over the list). Each token's buckets are hashed here, as featuresOf hashes them for take():
 * twice per token (two windows read each), which costs less than writing them to arrays and reading them back.
 */
function windowSum(
  w: PackedWeights,
  tokens: Tokens,
  from: number,
  to: number,
  extra: readonly number[] | undefined,
): number {
  nextStamp();
  const s = stamp;
  const { codes, values } = w;
  const { hashes, words } = tokens;
  let sum = 0;
  for (let t = from; t < to; t++) {
    const h = hashes[t]!;
    const u = bucketOf(h);
    if (SEEN[u] !== s) {
      SEEN[u] = s;
      sum += values[codes[u]! + 128]!;
    }
    // Pairs of marks (`":`, `},`) describe a carrier's syntax, not what it says: a pair needs a word.
    if (t + 1 < to && (words[t] === 1 || words[t + 1] === 1)) {
      const b = bucketOf(pair(h, hashes[t + 1]!));
      if (SEEN[b] !== s) {
        SEEN[b] = s;
        sum += values[codes[b]! + 128]!;
      }
    }
  }
  if (extra)
    for (let i = 0; i < extra.length; i++) {
      const b = extra[i]!;
      if (SEEN[b] !== s) {
        SEEN[b] = s;
        sum += values[codes[b]! + 128]!;
      }
    }
  return sum;
}

/** Per-token bucket arrays reused by every text of up to this many tokens. */
const SCRATCH_TOKENS = 1 << 14;
let SCRATCH_BUCKETS: { uni: Int32Array; bi: Int32Array } | undefined;

/**
 * Arrays for `count` tokens' unigram and bigram buckets: typed, so that the windows' loops read them unboxed;
 * reused up to SCRATCH_TOKENS, so that a short text allocates none. INVARIANT: read before the next call.
 */
function bucketArrays(count: number): { uni: Int32Array; bi: Int32Array } {
  if (count > SCRATCH_TOKENS) return { uni: new Int32Array(count), bi: new Int32Array(count) };
  SCRATCH_BUCKETS ??= { uni: new Int32Array(SCRATCH_TOKENS), bi: new Int32Array(SCRATCH_TOKENS) };
  return SCRATCH_BUCKETS;
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
export function docParts(hits: readonly RuleHit[]): string[] {
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
export function tokensOf(input: ModelInput): Tokens {
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
export function featuresOf(
  input: ModelInput,
  tokens: Tokens,
  only?: number,
  w?: PackedWeights,
): ModelFeatures {
  const labels = only !== undefined;
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
  // The same few hundred names recur in every text: their buckets are looked up, not hashed again.
  const doc = Int32Array.from(docNames, (s) => nameBucket(s));

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
  // Scoring hashes each window's buckets as it sums them (windowSum): no arrays.
  const { uni, bi } = bucketArrays(w === undefined ? limit - base : 0);
  const { hashes, words } = tokens;
  for (let t = base; t < (w === undefined ? limit : base); t++) {
    const h = hashes[t]!;
    uni[t - base] = bucketOf(h);
    // Pairs of marks (`":`, `},`) describe a carrier's syntax, not what it says: a pair needs a word.
    bi[t - base] =
      t + 1 < tokens.count && (words[t] === 1 || words[t + 1] === 1) ? bucketOf(pair(h, hashes[t + 1]!)) : -1;
  }
  // With weights, each window's sum is kept instead of its buckets: scoring a megabyte allocates no bucket list.
  const acc: Accumulator = {
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
      // Scoring: the sum of the buckets take() would list, in their order, without the list.
      sums[k] = windowSum(w, tokens, from, to, named[k]);
      continue;
    }
    nextStamp();
    offsets[k] = acc.n;
    for (let t = from; t < to; t++) {
      take(acc, uni[t - base]!, 2 * t);
      if (t + 1 < to && bi[t - base]! >= 0) take(acc, bi[t - base]!, 2 * t + 1);
    }
    const extra = named[k];
    if (extra) for (let i = 0; i < extra.length; i++) take(acc, extra[i]!, -1 - i);
  }
  const n = acc.n;
  const buckets = acc.buckets;
  const sources = acc.sources;
  const labelOf =
    sources !== undefined && only !== undefined
      ? (i: number) => {
          const src = sources[i]!;
          return src < 0
            ? namedLabels[only]![-1 - src]!
            : src % 2 === 0
              ? `"${tokenText(src >> 1)}"`
              : `"${tokenText(src >> 1)} ${tokenText((src >> 1) + 1)}"`;
        }
      : undefined;
  offsets[only === undefined ? windows : only + 1] = n;
  return {
    doc,
    buckets: buckets.subarray(0, n),
    offsets,
    spans,
    hitCounts,
    ...(labelOf && { labelOf }),
    ...(sums && { sums }),
  };
}
