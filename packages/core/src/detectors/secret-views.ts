import { decodedPayloads, longRuns } from './decode.js';
import { isBidiControl, isHarmlessFormat, isInvisible } from './normalize.js';
import { detectSecrets, mayHoldSecret, secretTriggers } from './secrets.js';
import type { Copy } from './triggered-exec.js';
import type { DetectorFinding } from './types.js';
import { stringOf, unitBuffer, wipe } from './unit-buffers.js';

/**
 * Secrets in disguise: the secret formats run again over views of the text
 * that undo what an agent (or an injected instruction) does to slip a
 * credential past a pattern, as the injection detector reads its views:
 *
 * - characters folded, case kept: zero-width and format characters dropped,
 *   full-width and other compatibility forms NFKC-folded (`ｇｈｐ＿…`);
 * - payloads decoded one level: base64, hex, escapes (decode.ts);
 * - groups joined: `ghp_ 4Vq8 ZrT2 …` or `4Vq8-ZrT2-…` read without the separators;
 * - token-like runs read backwards.
 *
 * Each finding covers the disguised run in the original text, so redaction
 * replaces all of it. Linear in the text; each view is bounded.
 */

/** Runs of short groups split by one or two separators: 5 groups or more. */
const GROUPED =
  /(?<![A-Za-z0-9_])[A-Za-z0-9_]{2,12}(?:[ \-.:|,]{1,2}[A-Za-z0-9_]{2,12}){4,40}(?![A-Za-z0-9_])/g;
/** Token-like runs worth reading backwards: the matches of /[A-Za-z0-9_\-+/=.]{20,600}/g (see tokenRuns). */
const MAX_RUNS = 64;
const MIN_TOKEN_RUN = 20;
const MAX_TOKEN_RUN = 600;
const TOKEN_UNIT = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = /[A-Za-z0-9_\-+/=.]/.test(String.fromCharCode(c)) ? 1 : 0;
  return table;
})();

/**
 * The first `limit` matches of /[A-Za-z0-9_\-+/=.]{20,600}/g, found in one
 * pass over the code units. INVARIANT: the same spans: the pattern cuts each
 * maximal run of those characters into pieces of 600 from its start, and
 * a last piece shorter than 20 does not match.
 */
export function tokenRuns(text: string, limit: number): [number, number][] {
  const spans: [number, number][] = [];
  if (limit <= 0) return spans;
  longRuns(text, TOKEN_UNIT, MIN_TOKEN_RUN, (i, end) => {
    for (let p = i; end - p >= MIN_TOKEN_RUN && spans.length < limit; p += MAX_TOKEN_RUN)
      spans.push([p, Math.min(p + MAX_TOKEN_RUN, end)]);
    return spans.length < limit;
  });
  return spans;
}
/** `[A-Za-z0-9_ \-.:|,]`, what GROUPED's matches are made of, by ASCII code. */
const GROUPED_UNIT = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = /[A-Za-z0-9_ \-.:|,]/.test(String.fromCharCode(c)) ? 1 : 0;
  return table;
})();

/**
 * Calls `visit(index, run)` for each match of GROUPED that holds three digits or more (prose is words split by
 * spaces too: a credential split into groups carries digits), in order, while `visit` returns true. The pattern
 * runs only over the stretches of GROUPED_UNIT that hold three digits. INVARIANT: the same matches as one search
 * over the whole text: a match lies inside one stretch, and a stretch's matches do not depend on the text
 * outside it but for the unit either side, which its search reads too.
 */
function groupedRuns(text: string, visit: (index: number, run: string) => boolean): void {
  const n = text.length;
  const isUnit = (i: number) => {
    const c = text.charCodeAt(i);
    return c < 128 && GROUPED_UNIT[c] === 1;
  };
  // Stretches are read from the digits a search finds: a text with few digits is not read unit by unit.
  const digit = /\d/g;
  while (digit.test(text)) {
    const at = digit.lastIndex - 1;
    let start = at;
    while (start > 0 && isUnit(start - 1)) start--;
    let end = at;
    let digits = 0;
    for (; end < n && isUnit(end); end++) {
      const c = text.charCodeAt(end);
      if (c >= 48 && c <= 57) digits++;
    }
    digit.lastIndex = end;
    if (digits < 3) continue;
    const from = Math.max(0, start - 1);
    const slice = text.slice(from, Math.min(n, end + 1));
    GROUPED.lastIndex = start - from;
    for (let m = GROUPED.exec(slice); m !== null; m = GROUPED.exec(slice)) {
      if (hasDigits(m[0], 3) && !visit(from + m.index, m[0])) return;
    }
  }
}

