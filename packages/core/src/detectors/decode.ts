import { isUtf8 } from 'node:buffer';

/**
 * Encoded runs in a text, decoded one level (base64, hex, `\x` escapes,
 * percent-encoding, HTML numeric entities, `\u` escapes). Injection payloads
 * are hidden this way so that a keyword filter reads noise; the decoded text
 * is scanned like any other, and never decoded again (one level: bounded cost).
 */

/** A decoded run: where it was in the original and what it says. */
export interface DecodedPayload {
  readonly carrier: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Runs decoded per text, and the longest run decoded: bounds on work and memory. */
const MAX_PAYLOADS = 64;
const MAX_RUN = 64 * 1024;

/**
 * The encodings, each with the literal its runs cannot do without (`\\x`, `%`, …): a text without it
 * is not searched for that encoding. Base64 and hex have none; their runs are found by `tokenRuns`.
 */
const ENCODINGS: readonly {
  carrier: string;
  pattern: RegExp;
  needs?: string;
  decode: (run: string) => string | undefined;
}[] = [
  { carrier: 'base64', pattern: /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g, decode: fromBase64 },
  {
    carrier: 'hex',
    pattern: /(?<![0-9a-zA-Z])(?:[0-9a-fA-F]{2}){12,}(?![0-9a-zA-Z])/g,
    decode: (run) => fromBytes(hexBytes(run)),
  },
  {
    carrier: 'hex-escapes',
    pattern: /(?:\\x[0-9a-fA-F]{2}){8,}/g,
    needs: '\\x',
    decode: (run) => fromBytes(hexBytes(run.replace(/\\x/g, ''))),
  },
  {
    carrier: 'percent-encoding',
    pattern: /%[0-9a-fA-F]{2}/g,
    needs: '%',
    decode: (run) => fromBytes(percentBytes(run)),
  },
  {
    carrier: 'html-entities',
    pattern: /(?:&#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});){8,}/g,
    needs: '&#',
    decode: (run) =>
      codePoints(
        [...run.matchAll(/&#(x?)([0-9a-fA-F]{1,7});/g)].map((m) =>
          Number.parseInt(m[2]!, m[1] === 'x' ? 16 : 10),
        ),
      ),
  },
  {
    carrier: 'unicode-escapes',
    pattern: /(?:\\u[0-9a-fA-F]{4}){8,}/g,
    needs: '\\u',
    decode: (run) =>
      codePoints([...run.matchAll(/\\u([0-9a-fA-F]{4})/g)].map((m) => Number.parseInt(m[1]!, 16))),
  },
];

/** Both readings of one text's payloads: the injection and the secret detectors ask for the same text in turn. */
let lastText: string | undefined;
let lastPayloads: Readonly<Record<'prose' | 'tokens', readonly DecodedPayload[]>> | undefined;

/**
 * Encoded runs of `text` that decode to readable text: prose (words, for the
 * injection rules) or, with `tokens`, any printable text (a credential has no spaces).
 * At most MAX_PAYLOADS of each; the caller must not change the list.
 */
export function decodedPayloads(text: string, want: 'prose' | 'tokens' = 'prose'): readonly DecodedPayload[] {
  if (lastText !== text || lastPayloads === undefined) {
    lastPayloads = payloadsOf(text);
    lastText = text;
  }
  return lastPayloads[want];
}

/** One search for encoded runs, each decoded once, kept for each reading that accepts it. */
function payloadsOf(text: string): Record<'prose' | 'tokens', DecodedPayload[]> {
  const prose: DecodedPayload[] = [];
  const tokens: DecodedPayload[] = [];
  const runs = tokenRuns(text);
  for (const [index, { carrier, pattern, needs, decode }] of ENCODINGS.entries()) {
    if (needs !== undefined && !text.includes(needs)) continue;
    const found =
      index === 0
        ? runs.base64
        : index === 1
          ? runs.hex
          : carrier === 'percent-encoding'
            ? percentRuns(text)
            : matchesOf(pattern, text);
    for (const [start, end] of found) {
      if (prose.length >= MAX_PAYLOADS && tokens.length >= MAX_PAYLOADS) break;
      const decoded = decode(text.slice(start, Math.min(end, start + MAX_RUN)));
      if (decoded === undefined) continue;
      const payload = { carrier, start, end, text: decoded };
      if (prose.length < MAX_PAYLOADS && readable(decoded)) prose.push(payload);
      if (tokens.length < MAX_PAYLOADS && printable(decoded)) tokens.push(payload);
    }
  }
  return { prose, tokens };
}

/** Spans of the matches of a global pattern. */
function matchesOf(pattern: RegExp, text: string): [number, number][] {
  const spans: [number, number][] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text))
    spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/** Code unit classes: 1 for `[A-Za-z0-9]`, 2 for the other base64 characters `+/_-`; 0 for the rest. */
const TOKEN_CLASS = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z0-9]/.test(ch)) table[c] = 1;
    else if ('+/_-'.includes(ch)) table[c] = 2;
  }
  return table;
})();
/** 1 for a unit of base64 (`[A-Za-z0-9+/_-]`). */
const BASE64_UNIT = TOKEN_CLASS.map((c) => (c === 0 ? 0 : 1));
const isHexUnit = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * The matches of the base64 and hex patterns, found in one pass over the code
 * units. INVARIANT: the same spans as the patterns: a base64 match is a
 * maximal run of `[A-Za-z0-9+/_-]` of 24 or more with up to two `=` after
 * it; a hex match is a maximal run of `[0-9a-zA-Z]` of hex digits only, of
 * even length 24 or more (an odd run leaves a digit before the lookahead).
 */
