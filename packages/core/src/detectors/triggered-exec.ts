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
}

/** The trigger literals of a family of patterns, found together in one pass. */
export class TriggerIndex {
  /** Every literal, in any case: a superset of where each trigger occurs. */
  private readonly any: RegExp;
  constructor(triggers: readonly Trigger[]) {
    const literals = new Set(triggers.flatMap((t) => t.literals.map((l) => l.toLowerCase())));
    this.any = new RegExp(
      [...literals].map((l) => l.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|'),
      'gi',
    );
  }

  /** Whether some literal occurs in `text` (in any case). */
  occursIn(text: string): boolean {
    this.any.lastIndex = 0;
    return this.any.test(text);
  }

  /** Every offset of `text` at which some literal starts (in any case), ascending. */
  positionsIn(text: string): readonly number[] {
    const at: number[] = [];
    const any = this.any;
    any.lastIndex = 0;
    // One past each hit, not past its end: literals overlap (`sk-` in `task-`, `key` in `AccountKey=`).
    for (let m = any.exec(text); m !== null; m = any.exec(text)) {
      at.push(m.index);
      any.lastIndex = m.index + 1;
    }
    return at;
  }
}

/** A text and where its trigger literals start, found once for every pattern of a family. */
export class TriggerText {
  /** Offsets where some literal of the index starts, in any case. */
  readonly positions: readonly number[];
  constructor(
    readonly text: string,
    index: TriggerIndex,
  ) {
    this.positions = index.positionsIn(text);
  }

  /** Sorted start offsets of `trigger`'s literals (any case when `caseless`). */
  occurrences(trigger: Trigger): readonly number[] {
    const { text, positions } = this;
    if (positions.length === 0) return positions;
    const at: number[] = [];
    for (const p of positions) {
      for (const literal of trigger.literals) {
        const found = trigger.caseless
          ? text.slice(p, p + literal.length).toLowerCase() === literal
          : text.startsWith(literal, p);
        if (found) {
          at.push(p);
          break;
        }
      }
    }
    return at;
  }
}

/**
 * Successive matches of a pattern on a text, as repeated `exec` of the
 * global pattern would give them, tried only within `trigger.reach` before an
 * occurrence of the trigger. `sticky` is the pattern with the `y` flag.
 */
export class TriggeredMatches {
  private readonly starts: readonly number[];
  /** Index of the next trigger occurrence to try around. */
  private k = 0;
  /** Positions before this have been tried, or lie before the last match's end. */
  private next = 0;

  constructor(
    private readonly sticky: RegExp,
    private readonly source: TriggerText,
    private readonly trigger: Trigger,
  ) {
    this.starts = source.occurrences(trigger);
  }

  /** The next match, or null. */
  exec(): RegExpExecArray | null {
    const text = this.source.text;
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
