import { formatPath } from '../yaml/document.js';

/**
 * Fingerprints: the values in a tool output that an attacker would want an
 * agent to reuse — where to send, where to pay, what to fetch — normalized so
 * that the same value matches however it is spelled.
 *
 * What counts as a value, and why:
 * - email addresses (lower-cased): recipients;
 * - URLs, http(s) only, without a trailing `.,;:!?)` (lower-cased scheme and
 *   host): links to fetch or to leak data to;
 * - IBANs (spaces removed, upper-cased, mod-97 checked): payees;
 * - runs of 6 or more digits, with spaces and dashes removed: account, card
 *   and phone numbers;
 * - identifier-like tokens of 6 or more characters that mix letters and
 *   digits (`INV-2024-0042`, `acct_9f8e7d`): order ids, wallet ids, keys;
 * - the whole text of a short string value (up to 200 characters) of a JSON
 *   output, trimmed and lower-cased: a field the agent may copy verbatim.
 * Plain words are not fingerprints: natural language shared between a
 * document and an argument says nothing about where the argument came from.
 */

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}/g;
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]{1,2048}/gi;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
// Not part of a word or a decimal on either side; a sentence's full stop may follow.
const DIGITS = /(?<![\w.])\d(?:[ -]?\d){5,}(?!\w)(?!\.\d)/g;
// Letters and digits are checked after the match: lookaheads over the rest of the token made
// this pattern quadratic on long runs like `a-a-a-…`.
const IDENTIFIER = /\b[A-Za-z0-9][A-Za-z0-9_-]{5,63}\b/g;

/** Longest text scanned for fingerprints; the rest of a huge output is not. */
const MAX_SCAN_LENGTH = 256 * 1024;
/** Longest string value taken whole as a fingerprint. */
const MAX_WHOLE_VALUE_LENGTH = 200;

/**
 * The text as a reader (or a mail server) would take it: compatibility forms folded (a
 * full-width `＠` is `@`), invisible format characters (zero-width spaces) removed, and the
 * character references and percent-escapes of `@`, `.`, `:` and `/` decoded, and a quoted
 * local part unquoted (`"attacker"@evil.test` is RFC 5322's spelling of `attacker@evil.test`).
 */
