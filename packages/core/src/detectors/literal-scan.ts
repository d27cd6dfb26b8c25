/**
 * Every occurrence of a fixed set of literal strings in one pass over a text
 * (Aho–Corasick, compiled to a table of transitions): the detectors' keyword
 * prefilter, linear in the text whatever the number of literals. Code units,
 * case-sensitive; the injection rules read a lower-cased skeleton. An empty
 * literal is never found (a placeholder that keeps the others' indices).
 */

/** Where each literal occurs: start offsets, ascending, per literal index. */
export interface LiteralHits {
  /**
   * Start offsets of literal `i`, ascending, for the literals positions were asked for; a hole where there are
   * none (read it with `startsOf`): a scan does not pay for the hundreds of literals a text lacks.
   */
  readonly starts: readonly (ArrayLike<number> | undefined)[];
  /** Whether literal `i` occurs. */
  readonly occurs: Uint8Array;
}

const NONE: readonly number[] = [];

/** The start offsets of literal `id` in a scan, ascending (empty when it does not occur or was not asked for). */
export function startsOf(hits: LiteralHits, id: number): ArrayLike<number> {
  return hits.starts[id] ?? NONE;
}

/**
 * The scanner behind a set of literals. Literals in ASCII and the others
 * (CJK words) get an automaton each: the ASCII one, which every text goes
 * through, keeps a table of a few dozen columns that stays in cache; the
 * other runs only on texts with a non-ASCII unit.
 */
export class LiteralScanner {
  readonly literals: readonly string[];
  /** Per literal: 1 when its positions are wanted, 0 when only whether it occurs. */
  private readonly wanted: Uint8Array;
  private readonly lengths: Int32Array;
  private readonly ascii: Automaton;
  private readonly wide: Automaton | undefined;

  /**
   * `positions(i)`: whether the start offsets of literal `i` are wanted, or only whether it occurs. `caseless`:
   * ASCII letters are found in either case (the literals are then written in lower case).
   */
  constructor(
    literals: readonly string[],
    positions: (index: number) => boolean = () => true,
    { caseless = false }: { caseless?: boolean } = {},
  ) {
    this.literals = literals;
    this.wanted = Uint8Array.from(literals, (_, i) => (positions(i) ? 1 : 0));
    this.lengths = Int32Array.from(literals, (l) => l.length);
    // An empty string stands for a literal not looked for (it never occurs): each automaton skips the other's.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is what the first automaton reads
    const isAscii = (l: string) => /^[\u0000-\u007f]*$/.test(l);
    this.ascii = new Automaton(
      literals.map((l) => (isAscii(l) ? l : '')),
      caseless,
    );
    const wide = literals.map((l) => (isAscii(l) ? '' : l));
    this.wide = wide.some((l) => l !== '') ? new Automaton(wide, caseless) : undefined;
    this.wideReach = wide.every((l) => /^[\u0080-\uffff]*$/.test(l))
      ? 0
      : Math.max(...wide.map((l) => l.length)) - 1;
  }

  /**
   * How far the other literals reach from a non-ASCII unit they hold (0 when they hold no ASCII unit): they lie
   * within that reach of the runs of non-ASCII units, and only those stretches are read.
   */
  private readonly wideReach: number;

  /** Every occurrence of every literal in `text`. */
  scan(text: string): LiteralHits {
    const occurs = new Uint8Array(this.literals.length);
    const found = new Found();
    this.ascii.run(text, this.wanted, this.lengths, found, occurs);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a text in ASCII holds no other literal
    if (this.wide !== undefined && /[^\u0000-\u007f]/.test(text)) {
      // INVARIANT: each of these literals holds a non-ASCII unit, so each occurrence lies within wideReach of a
      // run of them: reading those stretches, merged (disjoint, ascending), finds every occurrence once, in order.
      const reach = this.wideReach;
      // A run is found by a search for its first unit and walked to its end: no match object per run, of which a
      // text in mixed scripts has one every few characters.
      const wide = /[\u0080-\uffff]/g;
      let from = -1;
      let to = -1;
      while (wide.test(text)) {
        const first = wide.lastIndex - 1;
        let last = first + 1;
        while (last < text.length && text.charCodeAt(last) >= 0x80) last++;
        wide.lastIndex = last;
        const start = Math.max(0, first - reach);
        const end = Math.min(text.length, last + reach);
        if (from >= 0 && start <= to) {
          to = Math.max(to, end);
          continue;
        }
        if (from >= 0) this.wide.run(text, this.wanted, this.lengths, found, occurs, from, to);
        from = start;
        to = end;
      }
      if (from >= 0) this.wide.run(text, this.wanted, this.lengths, found, occurs, from, to);
    }
    return { starts: found.lists(this.literals.length), occurs };
  }
}

