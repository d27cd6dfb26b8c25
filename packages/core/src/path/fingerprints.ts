import { childPath } from '../detectors/walk.js';
import { formatPath } from '../yaml/document.js';
import { identifiersOfNormalized, normalizeForIdentifiers } from './identifiers.js';

/**
 * Fingerprints: the values in a tool output that an attacker would want an agent to reuse —
 * where to send, where to pay, what to fetch — normalized so that the same value matches
 * however it is spelled (see `identifiers.ts` for each kind), plus:
 * - the whole text of a short string value (up to 200 characters) of a JSON output, trimmed
 *   and lower-cased: a field the agent may copy verbatim; JSON keys count as strings;
 * - integers of 6 digits or more, as digit runs.
 * Plain words are not fingerprints: natural language shared between a document and an
 * argument says nothing about where the argument came from.
 *
 * A string whose whole text is one identifier (`bob@partner.example`) has that identifier as
 * its only fingerprint, so a field holding an address and a sentence quoting it agree.
 */

/** Longest text scanned for fingerprints; the rest of a huge output is not. */
const MAX_SCAN_LENGTH = 256 * 1024;
/** Longest string value taken whole as a fingerprint. */
const MAX_WHOLE_VALUE_LENGTH = 200;

/** What one string value holds, as fingerprints. */
export interface StringFingerprints {
  /** Every fingerprint of the value: its identifiers and, for a short value, its whole text. */
  readonly all: Set<string>;
  /** The identifiers that say where the value points (an address, a host, an account), for origin. */
  readonly keys: readonly string[];
  /** The whole-value fingerprint, when the value is short and not itself one identifier. */
  readonly whole?: string;
  /** Whether the value is exactly one identifier (a field holding an address), rather than prose. */
  readonly atomic: boolean;
}

/** Longest string whose fingerprints are remembered, and how many are. */
const MAX_REMEMBERED_LENGTH = 1024;
const MAX_REMEMBERED = 4096;
/** Fingerprints of short strings by text: the same recipients, subjects and prompts recur call after call. */
const remembered = new Map<string, StringFingerprints>();

/** The fingerprints of one string. */
export function fingerprintsOfString(text: string): StringFingerprints {
  if (text.length > MAX_REMEMBERED_LENGTH) return fingerprintsUncached(text);
  let found = remembered.get(text);
  if (found === undefined) {
    found = fingerprintsUncached(text);
    Object.freeze(found.keys);
    // Bounded: the oldest goes first, so ever-new strings cannot grow it.
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
    remembered.set(text, found);
  }
  // A fresh set each time: callers may take fingerprints out of theirs.
  return { ...found, all: new Set(found.all) };
}

function fingerprintsUncached(text: string): StringFingerprints {
  const scanned = normalizeForIdentifiers(
    text.length > MAX_SCAN_LENGTH ? text.slice(0, MAX_SCAN_LENGTH) : text,
  );
  const identifiers = identifiersOfNormalized(scanned);
  const all = new Set<string>();
  const keys: string[] = [];
  for (const id of identifiers) {
    all.add(id.fingerprint);
    if (id.key && !keys.includes(id.fingerprint)) keys.push(id.fingerprint);
  }
  const trimmed = scanned.trim();
  const offset = scanned.indexOf(trimmed);
  const spans = (id: { start: number; end: number }) =>
    id.start === offset && id.end === offset + trimmed.length;
  const atomic = identifiers.some((id) => id.key && spans(id));
  let whole: string | undefined;
  if (!atomic && trimmed.length >= 3 && trimmed.length <= MAX_WHOLE_VALUE_LENGTH) {
    whole = `value:${trimmed.toLowerCase()}`;
    all.add(whole);
  } else if (atomic) {
    // A URL by itself: its exact form is the whole value (its host is only where it points).
    whole = identifiers.find((id) => spans(id) && id.fingerprint.startsWith('url:'))?.fingerprint;
  }
  return { all, keys, atomic, ...(whole !== undefined && { whole }) };
}