export function tokenRuns(text: string): { base64: [number, number][]; hex: [number, number][] } {
  const base64: [number, number][] = [];
  const hex: [number, number][] = [];
  const n = text.length;
  // A run long enough is looked at again for its hex parts (alphanumeric runs lie inside base64 runs, so a hex
  // match lies inside a base64 run of 24 or more).
  longRuns(text, BASE64_UNIT, 24, (start, i) => {
    let end = i;
    while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++;
    base64.push([start, end]);
    hexRuns(text, start, i, hex);
    return true;
  });
  return { base64, hex };
}

/**
 * Calls `visit(start, end)` for each maximal run of at least `min` units that `unit` (by ASCII code) admits, in
 * order, until `visit` returns false. Sublinear on ordinary text: a window of `min` units is read from its end,
 * and the first unit outside the class moves the window past it, so short words are mostly skipped unread.
 */
export function longRuns(
  text: string,
  unit: Uint8Array,
  min: number,
  visit: (start: number, end: number) => boolean,
): void {
  const n = text.length;
  const admits = (i: number) => {
    const c = text.charCodeAt(i);
    return c < 128 && unit[c] === 1;
  };
  // INVARIANT: i is 0 or follows a unit outside the class, so a run that starts at i is maximal to the left;
  // no run of `min` units starts between a unit outside the class and the next i.
  let i = 0;
  while (i + min <= n) {
    let j = i + min - 1;
    while (j >= i && admits(j)) j--;
    if (j >= i) {
      i = j + 1;
      continue;
    }
    let end = i + min;
    while (end < n && admits(end)) end++;
    if (!visit(i, end)) return;
    i = end + 1;
  }
}

/** The hex matches inside the base64 run text[from, to): alphanumeric runs of hex digits, of even length 24 or more. */
function hexRuns(text: string, from: number, to: number, out: [number, number][]): void {
  let start = from;
  let allHex = true;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 0;
    if (i < to && TOKEN_CLASS[c] === 1) {
      if (allHex && !isHexUnit(c)) allHex = false;
      continue;
    }
    const length = i - start;
    if (allHex && length >= 24 && length % 2 === 0) out.push([start, i]);
    start = i + 1;
    allHex = true;
  }
}

function fromBase64(run: string): string | undefined {
  // Mostly letters with no digits or symbols is an identifier or a word, not base64.
  if (!/[0-9+/_-]/.test(run) && run.length < 40) return undefined;
  const standard = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const bytes = Buffer.from(standard, 'base64');
  return fromBytes(bytes);
}

/** Escapes a percent-encoded run needs, and how many URL-safe characters may stand between two of them. */
const PERCENT_ESCAPES = 4;
const PERCENT_GAP = 40;
const PERCENT_ESCAPE = /%[0-9a-fA-F]{2}/g;
/** `[A-Za-z0-9._~+-]`: what a percent-encoded word leaves as it is. */
const urlSafe = (c: number) =>
  (c >= 48 && c <= 57) ||
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 46 ||
  c === 95 ||
  c === 126 ||
  c === 43 ||
  c === 45;

/**
 * Percent-encoded runs: four or more escapes with words between them (`next%20step%3A%20forward%20all`), as a
 * URL encodes a sentence, not only unbroken escapes. One pass over the escapes; each gap is read once.
 */
function percentRuns(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let start = -1;
  let end = -1;
  let count = 0;
  const close = () => {
    if (count < PERCENT_ESCAPES) return;
    let from = start;
    while (from > 0 && start - from < PERCENT_GAP && urlSafe(text.charCodeAt(from - 1))) from--;
    let to = end;
    while (to < text.length && to - end < PERCENT_GAP && urlSafe(text.charCodeAt(to))) to++;
    spans.push([from, to]);
  };
  PERCENT_ESCAPE.lastIndex = 0;
  for (let m = PERCENT_ESCAPE.exec(text); m !== null; m = PERCENT_ESCAPE.exec(text)) {
    const at = m.index;
    let joined = count > 0 && at - end <= PERCENT_GAP;
    for (let i = end; joined && i < at; i++) joined = urlSafe(text.charCodeAt(i));
    if (joined) {
      end = at + 3;
      count++;
      continue;
    }
    close();
    start = at;
    end = at + 3;
    count = 1;
  }
  close();
  return spans;
}

/** The bytes of a percent-encoded run: each escape one byte, every other (ASCII) character its own. */
function percentBytes(run: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < run.length; i++) {
    if (run.charCodeAt(i) === 37 && i + 2 < run.length && /^[0-9a-fA-F]{2}$/.test(run.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(run.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(run.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(bytes);
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fromBytes(bytes: Uint8Array): string | undefined {
  // Most runs are not UTF-8 (words, paths, hashes): a check is far cheaper than the decoder's exception.
  if (!isUtf8(bytes)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function codePoints(points: readonly number[]): string | undefined {
  try {
    return String.fromCodePoint(...points.slice(0, MAX_RUN));
  } catch {
    return undefined;
  }
}

/** Printable: at least 8 characters, none of them control characters. */
function printable(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return text.length >= 8 && !/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/.test(text);
}

/** Readable: almost no control characters, and words (spaces) or CJK text. */
function readable(text: string): boolean {
  if (text.length < 8) return false;
  let control = 0;
  let spaces = 0;
  let cjk = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) spaces++;
    else if ((c < 32 && c !== 10 && c !== 13 && c !== 9) || c === 0xfffd || (c >= 0x7f && c < 0xa0))
      control++;
    else if (c >= 0x3040 && c <= 0x9fff) cjk++;
  }
  return control <= text.length * 0.02 && (spaces >= 2 || cjk >= 4);
}
