import {
  cardNumberValid,
  chineseIdValid,
  frenchNirValid,
  ibanValid,
  spanishIdValid,
  ssnPlausible,
} from './checksums.js';
import { stickyOf, type Trigger, TriggeredMatches, TriggerIndex, TriggerText } from './triggered-exec.js';
import type { DetectorFinding, PiiKind } from './types.js';

/**
 * Personal data in text. Where a checksum exists (cards, IBANs, national
 * ids) a candidate must pass it; where none exists the pattern is narrow
 * (US SSN with dashes, phone numbers in international or US form, or after a
 * word that says "phone"). Postal addresses: street forms of en, de, fr, es.
 */

interface PiiFormat {
  readonly kind: PiiKind;
  readonly reason: string;
  /** Compiled with `d`; the value is group 1 when there is one, else the whole match. */
  readonly pattern: RegExp;
  readonly accept?: (value: string) => boolean;
  /** What every match contains, when something does: the pattern is then tried only near it (triggered-exec.ts). */
  readonly trigger?: Trigger;
  /** ASCII digits every match holds at least (`\d` reads no other): a text with fewer is not searched. */
  readonly minDigits?: number;
  /**
   * A shape every match holds (part of the pattern, without its lookarounds): a text without it is not searched.
   * INVARIANT: wherever the pattern matches, this matches too (dlp.test.ts checks it on random text).
   */
  readonly need?: RegExp;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');
const digitCount = (min: number, max: number) => (s: string) => {
  const n = digitsOf(s).length;
  return n >= min && n <= max;
};

/** The `need` shapes that digitShapes reads in its walk over a text's digits. */
const NEED_DNI = /\d{7}[- ]?[A-Z]/;
const NEED_17_DIGITS = /\d{17}/;
const NEED_IPV4 = /\d\.\d/;
const NEED_EN_ADDRESS = /\d [A-Z]/;
const NEED_DE_ADDRESS = /(?:straße|strasse|weg|allee|platz|gasse|ring|damm) \d/;

export const PII_FORMATS: readonly PiiFormat[] = [
  {
    kind: 'card',
    reason: 'a payment card number (Luhn-valid, known issuer)',
    minDigits: 13,
    pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/dg,
    accept: (s) => cardNumberValid(digitsOf(s)) && consistentSeparators(s),
  },
  {
    kind: 'iban',
    reason: 'an IBAN (mod-97 valid)',
    minDigits: 2,
    need: /[A-Z]{2}\d{2}/,
    pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/dg,
    accept: (s) => ibanValid(s.replace(/ /g, '')),
  },
  {
    kind: 'ssn',
    reason: 'a US social security number',
    minDigits: 9,
    pattern: /(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])/dg,
    accept: (s) => {
      const [a = '', g = '', n = ''] = s.split('-');
      return ssnPlausible(a, g, n);
    },
  },
  {
    kind: 'national_id',
    reason: 'a Spanish DNI/NIE (check letter valid)',
    minDigits: 7,
    need: NEED_DNI,
    pattern: /\b((?:\d{8}|[XYZ]\d{7})[- ]?[A-Z])\b/dg,
    accept: (s) => spanishIdValid(s.replace(/[- ]/g, '')),
  },
  {
    kind: 'national_id',
    reason: 'a French social security number (NIR key valid)',
    minDigits: 13,
    pattern: /\b([12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2})\b/dg,
    accept: (s) => frenchNirValid(s.replace(/ /g, '')),
  },
  {
    kind: 'national_id',
    reason: 'a Chinese resident identity number (check digit valid)',
    minDigits: 17,
    need: NEED_17_DIGITS,
    pattern: /(?<![\dA-Za-z])(\d{17}[\dX])(?![\dA-Za-z])/dg,
    accept: chineseIdValid,
  },
  {
    kind: 'phone',
    reason: 'a phone number in international form',
    minDigits: 2,
    pattern:
      /(?<![\w+])\+[1-9]\d{0,3}(?:[ .-]{1,2}\(?\d{1,8}\)?){1,5}(?![\w])|(?<![\w+])\+[1-9]\d{7,14}(?!\d)/dg,
    accept: digitCount(8, 15),
    // Both forms start with the plus sign.
    trigger: { literals: ['+'], reach: 0 },
  },
  {
    kind: 'phone',
    reason: 'a US phone number',
    minDigits: 10,
    pattern: /(?<![\w+.-])(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}(?![\w-])/dg,
  },
  {
    kind: 'phone',
    reason: 'a phone number after a word that says so',
    minDigits: 4,
    pattern:
      /\b(?:tel|phone|mobile|cell|fax|telefon|handy|mobil|tél|téléphone|portable|teléfono|telefono|móvil|movil)\b[^\n\d]{0,12}((?:0|1[3-9])(?:\d{6,12}|\d{1,4}(?:[ ./-]\d{2,8}){1,4})(?![\d]))|(?:電話|电话|手机|手機|携帯|TEL)[^\n\d]{0,6}((?:0|1[3-9])(?:\d{6,12}|\d{1,4}(?:[ ./-]\d{2,8}){1,4})(?![\d]))/dgi,
    accept: digitCount(7, 15),
    // Every match starts with one of the words (or a word it starts with); the pattern alone, which starts with
    // \b, is tried at every position of the text.
    trigger: {
      literals: [
        'tel',
        'tél',
        'phone',
        'mobil',
        'cell',
        'fax',
        'handy',
        'portable',
        'móvil',
        'movil',
        '電話',
        '电话',
        '手机',
        '手機',
        '携帯',
      ],
      caseless: true,
      reach: 0,
    },
  },
  {
    kind: 'ip',
    reason: 'an IPv4 address',
    minDigits: 4,
    need: NEED_IPV4,
    pattern:
      /(?<![\d.])((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?!\d|\.\d)/dg,
    accept: (s) => !/^(?:0\.|127\.|255\.|224\.0\.0\.)/.test(s) && s !== '1.1.1.1' && s !== '8.8.8.8',
  },
  {
    kind: 'ip',
    reason: 'an IPv6 address',
    pattern: /(?<![\w:])([0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7})(?![\w:])/dg,
    accept: ipv6Plausible,
    // Its first colon comes after at most four hex digits; the pattern can start anywhere, the colon cannot.
    // That colon is the first of the match (hex digits lead up to it), and a second follows after at most four
    // more: a colon without one ("Note: …") starts nothing. A position after a word unit or a colon is refused
    // by the lookbehind: the hours of an ISO time (`T13:25:23Z`, a log line's every timestamp) are not tried.
    trigger: { literals: [':'], reach: 4, lead: '[0-9a-fA-F]', notAfter: '[\\w:]', viable: secondColonNear },
  },
  {
    kind: 'address',
    reason: 'a street address (en)',
    minDigits: 1,
    need: NEED_EN_ADDRESS,
    pattern:
      /\b\d{1,5} (?:[A-Z][a-z]{1,20} ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Circle|Highway|Hwy)\b\.?/dg,
  },
  {
    kind: 'address',
    reason: 'a street address (de)',
    minDigits: 1,
    need: NEED_DE_ADDRESS,
    pattern: /\b[A-ZÄÖÜ][a-zäöüß]{2,30}(?:straße|strasse|weg|allee|platz|gasse|ring|damm) \d{1,4}[a-z]?\b/dg,
  },
  {
    kind: 'address',
    reason: 'a street address (fr)',
    minDigits: 1,
    need: / (?:rue|avenue|boulevard|bd|place|allée|impasse|chemin|quai) /,
    pattern:
      /\b\d{1,4}(?: bis| ter)?,? (?:rue|avenue|boulevard|bd|place|allée|impasse|chemin|quai) (?:de la |de l'|du |des |de |d')?[A-ZÉ][a-zéèêàç-]{2,30}/dg,
  },
  {
    kind: 'address',
    reason: 'a street address (es)',
    minDigits: 1,
    need: /(?:Calle|C\/|Avenida|Avda\.|Plaza|Paseo|Camino) /,
    pattern:
      /\b(?:Calle|C\/|Avenida|Avda\.|Plaza|Paseo|Camino) (?:de la |del |de )?[A-ZÁÉÍÓÚ][a-záéíóúñ]{2,30}(?: [A-ZÁÉÍÓÚ][a-záéíóúñ]{2,30}){0,2},? (?:nº ?|n\.º ?)?\d{1,4}\b/dg,
  },
];

const MAX_PER_FORMAT = 100;

/** The street words before a German address's number (the `need` of that format, without its ` \d`). */
const DE_STREET_WORDS = ['straße', 'strasse', 'weg', 'allee', 'platz', 'gasse', 'ring', 'damm'];

const isDigitUnit = (c: number) => c >= 48 && c <= 57;
const isUpperUnit = (c: number) => c >= 65 && c <= 90;

/** The fused shapes as bits (digitShapes), by need. */
const SHAPE_BIT = new Map<RegExp, number>([
  [NEED_17_DIGITS, 1],
  [NEED_DNI, 2],
  [NEED_IPV4, 4],
  [NEED_EN_ADDRESS, 8],
  [NEED_DE_ADDRESS, 16],
]);
const ALL_SHAPES = 31;
/** Digits past which no format asks for more. */
const MOST_DIGITS = Math.max(...PII_FORMATS.map((f) => f.minDigits ?? 0));
/**
 * Runs of digits the walk reads at most: past them (a long text full of numbers), the shapes it has not seen are
 * searched for, as a search stops at the first match and one of a long text's early numbers often is one.
 */
const RUN_BUDGET = 2048;
/** How far past a run of digits the next is looked for unit by unit before a search (digits come in clusters). */
const NEAR = 8;

/**
 * What the formats ask of a text's digits, read in one walk over its runs of digits: how many it holds (at least
 * MOST_DIGITS when it holds more), and which of the digit-led `need` shapes occur, each a test of the units
 * around a run. Searching for each shape over the whole text cost more than this walk on most texts: a pattern
 * that starts with `\d` is tried at every unit. The walk ends once every shape is seen and the digits suffice,
 * or at RUN_BUDGET runs.
 * INVARIANT: `holds(need)` answers as `need.test(text)` (dlp.test.ts).
 */
export function digitShapes(text: string): { digits: number; holds: (need: RegExp) => boolean } {
  const n = text.length;
  let digits = 0;
  let held = 0;
  let runs = 0;
  let partial = false;
  const digit = /\d/g;
  let start = digit.test(text) ? digit.lastIndex - 1 : -1;
  while (start >= 0) {
    let end = start + 1;
    while (end < n && isDigitUnit(text.charCodeAt(end))) end++;
    digits += end - start;
    const after = text.charCodeAt(end);
    const next = text.charCodeAt(end + 1);
    // Every digit of a run is followed by a digit but the last: the shapes that read past a digit read past it.
    if (end - start >= 17) held |= 1;
    if (end - start >= 7 && (isUpperUnit(after) || ((after === 45 || after === 32) && isUpperUnit(next))))
      held |= 2;
    if (after === 46 && isDigitUnit(next)) held |= 4;
    if (after === 32 && isUpperUnit(next)) held |= 8;
    // A digit after a space starts its run.
    if ((held & 16) === 0 && start >= 1 && text.charCodeAt(start - 1) === 32)
      for (const word of DE_STREET_WORDS)
        if (start - 1 >= word.length && text.startsWith(word, start - 1 - word.length)) held |= 16;
    if (held === ALL_SHAPES && digits >= MOST_DIGITS) break;
    if (++runs >= RUN_BUDGET) {
      partial = true;
      break;
    }
    // The next run: a few units on by hand (numbers, dates and ids hold digits a unit or two apart), else a search.
    let k = end + 1;
    const near = Math.min(n, end + NEAR);
    while (k < near && !isDigitUnit(text.charCodeAt(k))) k++;
    if (k < near) start = k;
    else {
      digit.lastIndex = near;
      start = near < n && digit.test(text) ? digit.lastIndex - 1 : -1;
    }
  }
  const shapes = held;
  return {
    digits,
    holds: (need) => {
      const bit = SHAPE_BIT.get(need);
      // A shape the walk has not seen before its budget ran out is searched for.
      return bit === undefined || (partial && (shapes & bit) === 0) ? need.test(text) : (shapes & bit) !== 0;
    },
  };
}

/**
 * The trigger literals of each format that has them, found when the format runs (an index of its own: a word
 * among single units would have those found by a search per occurrence, not by indexOf); their patterns, sticky.
 */
const TRIGGERS = PII_FORMATS.map((f) => (f.trigger ? new TriggerIndex([f.trigger]) : undefined));
const STICKY = PII_FORMATS.map((f) => stickyOf(f.pattern));

/**
 * Finds personal data in `text`. The email scan is a hand-written walk from
 * each `@` (a regex for addresses backtracks badly on long runs of name
 * characters).
 *
 * @example
 * ```ts
 * detectPii('Card 4111 1111 1111 1111, mail ana@example.org').map((f) => f.kind); // ['card', 'email']
 * ```
 */
export function detectPii(text: string, perFormat: number = MAX_PER_FORMAT): DetectorFinding[] {
  const findings: DetectorFinding[] = [];
  const taken: [number, number][] = [];
  const add = (kind: PiiKind, reason: string, start: number, end: number) => {
    if (taken.some(([s, e]) => start < e && end > s)) return;
    taken.push([start, end]);
    findings.push({
      detector: 'pii',
      kind,
      family: 'pii',
      reason,
      start,
      end,
      preview: `[${kind}, ${end - start} chars]`,
    });
  };
  for (const [start, end] of emailSpans(text, perFormat)) add('email', 'an email address', start, end);
  const { digits, holds } = digitShapes(text);
  for (const [index, format] of PII_FORMATS.entries()) {
    if (digits < (format.minDigits ?? 0)) continue;
    if (format.need !== undefined && !holds(format.need)) continue;
    format.pattern.lastIndex = 0;
    const triggers = TRIGGERS[index];
    const triggered =
      format.trigger &&
      triggers &&
      new TriggeredMatches(STICKY[index]!, new TriggerText(text, triggers), format.trigger);
    const next = () => (triggered ? triggered.exec() : format.pattern.exec(text));
    let count = 0;
    for (let m = next(); m !== null; m = next()) {
      const span = m.indices?.[1] ?? m.indices?.[2] ?? m.indices![0]!;
      const value = text.slice(span[0], span[1]);
      if (format.accept && !format.accept(value)) continue;
      add(format.kind, format.reason, span[0], span[1]);
      if (++count >= perFormat) break;
    }
  }
  return findings.sort((a, b) => a.start - b.start);
}

/**
 * Whether `detectPii` can find anything in `text`: every format needs a
 * digit, an `@` (email) or two `:` (IPv6). INVARIANT: a new format that needs
 * none of them must widen this test (dlp.test.ts checks it on random text).
 */
export function mayHoldPii(text: string): boolean {
  if (/[\d@]/.test(text)) return true;
  // One colon ("Note: …", "Assistant: …") is most previews' and cannot make an IPv6 address.
  const colon = text.indexOf(':');
  return colon >= 0 && text.indexOf(':', colon + 1) >= 0;
}

const isHexUnit = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Whether another colon follows the one at `at` after at most four hex digits (an IPv6 address's second). */
function secondColonNear(text: string, at: number): boolean {
  for (let i = at + 1; i < text.length && i <= at + 5; i++) {
    const c = text.charCodeAt(i);
    if (c === 58) return true;
    if (!isHexUnit(c)) return false;
  }
  return false;
}

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** `[A-Za-z0-9._%+-]`, by code unit. */
const isLocal = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
/** `[A-Za-z0-9.-]`, by code unit. */
const isDomain = (c: number) => isAlnum(c) || c === 46 || c === 45;

/** Email addresses, found by expanding around each `@`; linear in the text. */
function emailSpans(text: string, limit: number): [number, number][] {
  const spans: [number, number][] = [];
  let floor = 0;
  let dot = text.indexOf('.');
  for (let at = text.indexOf('@'); at >= 0 && spans.length < limit; at = text.indexOf('@', at + 1)) {
    let s = at;
    while (s > floor && at - s < 64 && isLocal(text.charCodeAt(s - 1))) s--;
    let e = at + 1;
    while (e < text.length && e - at < 254 && isDomain(text.charCodeAt(e))) e++;
    // Trailing dots and hyphens end the sentence, not the domain.
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    floor = Math.max(floor, at + 1);
    // A local part, not starting with a dot, and a dot in the domain, before the domain is copied and read.
    if (s === at || text.charCodeAt(s) === 46) continue;
    // The next dot is searched for again only once passed: a text of `@`s without one is read once, not per `@`.
    if (dot !== -1 && dot <= at) dot = text.indexOf('.', at + 1);
    if (dot === -1 || dot >= e) continue;
    if (!/^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$/.test(text.slice(at + 1, e))) continue;
    spans.push([s, e]);
    floor = e;
  }
  return spans;
}

/** Card numbers are written in groups with one kind of separator, or none. */
function consistentSeparators(s: string): boolean {
  return !(s.includes(' ') && s.includes('-'));
}

function ipv6Plausible(s: string): boolean {
  const doubles = s.split('::').length - 1;
  if (doubles > 1) return false;
  const groups = s.split(':').filter((g) => g.length > 0);
  if (doubles === 0 && s.split(':').length !== 8) return false;
  if (groups.length < 3) return false;
  // Times (12:30:45) and MAC addresses are not addresses of hosts.
  if (!/[a-fA-F]/.test(s) && doubles === 0) return false;
  return !/^(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(s);
}