export function normalizeForFingerprints(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/&#(?:x0*40|0*64);|&commat;|%40/gi, '@')
    .replace(/&#(?:x0*2e|0*46);|&period;|%2e/gi, '.')
    .replace(/&#(?:x0*3a|0*58);|&colon;|%3a/gi, ':')
    .replace(/&#(?:x0*2f|0*47);|&sol;|%2f/gi, '/')
    .replace(/"([A-Za-z0-9._%+-]{1,64})"@/g, '$1@');
}

/** The fingerprints found in a text, normalized. */
export function fingerprintsOfText(text: string): Set<string> {
  const found = new Set<string>();
  const scanned = normalizeForFingerprints(
    text.length > MAX_SCAN_LENGTH ? text.slice(0, MAX_SCAN_LENGTH) : text,
  );
  for (const m of scanned.matchAll(EMAIL)) {
    const address = m[0].toLowerCase();
    found.add(`email:${address}`);
    // `name+anything@host` reaches the same mailbox as `name@host`.
    const [local, host] = address.split('@') as [string, string];
    const plus = local.indexOf('+');
    if (plus > 0) found.add(`email:${local.slice(0, plus)}@${host}`);
  }
  for (const m of scanned.matchAll(URL_PATTERN)) found.add(`url:${normalizeUrl(m[0])}`);
  for (const m of scanned.matchAll(IBAN)) {
    const iban = m[0].replace(/ /g, '');
    if (validIban(iban)) found.add(`iban:${iban}`);
  }
  for (const m of scanned.matchAll(DIGITS)) found.add(`digits:${m[0].replace(/[ -]/g, '')}`);
  for (const m of scanned.matchAll(IDENTIFIER)) {
    if (/\d/.test(m[0]) && /[A-Za-z]/.test(m[0])) found.add(`id:${m[0].toLowerCase()}`);
  }
  return found;
}

/** Whether a text is longer than what is scanned for fingerprints. */
export function exceedsScan(text: string): boolean {
  return text.length > MAX_SCAN_LENGTH;
}

/**
 * The fingerprints of a tool output: of every string in it (and of the
 * numbers, as digit runs), plus the whole text of short string values.
 */
export function fingerprintsOfOutput(output: unknown): Set<string> & { incomplete?: boolean } {
  const found: Set<string> & { incomplete?: boolean } = new Set<string>();
  let budget = MAX_SCAN_LENGTH;
  const stack: unknown[] = [output];
  while (stack.length > 0) {
    if (budget <= 0) {
      // More output than is scanned: what lies beyond is unknown, and said so.
      found.incomplete = true;
      break;
    }
    const value = stack.pop();
    if (typeof value === 'string') {
      if (exceedsScan(value)) found.incomplete = true;
      budget -= value.length;
      for (const f of fingerprintsOfText(value)) found.add(f);
      const whole = wholeValue(value);
      if (whole) found.add(whole);
    } else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 100_000) {
      found.add(`digits:${Math.abs(value)}`);
    } else if (value !== null && typeof value === 'object') {
      for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push(child);
    }
  }
  return found;
}

/**
 * For each argument path, the labels of earlier outputs whose fingerprints
 * the argument's value carries. Only paths with labels are returned; the PDP
 * gives every other path an empty list.
 */
export function provenanceOfArguments(
  args: Readonly<Record<string, unknown>>,
  labelsOf: (fingerprint: string) => readonly string[] | undefined,
  /** Labels a string argument earns by what it holds (a secret, PII), wherever it came from. */
  contentLabelsOf?: (text: string) => readonly string[],
): Record<string, string[]> {
  const provenance: Record<string, string[]> = {};
  const stack: { value: unknown; path: (string | number)[] }[] = Object.entries(args).map(([k, v]) => ({
    value: v,
    path: [k],
  }));
  let budget = 10_000;
  while (stack.length > 0) {
    if (budget-- <= 0) {
      // Arguments padded past what is inspected: whatever was not looked at counts as
      // untrusted, rather than as clean.
      for (const { path } of stack) provenance[formatPath(path)] = ['unscanned', 'untrusted'];
      break;
    }
    const { value, path } = stack.pop()!;
    let fingerprints: Iterable<string> = [];
    if (typeof value === 'string') {
      const own = fingerprintsOfText(value);
      const whole = wholeValue(value);
      if (whole) own.add(whole);
      fingerprints = own;
    } else if (typeof value === 'number' && Number.isInteger(value)) {
      fingerprints = [`digits:${Math.abs(value)}`];
    } else if (value !== null && typeof value === 'object') {
      const children: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value);
      for (const [k, v] of children) stack.push({ value: v, path: [...path, k] });
      continue;
    }
    const labels = new Set<string>();
    for (const f of fingerprints) for (const l of labelsOf(f) ?? []) labels.add(l);
    if (typeof value === 'string' && contentLabelsOf) for (const l of contentLabelsOf(value)) labels.add(l);
    if (labels.size > 0) provenance[formatPath(path)] = [...labels].sort();
  }
  return provenance;
}

function wholeValue(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed.length >= 3 && trimmed.length <= MAX_WHOLE_VALUE_LENGTH
    ? `value:${trimmed.toLowerCase()}`
    : undefined;
}

function normalizeUrl(raw: string): string {
  const trimmed = raw.replace(/[.,;:!?)\]}'"]+$/, '');
  try {
    const url = new URL(trimmed);
    return url.toString();
  } catch {
    return trimmed.toLowerCase();
  }
}

/** ISO 13616 mod-97 check: a random run of letters and digits is not an IBAN. */
function validIban(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}