/**
 * The occurrences a scan finds, as (literal, start) pairs in the order found, then sorted into one list per
 * literal: appending to a few hundred lists in the scan's loop, between the automaton's steps, cost about as much
 * as the steps themselves.
 * INVARIANT: per literal, the pairs come in ascending order (one automaton finds each literal, left to right).
 */
class Found {
  /** The pairs, reused by every scan (a scan is synchronous); a large one's is dropped after it. */
  private static shared: Int32Array = new Int32Array(1 << 12);
  pairs: Int32Array = Found.shared;
  n = 0;

  /** A buffer twice as large, with the pairs so far. */
  grow(): Int32Array {
    const grown = new Int32Array(this.pairs.length * 2);
    grown.set(this.pairs);
    this.pairs = grown;
    return grown;
  }

  /** Start offsets by literal id, a hole for a literal without positions. */
  lists(literals: number): (number[] | Int32Array)[] {
    const { pairs, n } = this;
    // Sized up front, to the highest literal found: an empty array written at index 1500 turns into a
    // dictionary, and every look-up a hash; sized to every literal, it cost a scan that finds a word or two
    // (a short tool output) more in memory than all the rest of its inspection. A literal above the size
    // reads as a hole, as one not found does.
    let size = 0;
    for (let j = 0; j < n; j += 2) if (pairs[j]! >= size) size = pairs[j]! + 1;
    const starts: (number[] | Int32Array)[] = new Array(size);
    // A literal found thousands of times (a long or repetitive text) gets a typed array of its exact size, filled
    // in place: a list grown by push to a million offsets copied itself through every size on the way.
    const long = n >= 2 * LONG_LIST ? longLists(pairs, n, literals) : undefined;
    if (long === undefined) {
      // Lists grown by push: packed arrays, which the rules' loops read quicker than arrays made to size (holey).
      for (let j = 0; j < n; j += 2) {
        const id = pairs[j]!;
        const list = starts[id] as number[] | undefined;
        if (list === undefined) starts[id] = [pairs[j + 1]!];
        else list.push(pairs[j + 1]!);
      }
    } else {
      const fill = new Int32Array(literals);
      for (let j = 0; j < n; j += 2) {
        const id = pairs[j]!;
        const typed = long[id];
        if (typed !== undefined) {
          typed[fill[id]!++] = pairs[j + 1]!;
          continue;
        }
        const list = starts[id] as number[] | undefined;
        if (list === undefined) starts[id] = [pairs[j + 1]!];
        else list.push(pairs[j + 1]!);
      }
      long.forEach((typed, id) => {
        if (typed !== undefined) starts[id] = typed;
      });
    }
    Found.shared = pairs.length <= MAX_KEPT_PAIRS ? pairs : new Int32Array(1 << 12);
    return starts;
  }
}

/** Literals found at least this many times get a typed array (Found.lists). */
const LONG_LIST = 4096;

/** A typed array of its exact size for each literal that occurs LONG_LIST times or more among the pairs; undefined when none does. */
function longLists(pairs: Int32Array, n: number, literals: number): (Int32Array | undefined)[] | undefined {
  const counts = new Int32Array(literals);
  for (let j = 0; j < n; j += 2) counts[pairs[j]!]!++;
  let long: (Int32Array | undefined)[] | undefined;
  for (let id = 0; id < literals; id++) {
    if (counts[id]! < LONG_LIST) continue;
    long ??= new Array(literals);
    long[id] = new Int32Array(counts[id]!);
  }
  return long;
}

/**
 * The most pair entries kept for the next scan (2 MB, what a megabyte of prose fills); a larger buffer is for the
 * scan that grew it. Growing one in fresh memory for every long text cost more in page faults than the scan.
 */
const MAX_KEPT_PAIRS = 1 << 19;

/** Aho–Corasick over some literals (the others empty), as a full table of transitions. */
class Automaton {
  /** Code unit → column of the transition table (0: a unit no literal contains). */
  private readonly column: Uint16Array;
  private readonly width: number;
  /** Transitions; 16-bit when the states allow, so that more of the table stays in cache. */
  private readonly next: Uint16Array | Int32Array;
  /** Literals that end in a state: `outputs[outStart[s] .. outStart[s + 1]]`. */
  private readonly outStart: Int32Array;
  private readonly outputs: Int32Array;

