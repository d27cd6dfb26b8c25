/**
 * Sorted positions and spans of a text: merged, searched and widened in linear time, for the
 * injection scanner's candidate positions and windows.
 */

/**
 * The values of ascending lists, ascending, duplicates kept (what sorting their concatenation gives): merged
 * in pairs, as the lists are sorted already.
 */
export function mergeAscending(lists: readonly ArrayLike<number>[]): ArrayLike<number> {
  let runs: ArrayLike<number>[] = lists.filter((l) => l.length > 0);
  if (runs.length === 0) return NO_POSITIONS;
  if (runs.length > 2) {
    let total = 0;
    for (const run of runs) total += run.length;
    // Many long lists: one array, sorted in place (native, numeric), instead of a level of merged copies per
    // halving of their number (past three levels, the sort is quicker), which for a megabyte's anchors allocated
    // megabytes per rule family.
    if (total >= TYPED_MERGE && runs.length > 8) return sortedTogether(runs, total);
    // A few short lists: one pass that takes the least head each time, into one array.
    if (total < TYPED_MERGE && runs.length <= FEW_RUNS) return mergeFew(runs);
  }
  while (runs.length > 1) {
    const merged: ArrayLike<number>[] = [];
    for (let r = 0; r + 1 < runs.length; r += 2) merged.push(mergeTwo(runs[r]!, runs[r + 1]!));
    if (runs.length % 2 === 1) merged.push(runs[runs.length - 1]!);
    runs = merged;
  }
  return runs[0]!;
}

/** Lists merged by mergeFew at most: each value costs a look at every list's head. */
const FEW_RUNS = 16;

function sortedTogether(runs: readonly ArrayLike<number>[], total: number): Int32Array {
  const all = new Int32Array(total);
  let at = 0;
  for (const run of runs) {
    if (run instanceof Int32Array) all.set(run, at);
    else for (let i = 0; i < run.length; i++) all[at + i] = run[i]!;
    at += run.length;
  }
  return all.sort();
}

function mergeFew(runs: readonly ArrayLike<number>[]): number[] {
  const heads = new Array<number>(runs.length).fill(0);
  const out: number[] = [];
  for (;;) {
    let best = -1;
    let value = 0;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      const h = heads[r]!;
      if (h < run.length && (best < 0 || run[h]! < value)) {
        best = r;
        value = run[h]!;
      }
    }
    if (best < 0) return out;
    heads[best]!++;
    out.push(value);
  }
}

export const NO_POSITIONS: ArrayLike<number> = [];

/**
 * Merges past this many values go into a typed array sized up front (a long merge that pushes spends most of its
 * time growing its array); shorter ones into a packed array, which the scanner's loops read quickest.
 */
const TYPED_MERGE = 4096;

function mergeTwo(a: ArrayLike<number>, b: ArrayLike<number>): ArrayLike<number> {
  const total = a.length + b.length;
  let i = 0;
  let j = 0;
  if (total < TYPED_MERGE) {
    const out: number[] = [];
    while (i < a.length && j < b.length) out.push(a[i]! <= b[j]! ? a[i++]! : b[j++]!);
    while (i < a.length) out.push(a[i++]!);
    while (j < b.length) out.push(b[j++]!);
    return out;
  }
  const out = new Int32Array(total);
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** Where the one-character `unit` occurs in `text`. */
export function unitPositions(text: string, unit: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(unit); i >= 0; i = text.indexOf(unit, i + 1)) at.push(i);
  return at;
}

/**
 * The first index of `sorted` (ascending) holding a value ≥ `value`, when every value before index `from` is
 * below it: searched for from `from` in steps that double, so that a search that moves a little costs little.
 */
export function gallop(sorted: ArrayLike<number>, value: number, from: number): number {
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < sorted.length && sorted[hi]! < value) {
    lo = hi + 1;
    hi = lo + step;
    step *= 2;
  }
  hi = Math.min(hi, sorted.length);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first of the [start, end) pairs of `windows` that ends after `at` (it holds `at` when it starts at or before it); -1 when none. */
export function windowAt(windows: Int32Array, at: number): number {
  let lo = 0;
  let hi = windows.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (windows[mid * 2 + 1]! <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo < windows.length >> 1 ? lo : -1;
}

/** The spans within `reach` of the given positions, merged; positions ascending. */
export function windowsAround(centers: readonly number[], length: number, reach: number): [number, number][] {
  const windows: [number, number][] = [];
  for (const c of centers) {
    const start = Math.max(0, c - reach);
    const end = Math.min(length, c + reach);
    const last = windows[windows.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else windows.push([start, end]);
  }
  return windows;
}

/** Where `pattern` matches in `text`. */
export function positionsOf(pattern: RegExp, text: string): number[] {
  const at: number[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) at.push(m.index);
  return at;
}