/** The fingerprints found in a text, normalized. */
export function fingerprintsOfText(text: string): Set<string> {
  const found = fingerprintsOfString(text).all;
  for (const f of found) if (f.startsWith('value:')) found.delete(f);
  return found;
}

/** Whether a text is longer than what is scanned for fingerprints. */
export function exceedsScan(text: string): boolean {
  return text.length > MAX_SCAN_LENGTH;
}

/** A fingerprint of an output, with where it was found. */
export interface OutputFingerprint {
  readonly fingerprint: string;
  /** It stands for a whole field (a string that is one identifier or a short value, a large integer). */
  readonly field: boolean;
  /** The path of the string (or number) it was found in, as the detectors name paths. */
  readonly path: string;
}

/**
 * The fingerprints of a tool output, each saying whether it stands for a whole field or was
 * found inside longer text. A system of record vouches for its fields, not for whatever a
 * sentence in a free-text field quotes (a transaction's subject is written by whoever sent
 * the money). Iterating the result yields every fingerprint once.
 */
export function fingerprintsOfOutput(
  output: unknown,
): Iterable<string> & { entries: OutputFingerprint[]; incomplete?: boolean } {
  const entries: OutputFingerprint[] = [];
  let incomplete = false;
  let budget = MAX_SCAN_LENGTH;
  const stack: { value: unknown; path: string }[] = [{ value: output, path: '' }];
  while (stack.length > 0) {
    if (budget <= 0) {
      // More output than is scanned: what lies beyond is unknown, and said so.
      incomplete = true;
      break;
    }
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (exceedsScan(value)) incomplete = true;
      budget -= value.length;
      const found = fingerprintsOfString(value);
      for (const f of found.all)
        entries.push({ fingerprint: f, field: found.atomic || f === found.whole, path });
    } else if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 100_000) {
      entries.push({ fingerprint: `digits:${Math.abs(value)}`, field: true, path });
    } else if (value !== null && typeof value === 'object') {
      if (Array.isArray(value))
        value.forEach((child, i) => {
          stack.push({ value: child, path: childPath(path, i) });
        });
      else
        for (const [key, child] of Object.entries(value)) {
          stack.push({ value: child, path: childPath(path, key) });
          // A value smuggled in as a key (`{"attacker@evil.test": 1}`) is still a value.
          stack.push({ value: key, path: `${childPath(path, key)}{key}` });
        }
    }
  }
  const unique = new Set(entries.map((e) => e.fingerprint));
  return Object.assign(unique, { entries, ...(incomplete && { incomplete }) });
}

/** How the session knows a fingerprint: the labels of every output (or user input) that held it. */
export type LabelsOf = (fingerprint: string) => readonly string[] | undefined;

/** Walks an argument object's leaves with their paths, within a budget; returns the unvisited paths. */
export function walkArguments(
  args: Readonly<Record<string, unknown>>,
  visit: (value: unknown, path: string) => void,
): string[] {
  const stack: { value: unknown; path: (string | number)[] }[] = Object.entries(args).map(([k, v]) => ({
    value: v,
    path: [k],
  }));
  let budget = 10_000;
  while (stack.length > 0) {
    if (budget-- <= 0) return stack.map(({ path }) => formatPath(path));
    const { value, path } = stack.pop()!;
    if (value !== null && typeof value === 'object') {
      const children: [string | number, unknown][] = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value);
      for (const [k, v] of children) stack.push({ value: v, path: [...path, k] });
      continue;
    }
    visit(value, formatPath(path));
  }
  return [];
}

function fingerprintsOfLeaf(value: unknown): StringFingerprints | undefined {
  if (typeof value === 'string') return fingerprintsOfString(value);
  if (typeof value === 'number' && Number.isInteger(value)) {
    const f = `digits:${Math.abs(value)}`;
    return {
      all: new Set([f]),
      keys: Math.abs(value) >= 100_000 ? [f] : [],
      atomic: Math.abs(value) >= 100_000,
    };
  }
  return undefined;
}

