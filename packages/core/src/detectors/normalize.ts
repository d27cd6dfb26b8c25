import { grownBuffer, stringOf, unitBuffer, unitsOf, wipe } from './unit-buffers.js';

/**
 * The text the injection rules read: a "skeleton" of the input in which
 * lookalikes collapse to one form, so that `ＩＧＮＯＲＥ`, `іgnore` (Cyrillic і),
 * `𝐢𝐠𝐧𝐨𝐫𝐞`, `ig\u200Bnore` and `ignore` all read `ignore`.
 *
 * Per code point: NFKD and accents dropped below the CJK blocks (so `précédentes`
 * reads `precedentes`), NFKC from there on (full-width forms become ASCII, kana
 * keep their voicing marks), then lower case, then a table of the confusables
 * attackers use (UTS #39 lookalikes of Latin letters). Invisible characters are
 * dropped and counted, Unicode tag characters (U+E0020–E007E, "ASCII
 * smuggling") are decoded to the ASCII they hide. An offset map leads every
 * skeleton position back to the original, so findings point at the input.
 */

/** The skeleton of a text and what normalizing it revealed. */
export interface Skeleton {
  readonly text: string;
  /** Original offset of each skeleton position (plus one past the end); absent when the two coincide. */
  readonly map?: Int32Array;
  /** Zero-width and other invisible characters removed. */
  readonly invisible: number;
  /** Bidirectional overrides and isolates (Trojan Source, CVE-2021-42574). */
  readonly bidi: number;
  /** Unicode tag characters decoded. */
  readonly tags: number;
  /** Lookalike letters from another script placed next to Latin letters. */
  readonly mixedScript: number;
  /** Original offset of the first hidden character, or -1. */
  readonly firstHidden: number;
}

const NON_ASCII = /[\u0080-\uffff]/g;

/** Letters of other scripts that render like Latin ones. */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  ԁ: 'd',
  һ: 'h',
  ԛ: 'q',
  ԝ: 'w',
  ɑ: 'a',
  ɡ: 'g',
  ı: 'i',
  ο: 'o',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  օ: 'o',
  ⅼ: 'l',
};

/** Code points removed as invisible: zero-width, word joiners, soft hyphen, BOM, Mongolian vowel separator. */
export function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200d) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x180e ||
    cp === 0x034f
  );
}

