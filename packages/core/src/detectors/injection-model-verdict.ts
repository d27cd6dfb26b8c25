import type { DecodedSegment } from './injection-decoded-view.js';
import {
  docParts,
  featuresOf,
  MODEL_BITS,
  type ModelFeatures,
  type ModelInput,
  type PackedWeights,
  tokensOf,
} from './injection-model.js';
import { MODEL_WEIGHTS } from './injection-model-weights.js';
import { originalSpan, type Skeleton } from './normalize.js';
import { preview } from './preview.js';
import type { DetectorFinding } from './types.js';

/**
 * The learned injection model's verdict: its weights decoded, a text's
 * features scored (the whole text's plus its strongest window's), and the
 * score explained by the features that weighed most, as a finding.
 */

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
  const { codes, values } = packedWeights();
  const w = new Float32Array(1 << MODEL_BITS);
  for (let i = 0; i < w.length; i++) w[i] = values[codes[i]! + 128]!;
  WEIGHTS = w;
  return w;
}

let PACKED: PackedWeights | undefined;
/** The weights as the generated module holds them, a byte per bucket, with the value of each byte (float32). */
export function packedWeights(): PackedWeights {
  if (PACKED) return PACKED;
  const bytes = atob(MODEL_WEIGHTS.weights);
  const codes = new Int8Array(1 << MODEL_BITS);
  for (let i = 0; i < codes.length && i < bytes.length; i++) codes[i] = bytes.charCodeAt(i);
  // Rounded to float32 as a Float32Array stores them: the sums are the same floats as over modelWeights().
  const values = Float64Array.from({ length: 256 }, (_, c) => Math.fround((c - 128) * MODEL_WEIGHTS.scale));
  PACKED = { codes, values };
  return PACKED;
}

/**
 * Where the deciding window lies in the original text: a window in the decoded stretches after the skeleton
 * points at the encoded run it read (the first it overlaps), one that straddles the skeleton's end at its part
 * of the skeleton.
 */
function spanOf(
  verdict: ModelVerdict,
  skeleton: Skeleton,
  text: string,
  decoded: readonly DecodedSegment[],
): [number, number] {
  const length = skeleton.text.length;
  if (verdict.start < length)
    return originalSpan(skeleton, text, verdict.start, Math.min(verdict.end, length));
  const segment = decoded.find((d) => d.to > verdict.start) ?? decoded[decoded.length - 1];
  return segment === undefined ? [text.length, text.length] : [segment.start, segment.end];
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
  const features = featuresOf(input, tokens, undefined, packedWeights());
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
  tokens: ReturnType<typeof tokensOf>,
  window: number,
  score: number,
  w: Float32Array,
): ModelVerdict['reasons'] {
  // Explaining re-reads only the deciding window, with labels.
  const explained = featuresOf(input, tokens, window);
  const from = explained.offsets[window]!;
  const to = explained.offsets[window + 1]!;
  // Entries by index: the window's buckets, then the whole text's. Only the few named get a label.
  const weights: number[] = [];
  for (let i = from; i < to; i++) weights.push(w[explained.buckets[i]!]!);
  for (let i = 0; i < explained.doc.length; i++) weights.push(w[explained.doc[i]!]!);
  const order = weights.map((_, i) => i);
  // What to name: the features that pushed towards the verdict (a stable sort: ties keep their order).
  const sign = score >= 0.5 ? 1 : -1;
  order.sort((a, b) => sign * (weights[b]! - weights[a]!));
  const docLabels = order.slice(0, REASONS).some((i) => i >= to - from) ? docLabelsOf(input) : [];
  return order
    .slice(0, REASONS)
    .filter((i) => sign * weights[i]! > 0)
    .map((i) => ({
      feature: i < to - from ? explained.labelOf!(from + i) : docLabels[i - (to - from)]!,
      weight: Math.round(weights[i]! * 100) / 100,
    }));
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
export function modelFinding(
  verdict: ModelVerdict,
  skeleton: Skeleton,
  text: string,
  decoded: readonly DecodedSegment[] = [],
): DetectorFinding {
  const [start, end] = spanOf(verdict, skeleton, text, decoded);
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