  constructor(literals: readonly string[], caseless: boolean) {
    this.column = new Uint16Array(65536);
    let width = 1;
    for (const literal of literals)
      for (let i = 0; i < literal.length; i++) {
        const u = literal.charCodeAt(i);
        if (this.column[u] === 0) this.column[u] = width++;
      }
    // An upper-case ASCII letter reads as its lower case: the same column.
    if (caseless) for (let u = 65; u <= 90; u++) this.column[u] = this.column[u + 32]!;
    this.width = width;

    // The trie.
    const children: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    literals.forEach((literal, index) => {
      // An empty literal stands for one not looked for: it never occurs.
      if (literal.length === 0) return;
      let state = 0;
      for (let i = 0; i < literal.length; i++) {
        const col = this.column[literal.charCodeAt(i)]!;
        let child = children[state]!.get(col);
        if (child === undefined) {
          child = children.length;
          children.push(new Map());
          ends.push([]);
          children[state]!.set(col, child);
        }
        state = child;
      }
      ends[state]!.push(index);
    });

    // States renumbered breadth first: the shallow states, which ordinary text visits most, share a few rows of
    // the table at its start instead of being spread over all of it (the table is larger than a core's cache).
    {
      const order = [0];
      for (let head = 0; head < order.length; head++)
        for (const child of children[order[head]!]!.values()) order.push(child);
      const renamed = new Int32Array(order.length);
      order.forEach((old, id) => {
        renamed[old] = id;
      });
      const oldChildren = children.slice();
      const oldEnds = ends.slice();
      order.forEach((old, id) => {
        children[id] = new Map([...oldChildren[old]!].map(([col, child]) => [col, renamed[child]!] as const));
        ends[id] = oldEnds[old]!;
      });
    }

    // Failure links, breadth first, folded into a full transition table.
    const states = children.length;
    const next = states <= 65536 ? new Uint16Array(states * width) : new Int32Array(states * width);
    const fail = new Int32Array(states);
    const outputs: number[][] = ends.map((e) => [...e]);
    const queue: number[] = [];
    for (const [col, child] of children[0]!) {
      next[col] = child;
      queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      outputs[state]!.push(...outputs[fail[state]!]!);
      // A state goes where its failure state goes, except along its own children: copy that row, then
      // override. INVARIANT: breadth first, the failure state (shallower) has its row already.
      const row = state * width;
      const failRow = fail[state]! * width;
      next.copyWithin(row, failRow, failRow + width);
      for (const [col, child] of children[state]!) {
        fail[child] = next[failRow + col]!;
        next[row + col] = child;
        queue.push(child);
      }
    }
    this.next = next;
    this.outStart = new Int32Array(states + 1);
    let total = 0;
    for (let s = 0; s < states; s++) {
      this.outStart[s] = total;
      total += outputs[s]!.length;
    }
    this.outStart[states] = total;
    this.outputs = new Int32Array(total);
    for (let s = 0; s < states; s++) this.outputs.set(outputs[s]!, this.outStart[s]!);
    this.emits = Uint8Array.from({ length: states }, (_, s) => (outputs[s]!.length > 0 ? 1 : 0));
  }

  /** 1 for a state in which some literal ends: most units of a text lead to none, and are read with one look-up. */
  private readonly emits: Uint8Array;

  /** Adds the occurrences of this automaton's literals in text[from, to) to `found` and `occurs`. */
  run(
    text: string,
    wanted: Uint8Array,
    lengths: Int32Array,
    found: Found,
    occurs: Uint8Array,
    from = 0,
    to = text.length,
  ): void {
    const { column, width, next, outStart, outputs, emits } = this;
    // The buffer and its length in locals: the loop writes them at every occurrence.
    let pairs = found.pairs;
    let n = found.n;
    let state = 0;
    for (let i = from; i < to; i++) {
      state = next[state * width + column[text.charCodeAt(i)]!]!;
      if (emits[state] === 0) continue;
      const from = outStart[state]!;
      const to = outStart[state + 1]!;
      for (let k = from; k < to; k++) {
        const id = outputs[k]!;
        occurs[id] = 1;
        if (wanted[id] === 0) continue;
        if (n + 2 > pairs.length) {
          found.n = n;
          pairs = found.grow();
        }
        pairs[n++] = id;
        pairs[n++] = i - lengths[id]! + 1;
      }
    }
    found.n = n;
  }
}
