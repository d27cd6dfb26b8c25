/**
 * The matches of a global pattern, found by trying it only where it can
 * start: near the occurrences of a literal that every match contains (its
 * trigger). `exec` gives the same matches, in the same order, as calling
 * `pattern.exec(text)` again and again: a match starts at the leftmost
 * position at or after the last match's end where the pattern matches, and
 * every such position lies within `reach` before a trigger. Text with no
 * trigger costs one native substring search per literal.
 */

/** A literal every match of a pattern contains, starting at most `reach` units after the match does. */
export interface Trigger {
  /** One of these occurs in every match. */
  readonly literals: readonly string[];
  /** Looked for in the lower-cased text (for patterns with the `i` flag); the literals are lower case. */
  readonly caseless?: boolean;
  readonly reach: number;
}

/** The text a scan reads, with its lower-cased form made once for every pattern that needs it. */
export class TriggerText {
  private loweredText: string | undefined | null = null;
  constructor(readonly text: string) {}

  /** The lower-cased text when its positions are the text's; undefined when lower-casing moved them (U+0130). */
  get lowered(): string | undefined {
    if (this.loweredText === null) {
      const lower = this.text.toLowerCase();
      this.loweredText = lower.length === this.text.length ? lower : undefined;
    }
    return this.loweredText;
  }

  /** Whether one of `trigger`'s literals occurs: when not, the pattern cannot match. */
  mayMatch(trigger: Trigger): boolean {
    const haystack = trigger.caseless ? this.lowered : this.text;
    if (haystack === undefined) return true;
    return trigger.literals.some((l) => haystack.includes(l));
  }

  /** Sorted start offsets of `trigger`'s literals; undefined when they cannot be found (then try everywhere). */
  occurrences(trigger: Trigger): readonly number[] | undefined {
    const haystack = trigger.caseless ? this.lowered : this.text;
    if (haystack === undefined) return undefined;
    let at: number[] = NONE;
    let merged = 0;
    for (const literal of trigger.literals) {
      let i = haystack.indexOf(literal);
      if (i < 0) continue;
      if (at === NONE) at = [];
      else merged++;
      for (; i >= 0; i = haystack.indexOf(literal, i + 1)) at.push(i);
    }
    return merged > 0 ? at.sort((a, b) => a - b) : at;
  }
}

const NONE: number[] = [];

/**
 * Successive matches of `pattern` (global) on a text, as repeated
 * `pattern.exec` would give them, tried only within `trigger.reach` before an
 * occurrence of the trigger. `sticky` is the pattern with the `y` flag.
 */
export class TriggeredMatches {
  private readonly starts: readonly number[] | undefined;
  /** Index of the next trigger occurrence to try around. */
  private k = 0;
  /** Positions before this have been tried, or lie before the last match's end. */
  private next = 0;

  constructor(
    private readonly pattern: RegExp,
    private readonly sticky: RegExp,
    private readonly source: TriggerText,
    private readonly trigger: Trigger,
  ) {
    this.starts = source.occurrences(trigger);
    pattern.lastIndex = 0;
  }

  /** The next match, or null. */
  exec(): RegExpExecArray | null {
    const text = this.source.text;
    if (this.starts === undefined) return this.pattern.exec(text);
    const { starts, sticky, trigger } = this;
    for (; this.k < starts.length; this.k++) {
      const occurrence = starts[this.k]!;
      // INVARIANT: a match starting at s contains a trigger at s .. s + reach, so every position that can start
      // one lies in such a range; ranges are visited in ascending order and each position at most once.
      for (let s = Math.max(this.next, occurrence - trigger.reach); s <= occurrence; s++) {
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
