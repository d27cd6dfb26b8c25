import { LiteralScanner } from './literal-scan.js';

/**
 * The matches of a global pattern, found by trying it only where it can
 * start: near the occurrences of a literal that every match contains (its
 * trigger). `exec` gives the same matches, in the same order, as calling
 * `pattern.exec(text)` again and again: a match starts at the leftmost
 * position at or after the last match's end where the pattern matches, and
 * every such position lies within `reach` before a trigger. The literals of
 * all the patterns of a family are found in one pass (`TriggerIndex`).
 */

/** A literal every match of a pattern contains, starting at most `reach` units after the match does. */
export interface Trigger {
  /** One of these occurs in every match. */
  readonly literals: readonly string[];
  /** Found in any case (for patterns with the `i` flag); the literals are written in lower case. */
  readonly caseless?: boolean;
  readonly reach: number;
  /**
   * With a reach: the ASCII characters (a class, as in a pattern) that every unit between a match's start and
   * its trigger is one of. Candidates are then looked for only in the run of them that ends at the trigger.
   */
  readonly lead?: string;
  /**
   * The ASCII characters (a class) that no match starts right after: what a lookbehind or a `\b` before a word
   * character at the pattern's start refuses. Positions after one are not tried.
   */
  readonly notAfter?: string;
  /**
   * False for an occurrence no match can start before (within its reach and lead) because of what follows it:
   * its positions are then not tried. INVARIANT: it must never be false where the pattern could match.
   */
  readonly viable?: (text: string, occurrence: number) => boolean;
}

/**
 * Trigger literals found by a search for any of them, in any case, past this many hits, by an automaton
 * instead: the search is quicker on ordinary text, the automaton bounded on text made of triggers.
 */
const SEARCH_BUDGET = 2048;

/** A stretch of a view of a text that copies the text: view[viewStart, viewEnd) is text[origin, origin + viewEnd - viewStart). */
export interface Copy {
  readonly viewStart: number;
  readonly viewEnd: number;
  readonly origin: number;
}

