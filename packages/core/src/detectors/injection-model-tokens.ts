/**
 * The learned injection model's tokens: the skeleton cut into words (each
 * ideographic character one word), hashed (FNV-1a), numbers and ids
 * collapsed to one token, line breaks kept as tokens of their own. Linear in
 * the text; arrays reused across texts of up to SCRATCH_UNITS units.
 */

/** FNV-1a over a string's code units. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}
export const pair = (a: number, b: number) =>
  Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) ^ 0x5bd1e995;

export const NEWLINE = hashString('<nl>');
/** Words with digits in them (ids, SKUs, times) and numbers are one token each: their values are a generator's. */
export const ALNUM = hashString('<w0>');
export const NUMBER = hashString('<0>');

const isLower = (c: number) => c >= 97 && c <= 122;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 10 || c === 0xa0;
/** Scripts written without spaces: each character is a token (bigrams then read like words). */
const isIdeographic = (c: number) =>
  (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af);

export interface Tokens {
  readonly count: number;
  /** 1 where the token is a word or number, 0 for a mark or a line break. */
  readonly words: Uint8Array;
  readonly hashes: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/**
 * Token arrays kept between texts, grown as a text needs, for up to this many tokens (a megabyte of prose has
 * about a quarter million; 13 bytes each): a megabyte's tokens written into fresh memory cost more in page
 * faults than tokenizing does.
 */
const KEEP_TOKENS = 1 << 18;
/** The first capacity: a text of a few pages. */
const FIRST_TOKENS = 1 << 15;
interface TokenArrays {
  hashes: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  words: Uint8Array;
}
let SCRATCH: TokenArrays | undefined;

/** Arrays for `capacity` tokens holding the first `count` of `from`'s (kept when small enough). */
function tokenArrays(capacity: number, from: TokenArrays | undefined, count: number): TokenArrays {
  const arrays = {
    hashes: new Int32Array(capacity),
    starts: new Int32Array(capacity),
    ends: new Int32Array(capacity),
    words: new Uint8Array(capacity),
  };
  if (from !== undefined) {
    arrays.hashes.set(from.hashes.subarray(0, count));
    arrays.starts.set(from.starts.subarray(0, count));
    arrays.ends.set(from.ends.subarray(0, count));
    arrays.words.set(from.words.subarray(0, count));
  }
  if (capacity <= KEEP_TOKENS) SCRATCH = arrays;
  return arrays;
}

/**
 * Word, number, punctuation and line-break tokens of the skeleton; a run of one punctuation mark is one token.
 * INVARIANT: the arrays may be shared with the next call's: read them before tokenizing another text.
 */
export function tokenize(text: string): Tokens {
  const n = text.length;
  // At most one token per unit: the arrays grow (doubling) as tokens come, up to that.
  let arrays = SCRATCH ?? tokenArrays(FIRST_TOKENS, undefined, 0);
  let { hashes, starts, ends, words } = arrays;
  let capacity = hashes.length;
  let count = 0;
  // Tokens are written in place, not through a helper: a closure per call kept the loop from being compiled tight.
  let i = 0;
  while (i < n) {
    if (count === capacity) {
      arrays = tokenArrays(Math.min(capacity * 2, n + 1), arrays, count);
      ({ hashes, starts, ends, words } = arrays);
      capacity = hashes.length;
    }
    const c = text.charCodeAt(i);
    const s = i;
    let h: number;
    let word = 1;
    if (c === 10) {
      i++;
      // A line break and the blank space after it (more breaks included) are one token.
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      words[count] = 0;
      hashes[count] = NEWLINE;
      starts[count] = s;
      ends[count] = s + 1;
      count++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (isLower(c) || isDigit(c)) {
      h = 0x811c9dc5;
      let digits = false;
      let letters = false;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (isLower(d)) letters = true;
        else if (isDigit(d)) digits = true;
        else break;
        h = Math.imul(h ^ d, 0x01000193);
      }
      if (digits) h = letters ? ALNUM : NUMBER;
    } else if (c < 128) {
      i++;
      while (i < n && text.charCodeAt(i) === c) i++;
      h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
      word = 0;
    } else if (isIdeographic(c)) {
      h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
      i++;
    } else {
      // Other scripts (Cyrillic, Greek, …) and non-ASCII marks: a run up to a space or an ASCII character.
      h = 0x811c9dc5;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d < 128 || isSpace(d) || isIdeographic(d)) break;
        h = Math.imul(h ^ d, 0x01000193);
      }
    }
    words[count] = word;
    hashes[count] = h | 0;
    starts[count] = s;
    ends[count] = i;
    count++;
  }
  return { count, words, hashes, starts, ends };
}

/** The first token whose end is after `at`: the token a hit starting at `at` begins in. */
export function tokenAt(tokens: Tokens, at: number): number {
  let lo = 0;
  let hi = tokens.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens.ends[mid]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
