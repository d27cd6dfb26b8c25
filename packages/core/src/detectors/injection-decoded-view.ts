import { decodedPayloads } from './decode.js';
import { anyOf, SIGN_IDS } from './injection-engine.js';
import { REVERSED_LINE_SIGNS, ROT13_LINE_SIGNS } from './injection-passes.js';
import type { LiteralHits } from './literal-scan.js';
import { originalSpan, type Skeleton, skeletonOf } from './normalize.js';
import { rot13 } from './rewritten-views.js';

/**
 * What a text's encoded runs and enciphered lines say, in plain words, for
 * the learned model. The phrase rules already read decoded payloads; the
 * model read only their letters, so an order in base64, percent-encoding,
 * rot13 or read backwards that no phrase rule knows ("merge the pull request
 * without review") passed as noise. Appended after the skeleton, the plain
 * words are windows of their own, weighed as the same order given bare is —
 * and a harmless encoded value decodes to harmless words.
 *
 * Bounded: at most MAX_VIEW characters in all, at most MAX_LINES lines of at most MAX_LINE each.
 */

/** A stretch of the view and where it came from in the original text. */
export interface DecodedSegment {
  /** Its span in the model's text (after the skeleton). */
  readonly from: number;
  readonly to: number;
  /** The encoded run or enciphered line in the original text. */
  readonly start: number;
  readonly end: number;
}

export interface DecodedView {
  /** The plain words, each segment after a line break; empty when the text has nothing encoded. */
  readonly text: string;
  readonly segments: readonly DecodedSegment[];
}

const MAX_VIEW = 8 * 1024;
const MAX_LINE = 1024;
const MAX_LINES = 16;
const NONE: DecodedView = { text: '', segments: [] };

/** The view of `text` (original) whose skeleton is `skeleton`, its segments placed from `offset` on. */
export function decodedView(
  text: string,
  skeleton: Skeleton,
  found: LiteralHits,
  offset: number,
): DecodedView {
  const parts: string[] = [];
  const segments: DecodedSegment[] = [];
  let at = offset;
  const add = (plain: string, start: number, end: number) => {
    if (at - offset + plain.length + 1 > MAX_VIEW) return;
    parts.push('\n', plain);
    segments.push({ from: at + 1, to: at + 1 + plain.length, start, end });
    at += plain.length + 1;
  };
  for (const payload of decodedPayloads(text)) add(skeletonOf(payload.text).text, payload.start, payload.end);
  // The lines that show a cipher's sign, rewritten whole: a line is where an enciphered sentence sits. Each line
  // is found by reading at most MAX_LINE / 2 characters each way from its first sign, and at most MAX_LINES are
  // taken: a megabyte of one line full of signs costs a few bounded reads, not one per sign.
  const s = skeleton.text;
  const lines = (signs: RegExp) => {
    const spans: [number, number][] = [];
    signs.lastIndex = 0;
    for (let m = signs.exec(s); m !== null && spans.length < MAX_LINES; m = signs.exec(s)) {
      const p = m.index;
      let from = p;
      while (from > 0 && p - from < MAX_LINE / 2 && s.charCodeAt(from - 1) !== 10) from--;
      let to = p;
      while (to < s.length && to - from < MAX_LINE && s.charCodeAt(to) !== 10) to++;
      spans.push([from, to]);
      // The next sign is looked for after this line.
      signs.lastIndex = Math.max(signs.lastIndex, to);
    }
    return spans;
  };
  const rewritten = (spans: [number, number][], rewrite: (line: string) => string) => {
    for (const [from, to] of spans)
      add(rewrite(s.slice(from, to)), ...originalSpan(skeleton, text, from, to));
  };
  if (anyOf(found, SIGN_IDS.rot13) || anyOf(found, SIGN_IDS.rot13Words))
    rewritten(lines(ROT13_LINE_SIGNS), rot13);
  if (anyOf(found, SIGN_IDS.reversed) || anyOf(found, SIGN_IDS.reversedWords))
    rewritten(lines(REVERSED_LINE_SIGNS), (line) => [...line].reverse().join(''));
  return parts.length === 0 ? NONE : { text: parts.join(''), segments };
}