/** Overrides and isolates that reorder what is displayed. */
export function isBidiControl(cp: number): boolean {
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/** Dropped without comment: marks that legitimate text carries (LRM/RLM, variation selectors). */
export function isHarmlessFormat(cp: number): boolean {
  return cp === 0x200e || cp === 0x200f || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/** What one visible code point becomes in the skeleton, and whether it is a lookalike of a Latin letter. */
export interface Folded {
  readonly text: string;
  readonly lookalike: boolean;
}

/** Folds by code point: one lookup per character of a text in another script, computed once per code point. */
const foldCache = new Map<number, Folded>();
const MAX_FOLD_CACHE = 8192;

/**
 * Folds of BMP code points, by code point: an array look-up, where a text in another script spends its time.
 * Made on the first text with a character past ASCII (a process that reads none does not pay for it).
 */
let foldBmp: (Folded | undefined)[] | undefined;

/** The skeleton form of the visible code point `cp` that starts at `text[i]` (`width` units). */
function foldAt(cp: number, text: string, i: number, width: number): Folded {
  if (cp < 0x10000) {
    foldBmp ??= new Array(0x10000);
    let folded = foldBmp[cp];
    if (folded === undefined) {
      folded = fold(cp, text[i]!);
      foldBmp[cp] = folded;
    }
    return folded;
  }
  return fold(cp, text.slice(i, i + width));
}

/** The skeleton form of one visible code point (exported for the tests' reference skeleton). */
export function fold(cp: number, ch: string): Folded {
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  let s = ch.normalize(cp < 0x2e80 ? 'NFKD' : 'NFKC').toLowerCase();
  if (cp < 0x2e80) s = s.replace(/[\u0300-\u036f]/g, '');
  let out = '';
  for (const c of s) out += CONFUSABLES[c] ?? c;
  // A letter of another script that folds to a different single Latin-looking letter (а → a).
  const lower = ch.toLowerCase();
  const folded = {
    text: out,
    lookalike: out.length === 1 && out !== lower && CONFUSABLES[lower] !== undefined,
  };
  if (foldCache.size < MAX_FOLD_CACHE) foldCache.set(cp, folded);
  return folded;
}

const isAsciiLetter = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * The skeleton of `text`. Linear in the length of `text`; pure ASCII takes a
 * fast path (lower case only).
 */
export function skeletonOf(text: string): Skeleton {
  NON_ASCII.lastIndex = 0;
  if (!NON_ASCII.test(text)) {
    return {
      text: unescapeBreaks(text.toLowerCase()),
      invisible: 0,
      bidi: 0,
      tags: 0,
      mixedScript: 0,
      firstHidden: -1,
    };
  }
  // The text's units are copied into a buffer and read there, and the skeleton's written into another, which
  // becomes one string at the end: no string per run or piece, no lower-cased copy of the whole text.
  const length = text.length;
  const source = unitBuffer(0, length);
  source.write(text, 0, 'utf16le');
  // INVARIANT: read below `length` only (the buffer may hold an earlier, longer text past it).
  const units = unitsOf(source);
  let target = unitBuffer(1, length + 16);
  let out = unitsOf(target);
  // Room for `count` more units; folding may lengthen the text (ligatures, compatibility forms).
  const reserve = (count: number) => {
    if (n + count <= out.length) return;
    target = grownBuffer(1, target, n, n + count);
    out = unitsOf(target);
  };
  // The offset map is written only from the first character whose skeleton differs in length from it: most
  // texts with accents or CJK fold one unit to one unit, and need no map at all.
  let map: Int32Array | undefined;
  // Units of the skeleton written so far.
  let n = 0;
  const room = (count: number) => {
    if (map === undefined) {
      map = new Int32Array(length + 16 + count);
      for (let k = 0; k < n; k++) map[k] = k;
    } else if (n + count >= map.length) {
      const grown = new Int32Array(map.length * 2 + count);
      grown.set(map);
      map = grown;
    }
  };
  /** Records that skeleton units n - count .. n - 1 come from original offset `at` (or `at` onwards, `run`). */
  const mapTo = (at: number, count: number, run: boolean) => {
    if (map === undefined && n - count === at && (run || count === 1)) return;
    room(count);
    for (let k = 0; k < count; k++) map![n - count + k] = run ? at + k : at;
  };
  let invisible = 0;
  let bidi = 0;
  let tags = 0;
  let mixedScript = 0;
  let firstHidden = -1;
  // The last unit written (-1: none yet).
  let last = -1;
  // Whether the skeleton may hold an escaped line break: a backslash in the text, or one that folding made.
  let backslash = false;
  const hidden = (at: number) => {
    if (firstHidden < 0) firstHidden = at;
  };
  for (let i = 0; i < length; ) {
    const c = units[i]!;
    if (c < 0x80) {
      let end = i + 1;
      while (end < length && units[end]! < 0x80) end++;
      reserve(end - i);
      for (let k = i; k < end; k++) {
        const u = units[k]!;
        if (u === 92) backslash = true;
        out[n++] = u >= 65 && u <= 90 ? u + 32 : u;
      }
      last = out[n - 1]!;
      mapTo(i, end - i, true);
      i = end;
      continue;
    }
    const next = i + 1 < length ? units[i + 1]! : 0;
    const cp =
      c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff
        ? ((c - 0xd800) << 10) + (next - 0xdc00) + 0x10000
        : c;
    const width = cp > 0xffff ? 2 : 1;
    if (isInvisible(cp)) {
      invisible++;
      hidden(i);
      // Dropped: later units no longer sit at their own offsets.
      room(0);
    } else if (isBidiControl(cp)) {
      bidi++;
      hidden(i);
      room(0);
    } else if (cp >= 0xe0020 && cp <= 0xe007e) {
      tags++;
      hidden(i);
      last = lowerAscii(cp - 0xe0000);
      if (last === 92) backslash = true;
      reserve(1);
      out[n++] = last;
      room(1);
      mapTo(i, 1, false);
    } else if (!isHarmlessFormat(cp) && !(cp >= 0xe0000 && cp <= 0xe007f)) {
      const { text: folded, lookalike } = foldAt(cp, text, i, width);
      if (lookalike) {
        const after = i + width < length ? units[i + width]! : -1;
        const isLetter =
          after < 0
            ? false
            : after < 0x80
              ? (after >= 65 && after <= 90) || (after >= 97 && after <= 122)
              : isAsciiLetter(text[i + width]?.toLowerCase());
        if ((last >= 97 && last <= 122) || isLetter) mixedScript++;
      }
      reserve(folded.length);
      for (let k = 0; k < folded.length; k++) {
        const u = folded.charCodeAt(k);
        if (u === 92) backslash = true;
        out[n++] = u;
      }
      if (folded.length > 0) last = folded.charCodeAt(folded.length - 1);
      if (folded.length !== width) room(folded.length);
      mapTo(i, folded.length, false);
    } else room(0);
    i += width;
  }
  if (backslash) unescapeUnits(out, n);
  const skeleton = stringOf(target, n);
  wipe(source, length);
  wipe(target, n);
  if (map === undefined) return { text: skeleton, invisible, bidi, tags, mixedScript, firstHidden };
  room(1);
  map![n] = length;
  return { text: skeleton, map: map!.subarray(0, n + 1), invisible, bidi, tags, mixedScript, firstHidden };
}

/** unescapeBreaks over units in place: each `\n`, `\t` or `\r`, read left to right as the pattern reads, becomes two spaces. */
function unescapeUnits(out: Uint16Array, n: number): void {
  for (let k = 0; k + 1 < n; k++) {
    if (out[k] !== 92) continue;
    const d = out[k + 1];
    if (d === 110 || d === 116 || d === 114) {
      out[k] = 32;
      out[k + 1] = 32;
      k++;
    }
  }
}

/**
 * Escaped line breaks (`\n` in JSON text, iCalendar descriptions) read as
 * spaces, so that the word after one starts a word. Same length: the offset
 * map still holds.
 */
function unescapeBreaks(text: string): string {
  return text.includes('\\') ? text.replace(/\\[ntr]/g, '  ') : text;
}

/** The original span of a skeleton span (`text` is the original the skeleton was made from). */
export function originalSpan(skeleton: Skeleton, text: string, start: number, end: number): [number, number] {
  const map = skeleton.map;
  if (!map) return [start, end];
  const s = map[Math.min(start, map.length - 1)]!;
  if (end <= start) return [s, s];
  const last = map[Math.min(end - 1, map.length - 1)]!;
  const code = text.charCodeAt(last);
  // A character outside the BMP occupies two UTF-16 units; the span ends after both.
  return [s, last + (code >= 0xd800 && code <= 0xdbff ? 2 : 1)];
}
