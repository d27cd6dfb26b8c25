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

/** ASCII runs at least this long are sliced from the lower-cased text; shorter ones are copied unit by unit. */
const LONG_RUN = 32;
const lowerAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
/** The units of the skeleton's pieces before they become a string (reused: a scan is synchronous). */
let PIECE_UNITS: Uint16Array | undefined;
const pieceUnits = () => {
  PIECE_UNITS ??= new Uint16Array(4096);
  return PIECE_UNITS;
};

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
  // Pieces of the skeleton, joined once at the end: appending to one string flattens it over and over. Long
  // ASCII runs are slices of the lower-cased text; everything else (short runs, folded characters) is written
  // unit by unit into a buffer that becomes one piece when it fills: a text that switches script every few
  // characters would otherwise make a string, a search and a piece per character.
  const parts: string[] = [];
  const units = pieceUnits();
  let pending = 0;
  const flush = () => {
    if (pending === 0) return;
    parts.push(String.fromCharCode.apply(null, units.subarray(0, pending) as unknown as number[]));
    pending = 0;
  };
  const put = (unit: number) => {
    if (pending === units.length) flush();
    units[pending++] = unit;
  };
  // Lower-cased once, on the first long ASCII run; those runs are slices of it when lower-casing kept the length.
  // INVARIANT: no lower-case mapping shortens a character and only U+0130 (İ) lengthens one, so an unchanged
  // length means every position kept its place.
  let lowered: string | undefined;
  const lowerRun = (from: number, to: number) => {
    lowered ??= text.toLowerCase();
    return lowered.length === text.length ? lowered.slice(from, to) : text.slice(from, to).toLowerCase();
  };
  // The offset map is written only from the first character whose skeleton differs in length from it: most
  // texts with accents or CJK fold one unit to one unit, and need no map at all.
  let map: Int32Array | undefined;
  let n = 0;
  const room = (count: number) => {
    if (map === undefined) {
      map = new Int32Array(text.length + 16 + count);
      for (let k = 0; k < n; k++) map[k] = k;
    } else if (n + count >= map.length) {
      const grown = new Int32Array(map.length * 2 + count);
      grown.set(map);
      map = grown;
    }
  };
  /** Records that skeleton units n .. n + count - 1 come from original offset `at` (or `at` onwards, `run`). */
  const mapTo = (at: number, count: number, run: boolean) => {
    if (map === undefined && n === at && (run || count === 1)) {
      n += count;
      return;
    }
    room(count);
    for (let k = 0; k < count; k++) map![n++] = run ? at + k : at;
  };
  let invisible = 0;
  let bidi = 0;
  let tags = 0;
  let mixedScript = 0;
  let firstHidden = -1;
  // The last unit written (-1: none yet).
  let last = -1;
  const hidden = (at: number) => {
    if (firstHidden < 0) firstHidden = at;
  };
  // The next non-ASCII unit, found by a search rather than a unit-by-unit walk once a run proves long.
  const wide = /[\u0080-\uffff]/g;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    if (cp < 0x80) {
      // A short run of ASCII is copied unit by unit, lower case; a long one is found by a search and sliced.
      let end = i;
      while (end < text.length && end - i < LONG_RUN && text.charCodeAt(end) < 0x80) end++;
      if (end - i < LONG_RUN) {
        for (let k = i; k < end; k++) put(lowerAscii(text.charCodeAt(k)));
      } else {
        wide.lastIndex = end;
        end = wide.test(text) ? wide.lastIndex - 1 : text.length;
        flush();
        parts.push(lowerRun(i, end));
      }
      last = lowerAscii(text.charCodeAt(end - 1));
      mapTo(i, end - i, true);
      i = end;
      continue;
    }
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
      put(last);
      room(1);
      mapTo(i, 1, false);
    } else if (!isHarmlessFormat(cp) && !(cp >= 0xe0000 && cp <= 0xe007f)) {
      const { text: folded, lookalike } = foldAt(cp, text, i, width);
      if (lookalike) {
        const next = text.charCodeAt(i + width);
        const after =
          next < 0x80
            ? (next >= 65 && next <= 90) || (next >= 97 && next <= 122)
            : isAsciiLetter(text[i + width]?.toLowerCase());
        if ((last >= 97 && last <= 122) || after) mixedScript++;
      }
      for (let k = 0; k < folded.length; k++) put(folded.charCodeAt(k));
      if (folded.length > 0) last = folded.charCodeAt(folded.length - 1);
      if (folded.length !== width) room(folded.length);
      mapTo(i, folded.length, false);
    } else room(0);
    i += width;
  }
  flush();
  const out = unescapeBreaks(parts.join(''));
  if (map === undefined) return { text: out, invisible, bidi, tags, mixedScript, firstHidden };
  room(1);
  map![n++] = text.length;
  return { text: out, map: map!.subarray(0, n), invisible, bidi, tags, mixedScript, firstHidden };
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
