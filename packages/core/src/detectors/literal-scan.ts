/**
 * Every occurrence of a fixed set of literal strings in one pass over a text
 * (Aho–Corasick, compiled to a table of transitions): the detectors' keyword
 * prefilter, linear in the text whatever the number of literals. Code units,
 * case-sensitive; the injection rules read a lower-cased skeleton. An empty
 * literal is never found (a placeholder that keeps the others' indices).
 */

/** Where each literal occurs: start offsets, ascending, per literal index. */
export interface LiteralHits {
  /** Start offsets of literal `i`, ascending, for the literals positions were asked for; else empty. */
  readonly starts: readonly (readonly number[])[];
  /** Whether literal `i` occurs. */
  readonly occurs: Uint8Array;
}

const NONE: readonly number[] = [];

export class LiteralScanner {
  readonly literals: readonly string[];
  /** Per literal: 1 when its positions are wanted, 0 when only whether it occurs. */
  private readonly wanted: Uint8Array;
  /** Code unit → column of the transition table (0: a unit no literal contains). */
  private readonly column: Uint16Array;
  private readonly width: number;
  private readonly next: Int32Array;
  /** Literals that end in a state: `outputs[outStart[s] .. outStart[s + 1]]`. */
  private readonly outStart: Int32Array;
  private readonly outputs: Int32Array;

  /** `positions(i)`: whether the start offsets of literal `i` are wanted, or only whether it occurs. */
  constructor(literals: readonly string[], positions: (index: number) => boolean = () => true) {
    this.literals = literals;
    this.wanted = Uint8Array.from(literals, (_, i) => (positions(i) ? 1 : 0));
    this.column = new Uint16Array(65536);
    let width = 1;
    for (const literal of literals)
      for (let i = 0; i < literal.length; i++) {
        const u = literal.charCodeAt(i);
        if (this.column[u] === 0) this.column[u] = width++;
      }
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

    // Failure links, breadth first, folded into a full transition table.
    const states = children.length;
    const next = new Int32Array(states * width);
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
  }

  /** Every occurrence of every literal in `text`. */
  scan(text: string): LiteralHits {
    const starts: number[][] = [];
    const occurs = new Uint8Array(this.literals.length);
    const { column, width, next, outStart, outputs, literals, wanted } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      state = next[state * width + column[text.charCodeAt(i)]!]!;
      const from = outStart[state]!;
      const to = outStart[state + 1]!;
      for (let k = from; k < to; k++) {
        const id = outputs[k]!;
        occurs[id] = 1;
        if (wanted[id] === 0) continue;
        const start = i - literals[id]!.length + 1;
        const list = starts[id];
        if (list === undefined) starts[id] = [start];
        else list.push(start);
      }
    }
    const out: (readonly number[])[] = new Array(literals.length);
    for (let id = 0; id < literals.length; id++) out[id] = starts[id] ?? NONE;
    return { starts: out, occurs };
  }
}