/** The index of the last of `copies` whose start (by `startOf`, ascending) is at or before `at`; -1 when none. */
function lastAtOrBefore(copies: readonly Copy[], at: number, startOf: (copy: Copy) => number): number {
  let lo = 0;
  let hi = copies.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (startOf(copies[mid]!) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** How many distinct offsets lists of ascending offsets hold together. */
function distinctOffsets(lists: readonly (ArrayLike<number> | undefined)[]): number {
  const all = new Set<number>();
  for (const list of lists) if (list !== undefined) for (let i = 0; i < list.length; i++) all.add(list[i]!);
  return all.size;
}

/** The trigger literals of a family of patterns, found together in one pass. */
export class TriggerIndex {
  /** The distinct literals, in lower case. */
  private readonly literals: readonly string[];
  /** Every literal, in any case: a superset of where each trigger occurs. */
  private readonly any: RegExp;
  private readonly anyGlobal: RegExp;
  /** Literal ids by the code of their first unit (lower case). */
  private readonly byFirst = new Map<number, number[]>();
  private scannerBuilt: LiteralScanner | undefined;
  /** Per trigger, the ids of its literals. */
  private readonly ids = new Map<Trigger, readonly number[]>();
  /** Per trigger with a lead, which ASCII units lead up to it. */
  readonly leads = new Map<Trigger, Uint8Array>();
  /** Per trigger with `notAfter`, which ASCII units no match starts after. */
  readonly notAfter = new Map<Trigger, Uint8Array>();

  /** Every literal is one unit that has no case. */
  private readonly unitsOnly: boolean;
  /** Every literal is ASCII: where one occurs in any case depends on the units it spans alone (see findInView). */
  private readonly asciiOnly: boolean;
  /** The literals' lengths, by id, and the longest. */
  private readonly lengths: Int32Array;
  private readonly longest: number;

  constructor(triggers: readonly Trigger[]) {
    const literals = [...new Set(triggers.flatMap((t) => t.literals.map((l) => l.toLowerCase())))];
    this.literals = literals;
    this.unitsOnly = literals.every((l) => l.length === 1 && l.toLowerCase() === l.toUpperCase());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is what the literals are checked for
    this.asciiOnly = literals.every((l) => /^[\u0000-\u007f]+$/.test(l));
    this.lengths = Int32Array.from(literals, (l) => l.length);
    this.longest = Math.max(0, ...this.lengths);
    const source = literals.map((l) => l.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|');
    this.any = new RegExp(source, 'i');
    this.anyGlobal = new RegExp(source, 'gi');
    literals.forEach((l, id) => {
      const first = l.charCodeAt(0);
      const list = this.byFirst.get(first);
      if (list) list.push(id);
      else this.byFirst.set(first, [id]);
    });
    for (const t of triggers) {
      this.ids.set(
        t,
        t.literals.map((l) => literals.indexOf(l.toLowerCase())),
      );
      if (t.lead !== undefined) this.leads.set(t, asciiTable(t.lead));
      if (t.notAfter !== undefined) this.notAfter.set(t, asciiTable(t.notAfter));
    }
  }

  /** Whether some literal occurs in `text` (in any case). */
  occursIn(text: string): boolean {
    return this.any.test(text);
  }

  /** Where each literal starts in `text`, in any case: ascending offsets by literal id, a hole for none. */
  find(text: string): readonly (ArrayLike<number> | undefined)[] {
    // Single units that have no case (the PII formats' `:` and `+`): found by indexOf, no search object per hit.
    if (this.unitsOnly) {
      return this.literals.map((unit) => {
        const at: number[] = [];
        for (let i = text.indexOf(unit); i >= 0; i = text.indexOf(unit, i + 1)) at.push(i);
        return at.length > 0 ? at : undefined;
      });
    }
    const lists: number[][] = [];
    const any = this.anyGlobal;
    any.lastIndex = 0;
    let hits = 0;
    for (let m = any.exec(text); m !== null; m = any.exec(text)) {
      // The automaton folds the case of ASCII letters alone: literals past ASCII (`tél`) are searched for to the end.
      if (++hits > SEARCH_BUDGET && this.asciiOnly) return this.scanner().scan(text).starts;
      const p = m.index;
      // Every literal that starts here, not only the one the search reports: literals overlap (`sk-`, `sk-ant-`).
      const first = text.charCodeAt(p);
      for (const id of this.byFirst.get(first >= 65 && first <= 90 ? first + 32 : first) ?? []) {
        const literal = this.literals[id]!;
        if (!startsCaseless(text, p, literal)) continue;
        const list = lists[id];
        if (list === undefined) lists[id] = [p];
        else list.push(p);
      }
      // One past each hit, not past its end: literals overlap (`sk-` in `task-`, `key` in `AccountKey=`).
      any.lastIndex = p + 1;
    }
    return lists;
  }

  /**
   * What `find(view)` gives, from what it gave for a text (`found`) that the view copies in `copies` (ascending,
   * disjoint) and changes elsewhere (a folded view): the occurrences inside a copy are the text's, moved; the
   * others are read from windows of the view around what is not copied. A view that differs from its text in a
   * few places is not searched again whole.
   *
   * INVARIANT: the same lists as `find(view)`. An occurrence depends on the units it spans alone: the search matches
   * an ASCII literal on ASCII units only, and `startsCaseless` accepts no other, since the only non-ASCII unit that
   * lower-cases to one ASCII letter, the Kelvin sign, is folded (NFKC) and never copied. Each window reaches the
   * longest literal past the last stretch it covers, so every occurrence that overlaps one is read whole there.
   * Past SEARCH_BUDGET, where `find` reads with the automaton, or for literals this reasoning does not cover, the
   * view is searched whole.
   */
  findInView(
    view: string,
    found: readonly (ArrayLike<number> | undefined)[],
    copies: readonly Copy[],
  ): readonly (ArrayLike<number> | undefined)[] {
    if (this.unitsOnly || !this.asciiOnly || distinctOffsets(found) > SEARCH_BUDGET) return this.find(view);
    const { lengths, longest } = this;
    const lists: number[][] = [];
    // The text's occurrences that lie inside a copy, at their place in the view (copies ascend in both).
    found.forEach((starts, id) => {
      if (starts === undefined) return;
      const length = lengths[id]!;
      for (let i = 0; i < starts.length; i++) {
        const p = starts[i]!;
        const copy = copies[lastAtOrBefore(copies, p, (k) => k.origin)];
        if (copy === undefined || p + length > copy.origin + (copy.viewEnd - copy.viewStart)) continue;
        const list = lists[id];
        const at = copy.viewStart + p - copy.origin;
        if (list === undefined) lists[id] = [at];
        else list.push(at);
      }
    });
    // The stretches between copies (empty where two copies meet), widened by the longest literal each way, merged.
    const windows: [number, number][] = [];
    const around = (from: number, to: number) => {
      const start = Math.max(0, from - longest + 1);
      const end = Math.min(view.length, to + longest - 1);
      const last = windows[windows.length - 1];
      if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
      else windows.push([start, end]);
    };
    let copied = 0;
    for (const copy of copies) {
      around(copied, copy.viewStart);
      copied = copy.viewEnd;
    }
    around(copied, view.length);
    const extra: number[][] = [];
    for (const [start, end] of windows) {
      const part = this.find(view.slice(start, end));
      if (distinctOffsets(part) > SEARCH_BUDGET) return this.find(view);
      part.forEach((starts, id) => {
        if (starts === undefined) return;
        for (let i = 0; i < starts.length; i++) {
          const at = start + starts[i]!;
          // Inside one copy: among the text's occurrences already.
          const copy = copies[lastAtOrBefore(copies, at, (k) => k.viewStart)];
          if (copy !== undefined && at + lengths[id]! <= copy.viewEnd) continue;
          const list = extra[id];
          if (list === undefined) extra[id] = [at];
          else list.push(at);
        }
      });
    }
    extra.forEach((more, id) => {
      if (more === undefined) return;
      const list = lists[id];
      lists[id] = list === undefined ? more : [...list, ...more].sort((a, b) => a - b);
    });
    return distinctOffsets(lists) > SEARCH_BUDGET ? this.find(view) : lists;
  }

  /** The automaton, built on first use: most texts never need it. */
  private scanner(): LiteralScanner {
    this.scannerBuilt ??= new LiteralScanner(this.literals, () => true, { caseless: true });
    return this.scannerBuilt;
  }

  /** The ids of `trigger`'s literals. */
  idsOf(trigger: Trigger): readonly number[] {
    const ids = this.ids.get(trigger);
    if (ids === undefined) throw new RangeError('a trigger this index was not built with');
    return ids;
  }
}

/** A text and where the trigger literals of an index start in it, found in one pass for every pattern. */
export class TriggerText {
  private readonly starts: readonly (ArrayLike<number> | undefined)[];
  /** Whether some literal of the index occurs, in any case: when not, no pattern of the family can match. */
  readonly any: boolean;
  /** `starts`: where the index's literals start in `text`, when known already (TriggerIndex.findInView). */
  constructor(
    readonly text: string,
    readonly index: TriggerIndex,
    starts?: readonly (ArrayLike<number> | undefined)[],
  ) {
    this.starts = starts ?? index.find(text);
    this.any = this.starts.some((l) => l !== undefined && l.length > 0);
  }

  /** The same for a view of this text that copies it in `copies` and changes it elsewhere (TriggerIndex.findInView). */
  ofView(view: string, copies: readonly Copy[]): TriggerText {
    return new TriggerText(view, this.index, this.index.findInView(view, this.starts, copies));
  }

  /** Sorted start offsets of `trigger`'s literals (in any case when `caseless`). */
  occurrences(trigger: Trigger): ArrayLike<number> {
    const ids = this.index.idsOf(trigger);
    const lists = ids.map((id, k) => {
      const at = this.starts[id] ?? NONE;
      const literal = trigger.literals[k]!;
      // The search reads every literal in any case; one that is not caseless must occur as written.
      return trigger.caseless || at.length === 0 ? at : asWritten(this.text, at, literal);
    });
    return sortedUnion(lists);
  }

  /**
   * The offsets where `trigger`'s literals occur in any case, sorted (a superset of `occurrences`, without the
   * copy that keeps those as written: TriggeredMatches checks each as it comes to it).
   */
  occurrencesInAnyCase(trigger: Trigger): ArrayLike<number> {
    return sortedUnion(this.index.idsOf(trigger).map((id) => this.starts[id] ?? NONE));
  }
}

/** The offsets of sorted lists, sorted (duplicates kept). */
function sortedUnion(lists: readonly ArrayLike<number>[]): ArrayLike<number> {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? NONE;
  const all: number[] = [];
  for (const list of nonEmpty) for (let i = 0; i < list.length; i++) all.push(list[i]!);
  return all.sort((a, b) => a - b);
}

/** Whether one of `literals` occurs at `at` as written. */
function writtenAt(text: string, at: number, literals: readonly string[]): boolean {
  for (const literal of literals) {
    let k = 0;
    while (k < literal.length && text.charCodeAt(at + k) === literal.charCodeAt(k)) k++;
    if (k === literal.length) return true;
  }
  return false;
}

const NONE: readonly number[] = [];

/** Which ASCII units a class (as in a pattern) holds, by code. */
function asciiTable(characterClass: string): Uint8Array {
  const re = new RegExp(characterClass);
  return Uint8Array.from({ length: 128 }, (_, c) => (re.test(String.fromCharCode(c)) ? 1 : 0));
}

/** The offsets of `at` where `literal` occurs as written: `at.filter((p) => text.startsWith(literal, p))`, unit by unit. */
function asWritten(text: string, at: ArrayLike<number>, literal: string): number[] {
  const kept: number[] = [];
  for (let i = 0; i < at.length; i++) {
    const p = at[i]!;
    let k = 0;
    while (k < literal.length && text.charCodeAt(p + k) === literal.charCodeAt(k)) k++;
    if (k === literal.length) kept.push(p);
  }
  return kept;
}

/**
 * Whether `text.slice(at, at + lower.length).toLowerCase() === lower` (`lower`: a literal in lower case),
 * without a string per test: ASCII units compared by code, the slice made only past ASCII.
 */
export function startsCaseless(text: string, at: number, lower: string): boolean {
  if (at + lower.length > text.length) return text.slice(at, at + lower.length).toLowerCase() === lower;
  for (let k = 0; k < lower.length; k++) {
    const c = text.charCodeAt(at + k);
    if (c >= 128) return text.slice(at, at + lower.length).toLowerCase() === lower;
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Successive matches of a pattern on a text, as repeated `exec` of the
 * global pattern would give them, tried only within `trigger.reach` before an
 * occurrence of the trigger. `sticky` is the pattern with the `y` flag.
 */
export class TriggeredMatches {
  private readonly starts: ArrayLike<number>;
  /** Index of the next trigger occurrence to try around. */
  private k = 0;
  /** Positions before this have been tried, or lie before the last match's end. */
  private next = 0;

  constructor(
    private readonly sticky: RegExp,
    private readonly source: TriggerText,
    private readonly trigger: Trigger,
  ) {
    // A trigger written in one case is checked occurrence by occurrence (exec), not copied in a pass of its own.
    this.starts = source.occurrencesInAnyCase(trigger);
  }

  /** The next match, or null. */
  exec(): RegExpExecArray | null {
    const text = this.source.text;
    const { starts, sticky, trigger } = this;
    const lead = this.source.index.leads.get(trigger);
    const notAfter = this.source.index.notAfter.get(trigger);
    // Read once per call: triggers are literals of a dozen shapes, and a property read per occurrence on them is a
    // megamorphic look-up (a MiB of log lines has 20,000 colons, each an IPv6 trigger).
    const { caseless, literals, viable, reach } = trigger;
    for (; this.k < starts.length; this.k++) {
      const occurrence = starts[this.k]!;
      // INVARIANT: skipping an occurrence a literal does not start at as written leaves what occurrences() gives
      // (duplicates aside, which a visit ending at `next` passes over).
      if (!caseless && !writtenAt(text, occurrence, literals)) continue;
      if (viable !== undefined && !viable(text, occurrence)) {
        this.next = Math.max(this.next, occurrence + 1);
        continue;
      }
      let first = Math.max(this.next, occurrence - reach);
      if (lead !== undefined && first <= occurrence) {
        // The run of lead units that ends at the trigger: a match cannot start before it.
        let s = occurrence;
        while (s > first) {
          const c = text.charCodeAt(s - 1);
          if (c >= 128 || lead[c] === 0) break;
          s--;
        }
        first = s;
      }
      // INVARIANT: a match starting at s contains a trigger at s .. s + reach, so every position that can start
      // one lies in such a range; ranges are visited in ascending order and each position at most once.
      for (let s = first; s <= occurrence; s++) {
        if (notAfter !== undefined && s > 0) {
          const c = text.charCodeAt(s - 1);
          if (c < 128 && notAfter[c] === 1) continue;
        }
        sticky.lastIndex = s;
        const m = sticky.exec(text);
        if (m === null) continue;
        // An empty match would not advance.
        this.next = m[0].length === 0 ? s + 1 : s + m[0].length;
        return m;
      }
      this.next = Math.max(this.next, occurrence + 1);
    }
    return null;
  }
}

/** The sticky twin of a global pattern (same source, same flags but `g`, plus `y`). */
export function stickyOf(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, `${pattern.flags.replace('g', '')}y`);
}