/**
 * For each argument path, the labels of earlier outputs whose fingerprints
 * the argument's value carries. Only paths with labels are returned; the PDP
 * gives every other path an empty list.
 */
export function provenanceOfArguments(
  args: Readonly<Record<string, unknown>>,
  labelsOf: LabelsOf,
  /** Labels a string argument earns by what it holds (a secret, PII), wherever it came from. */
  contentLabelsOf?: (text: string) => readonly string[],
): Record<string, string[]> {
  const provenance: Record<string, string[]> = {};
  const unvisited = walkArguments(args, (value, path) => {
    const labels = new Set<string>();
    for (const f of fingerprintsOfLeaf(value)?.all ?? []) for (const l of labelsOf(f) ?? []) labels.add(l);
    if (typeof value === 'string' && contentLabelsOf) for (const l of contentLabelsOf(value)) labels.add(l);
    if (labels.size > 0) provenance[path] = [...labels].sort();
  });
  // Arguments padded past what is inspected: whatever was not looked at counts as untrusted,
  // rather than as clean.
  for (const path of unvisited) provenance[path] = ['unscanned', 'untrusted'];
  return provenance;
}

/** The origin of a value nothing vouches for: the model wrote it, or changed its form. */
export const UNKNOWN_ORIGIN = 'unknown';

/** Origins that vouch for a value: the user gave it, a system of record returned it, the application endorsed it. */
export const VOUCHING_ORIGINS: readonly string[] = ['user_input', 'trusted', 'endorsed'];

/**
 * Positive provenance: for each argument leaf, where the value came from.
 *
 * - `origin[path]`: the origins (`user_input`, `trusted`, the labels of outputs) that vouch
 *   for the value itself: its whole text was given whole, or every identifier it points at
 *   (address, host, account) came from that origin. `unknown` when nothing does.
 * - `mentions[path]`: for a leaf that carries identifiers (a message body with a link), the
 *   origins of each of them, one list per identifier; a leaf without identifiers has no
 *   entry, since prose the model wrote points nowhere.
 */
export function originsOfArguments(
  args: Readonly<Record<string, unknown>>,
  labelsOf: LabelsOf,
): { origin: Record<string, string[]>; mentions: Record<string, string[][]> } {
  const origin: Record<string, string[]> = {};
  const mentions: Record<string, string[][]> = {};
  const unvisited = walkArguments(args, (value, path) => {
    const found = fingerprintsOfLeaf(value);
    if (!found) return;
    const vouched = new Set<string>(found.whole ? (labelsOf(found.whole) ?? []) : []);
    if (found.keys.length > 0) {
      // A host vouches for a URL when the user (or a system of record) gave it; that an
      // untrusted page named the host says nothing of the path and query the model built
      // (`https://evil.test/?q=<data>`): only the exact URL carries those labels.
      const perKey = found.keys.map((k) => {
        const labels = labelsOf(k) ?? [];
        const own = k.startsWith('host:') ? labels.filter((l) => VOUCHING_ORIGINS.includes(l)) : [...labels];
        return own.length > 0 ? own.sort() : [UNKNOWN_ORIGIN];
      });
      mentions[path] = perKey;
      // The value itself came from an origin only when every identifier in it did.
      for (const l of intersection(perKey)) if (l !== UNKNOWN_ORIGIN) vouched.add(l);
    }
    origin[path] = vouched.size > 0 ? [...vouched].sort() : [UNKNOWN_ORIGIN];
  });
  for (const path of unvisited) {
    origin[path] = [UNKNOWN_ORIGIN];
    mentions[path] = [[UNKNOWN_ORIGIN]];
  }
  return { origin, mentions };
}

function intersection(lists: readonly (readonly string[])[]): string[] {
  if (lists.length === 0) return [];
  return lists[0]!.filter((l) => lists.every((list) => list.includes(l)));
}