/** Whether `text` holds at least `count` ASCII digits. */
function hasDigits(text: string, count: number): boolean {
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++seen >= count) return true;
  }
  return false;
}

/** `[A-Za-z0-9_]`, by code unit. */
const isGroupUnit = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The matches of /[A-Za-z0-9_]+/g in `run`: its groups and their offsets. */
function groupsOf(run: string): { text: string; index: number }[] {
  const groups: { text: string; index: number }[] = [];
  for (let i = 0; i < run.length; ) {
    if (!isGroupUnit(run.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < run.length && isGroupUnit(run.charCodeAt(i))) i++;
    groups.push({ text: run.slice(start, i), index: start });
  }
  return groups;
}

/** Joins tried over all grouped runs of one text. */
const MAX_GROUP_TRIES = 256;

/** `detectSecrets` over the text and over its disguise-undoing views, without repeating a span. */
export function detectSecretsInViews(text: string, perFormat?: number): DetectorFinding[] {
  const triggers = secretTriggers(text);
  const findings = detectSecrets(text, perFormat, triggers);
  const taken: [number, number][] = findings.map((f) => [f.start, f.end]);
  const add = (found: readonly DetectorFinding[], start: number, end: number, carrier: string) => {
    if (found.length === 0 || taken.some(([s, e]) => start < e && end > s)) return;
    taken.push([start, end]);
    const first = found[0]!;
    findings.push({ ...first, start, end, carrier, reason: `${first.reason} (${carrier})` });
  };

  const folded = foldedView(text);
  if (folded !== undefined) {
    // The view copies most of the text: its triggers are the text's, moved, and those near what folding changed.
    for (const f of detectSecrets(folded.text, perFormat, triggers.ofView(folded.text, folded.copies))) {
      add([f], folded.origin(f.start), folded.origin(f.end), 'folded characters');
    }
  }
  for (const payload of decodedPayloads(text, 'tokens'))
    add(detectSecrets(payload.text, 1), payload.start, payload.end, payload.carrier);
  let tries = 0;
  groupedRuns(text, (index, run) => {
    // The run may begin with words before the secret ("the key: ghp_ 4Vq8 …"): it is joined
    // from each group on, so a format anchored at its start can match.
    const groups = groupsOf(run);
    // Each join is a part of the whole join: when that holds no trigger, none does, and only the tries are
    // counted (INVARIANT: the same count as joining each, so that the budget ends where it did).
    const whole = groups.map((g) => g.text).join('');
    if (!mayHoldSecret(whole)) {
      let rest = whole.length;
      for (let g = 0; g < groups.length; g++) {
        if (tries++ >= MAX_GROUP_TRIES || rest < 16) break;
        rest -= groups[g]!.text.length;
      }
      return tries < MAX_GROUP_TRIES;
    }
    for (let g = 0; g < groups.length; g++) {
      if (tries++ >= MAX_GROUP_TRIES) break;
      let joined = '';
      const at: number[] = [];
      for (const group of groups.slice(g)) {
        joined += group.text;
        for (let k = 0; k < group.text.length; k++) at.push(index + group.index + k);
      }
      if (joined.length < 16) break;
      const [found] = detectSecrets(joined, 1);
      if (found) add([found], at[found.start]!, at[found.end - 1]! + 1, 'split into groups');
    }
    return tries < MAX_GROUP_TRIES;
  });
  for (const [start, end] of tokenRuns(text, MAX_RUNS)) {
    const run = text.slice(start, end);
    if (mayHoldSecret(run, true)) add(detectSecrets([...run].reverse().join(''), 1), start, end, 'reversed');
  }
  return findings;
}

/**
 * Whether `detectSecretsInViews` can find anything in `text`: a format's
 * trigger, or what a view needs — a non-ASCII unit (folded), an escape or a
 * run of token characters (decoded, reversed), three digits (groups).
 */
export function mayHoldSecretInViews(text: string): boolean {
  return (
    mayHoldSecret(text) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a unit outside ASCII is what folding changes
    /[^\u0000-\u007f]|[%\\]|&#|\d\D*\d\D*\d/.test(text) ||
    tokenRuns(text, 1).length > 0
  );
}

/**
 * The text with invisible and format characters dropped and compatibility
 * forms folded (NFKC, per character), case kept; `origin(i)` is the original
 * offset of view position `i` (the text's length one past the end);
 * `copies`: the stretches of the view copied from the text, in order.
 * Undefined when the view would be the text itself: then it cannot hold a
 * secret the text does not. One pass over the code units; only non-ASCII
 * characters are looked up, and the offsets are kept per piece, not per unit.
 */
export function foldedView(
  text: string,
): { text: string; origin: (at: number) => number; copies: readonly Copy[] } | undefined {
  const parts: string[] = [];
  /** Per piece of the view: where it starts in the view, where it comes from, and whether it was copied. */
  const viewStarts: number[] = [];
  const origins: number[] = [];
  const copiedPiece: boolean[] = [];
  let n = 0;
  let copied = 0;
  const piece = (out: string, from: number, copy: boolean) => {
    parts.push(out);
    viewStarts.push(n);
    origins.push(from);
    copiedPiece.push(copy);
    n += out.length;
  };
  // Only non-ASCII units can change: a search jumps over ASCII to the next one, and a run of them (a text in
  // another script) is read unit by unit, without a search or a string per character.
  const wide = /[\u0080-\uffff]/g;
  for (let i = 0; i < text.length; ) {
    if (text.charCodeAt(i) < 0x80) {
      wide.lastIndex = i;
      if (!wide.test(text)) break;
      i = wide.lastIndex - 1;
    }
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const dropped = isInvisible(cp) || isBidiControl(cp) || isHarmlessFormat(cp);
    const out = dropped ? '' : width === 1 ? foldUnit(cp) : foldOne(cp, text.slice(i, i + 2));
    const same = width === 1 ? out.length === 1 && out.charCodeAt(0) === cp : out === text.slice(i, i + 2);
    if (!same) {
      if (i > copied) piece(text.slice(copied, i), copied, true);
      // Every unit of a folded character stands for the character's offset.
      if (out.length > 0) piece(out, i, false);
      copied = i + width;
    }
    i += width;
  }
  if (parts.length === 0 && copied === 0) return undefined;
  if (text.length > copied) piece(text.slice(copied), copied, true);
  const origin = (at: number): number => {
    if (at >= n) return text.length;
    let lo = 0;
    let hi = viewStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (viewStarts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return copiedPiece[lo] ? origins[lo]! + (at - viewStarts[lo]!) : origins[lo]!;
  };
  const copies: Copy[] = [];
  viewStarts.forEach((viewStart, k) => {
    if (copiedPiece[k])
      copies.push({ viewStart, viewEnd: viewStart + parts[k]!.length, origin: origins[k]! });
  });
  return { text: joined(parts, n), origin, copies };
}

/** `parts.join('')`, `length` units long, written into a kept buffer: one copy, no fresh memory for a long view. */
function joined(parts: readonly string[], length: number): string {
  const buffer = unitBuffer(1, length);
  let at = 0;
  for (const part of parts) at += buffer.write(part, at, 'utf16le');
  const view = stringOf(buffer, length);
  wipe(buffer, length);
  return view;
}

const foldCache = new Map<number, string>();
/** The folds of BMP units, by unit: an array look-up per character of a text in another script (made on first use). */
let foldBmp: (string | undefined)[] | undefined;

function foldUnit(unit: number): string {
  foldBmp ??= new Array(0x10000);
  let out = foldBmp[unit];
  if (out === undefined) {
    out = String.fromCharCode(unit).normalize('NFKC');
    foldBmp[unit] = out;
  }
  return out;
}

function foldOne(cp: number, ch: string): string {
  let out = foldCache.get(cp);
  if (out === undefined) {
    out = ch.normalize('NFKC');
    if (foldCache.size < 8192) foldCache.set(cp, out);
  }
  return out;
}
