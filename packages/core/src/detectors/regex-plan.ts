/**
 * What a rule's pattern needs to match, read off its source: the literal
 * strings every match starts with (anchors), literal sets every match
 * contains (factors), and the longest match. The injection detector tries a
 * pattern only where one of its anchors occurs and all its factors occur
 * close enough after, instead of at every position of the text: the same
 * matches, far fewer attempts.
 *
 * The analysis covers the subset of JavaScript regex syntax the rules use
 * (literals, escapes, classes, groups, lookaround, bounded and unbounded
 * quantifiers, `^`, `$`, `\b`). Everything it cannot bound it treats as "any
 * character", which only makes the plan try more positions: it errs on the
 * side of running the pattern. Patterns are read without flags (no `i`, `m`,
 * `s` or `u`): code units, case-sensitive, `^` at the start of the text only.
 */

/** A literal a match can start with; `boundary`: a `\b` comes right before it. */
export interface Anchor {
  readonly text: string;
  readonly boundary: boolean;
}

/** How to look for a pattern's matches. */
export interface RegexPlan {
  /** Literals every match not at position 0 starts with; undefined when the pattern may start anywhere. */
  readonly anchors: readonly Anchor[] | undefined;
  /** Sets of literals: every match contains one literal of each set. */
  readonly factors: readonly (readonly string[])[];
  /** The longest match (Infinity when unbounded). */
  readonly maxLength: number;
}

type Node =
  | { readonly t: 'set'; readonly units: readonly number[] }
  | { readonly t: 'any' }
  | { readonly t: 'seq'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly alts: readonly Node[] }
  | { readonly t: 'rep'; readonly node: Node; readonly min: number; readonly max: number }
  | { readonly t: 'zero'; readonly kind: 'boundary' | 'start' | 'other' };

/** Classes of more code units than this count as "any character". */
const MAX_CLASS = 16;
/** Bounds on the anchor analysis: enough to reach whole words, small enough to stay cheap. */
const MAX_ENTRIES = 128;
const MAX_ANCHOR = 16;

const ANY: Node = { t: 'any' };

/** Parses the regex subset; throws on syntax it does not know, so a new construct is noticed in tests. */
function parse(source: string): Node {
  let i = 0;
  const peek = () => source[i];
  const fail = (why: string): never => {
    throw new Error(`regex-plan: ${why} at ${i} in /${source}/`);
  };

  const escapeUnit = (c: string): number | 'any' => {
    switch (c) {
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        return 'any';
      case 'n':
        return 10;
      case 't':
        return 9;
      case 'r':
        return 13;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case '0':
        return 0;
      case 'u': {
        const hex = source.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('\\u escape');
        i += 4;
        return Number.parseInt(hex, 16);
      }
      case 'x': {
        const hex = source.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('\\x escape');
        i += 2;
        return Number.parseInt(hex, 16);
      }
      default:
        if (/[a-zA-Z0-9]/.test(c)) fail(`escape \\${c}`);
        return c.charCodeAt(0);
    }
  };

  const parseClass = (): Node => {
    // After '['.
    let negated = false;
    if (peek() === '^') {
      negated = true;
      i++;
    }
    const units = new Set<number>();
    let wide = false;
    let first = true;
    const unit = (): number | 'any' => {
      const c = source[i++];
      if (c === undefined) return fail('unterminated class');
      if (c === '\\') {
        const e = source[i++];
        if (e === undefined) return fail('unterminated escape');
        return e === 'b' ? 8 : escapeUnit(e);
      }
      return c.charCodeAt(0);
    };
    while (first || peek() !== ']') {
      first = false;
      if (peek() === undefined) fail('unterminated class');
      const lo = unit();
      if (peek() === '-' && source[i + 1] !== ']' && source[i + 1] !== undefined) {
        i++;
        const hi = unit();
        if (lo === 'any' || hi === 'any') {
          wide = true;
          continue;
        }
        if (hi - lo >= MAX_CLASS) wide = true;
        else for (let u = lo; u <= hi; u++) units.add(u);
        continue;
      }
      if (lo === 'any') wide = true;
      else units.add(lo);
    }
    i++;
    if (negated || wide || units.size > MAX_CLASS) return ANY;
    return { t: 'set', units: [...units] };
  };

  const parseAtom = (): Node => {
    const c = source[i++]!;
    switch (c) {
      case '(': {
        let look = false;
        if (source.startsWith('?:', i)) i += 2;
        else if (source.startsWith('?=', i) || source.startsWith('?!', i)) {
          i += 2;
          look = true;
        } else if (source.startsWith('?<=', i) || source.startsWith('?<!', i)) {
          i += 3;
          look = true;
        } else if (source.startsWith('?<', i)) {
          const close = source.indexOf('>', i);
          if (close < 0) fail('group name');
          i = close + 1;
        } else if (peek() === '?') fail('group kind');
        const inner = parseAlt();
        if (source[i++] !== ')') fail('unclosed group');
        return look ? { t: 'zero', kind: 'other' } : inner;
      }
      case '[':
        return parseClass();
      case '.':
        return ANY;
      case '^':
        return { t: 'zero', kind: 'start' };
      case '$':
        return { t: 'zero', kind: 'other' };
      case '\\': {
        const e = source[i++];
        if (e === undefined) return fail('trailing backslash');
        if (e === 'b') return { t: 'zero', kind: 'boundary' };
        if (e === 'B') return { t: 'zero', kind: 'other' };
        if (/[1-9]/.test(e)) fail('backreference');
        const u = escapeUnit(e);
        return u === 'any' ? ANY : { t: 'set', units: [u] };
      }
      case ')':
      case '|':
      case '*':
      case '+':
      case '?':
        return fail(`unexpected ${c}`);
      default:
        return { t: 'set', units: [c.charCodeAt(0)] };
    }
  };

  const parseQuantified = (): Node => {
    const atom = parseAtom();
    let min = 1;
    let max = 1;
    const c = peek();
    if (c === '?' || c === '*' || c === '+') {
      i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Number.POSITIVE_INFINITY;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) return atom;
      i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else return atom;
    if (peek() === '?') i++;
    return { t: 'rep', node: atom, min, max };
  };

  const parseSeq = (): Node => {
    const items: Node[] = [];
    while (i < source.length && peek() !== '|' && peek() !== ')') items.push(parseQuantified());
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  };

  function parseAlt(): Node {
    const alts = [parseSeq()];
    while (peek() === '|') {
      i++;
      alts.push(parseSeq());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  const root = parseAlt();
  if (i !== source.length) fail('unbalanced )');
  return root;
}

/** The longest (`max`) or shortest (`min`) match of `node`. */
function lengthOf(node: Node, bound: 'min' | 'max'): number {
  switch (node.t) {
    case 'set':
    case 'any':
      return 1;
    case 'zero':
      return 0;
    case 'seq':
      return node.items.reduce((sum, n) => sum + lengthOf(n, bound), 0);
    case 'alt':
      return Math[bound](...node.alts.map((n) => lengthOf(n, bound)));
    case 'rep': {
      const inner = lengthOf(node.node, bound);
      return inner === 0 ? 0 : inner * (bound === 'max' ? node.max : node.min);
    }
  }
}

/**
 * A prefix of a match: `text` is what the match starts with; `exact`: the
 * node's whole match is `text` (so what follows may extend it); `boundary`: a
 * `\b` precedes `text`.
 */
interface Entry {
  readonly text: string;
  readonly exact: boolean;
  readonly boundary: boolean;
}

const EMPTY: readonly Entry[] = [{ text: '', exact: true, boundary: false }];
const UNKNOWN: readonly Entry[] = [{ text: '', exact: false, boundary: false }];

const inexact = (entries: readonly Entry[]) => entries.map((e) => (e.exact ? { ...e, exact: false } : e));

/** `a` followed by `b`. */
function concat(a: readonly Entry[], b: readonly Entry[]): readonly Entry[] {
  const open = a.filter((e) => e.exact && e.text.length < MAX_ANCHOR);
  if (open.length === 0) return inexact(a);
  if (a.length + open.length * b.length > MAX_ENTRIES) return inexact(a);
  const out: Entry[] = a
    .filter((e) => !e.exact || e.text.length >= MAX_ANCHOR)
    .map((e) => ({ ...e, exact: false }));
  for (const x of open)
    for (const y of b)
      out.push({
        text: x.text + y.text,
        exact: y.exact,
        boundary: x.text === '' ? x.boundary || y.boundary : x.boundary,
      });
  return out;
}

/** The entries every match of `node` starts with; [] when it can match only at the start of the text. */
function prefixes(node: Node): readonly Entry[] {
  switch (node.t) {
    case 'set':
      return node.units.map((u) => ({ text: String.fromCharCode(u), exact: true, boundary: false }));
    case 'any':
      return UNKNOWN;
    case 'zero':
      if (node.kind === 'start') return [];
      return node.kind === 'boundary' ? [{ text: '', exact: true, boundary: true }] : EMPTY;
    case 'seq': {
      let acc: readonly Entry[] = EMPTY;
      for (const item of node.items) {
        if (!acc.some((e) => e.exact)) break;
        acc = concat(acc, prefixes(item));
      }
      return acc;
    }
    case 'alt':
      return node.alts.flatMap(prefixes);
    case 'rep': {
      if (node.max === 0) return EMPTY;
      const one = prefixes(node.node);
      let acc = one;
      for (let k = 1; k < node.min && acc.some((e) => e.exact); k++) acc = concat(acc, one);
      if (node.max > node.min) acc = node.max === 1 ? acc : inexact(acc);
      return node.min === 0 ? [...EMPTY, ...acc] : acc;
    }
  }
}

/** Literal sets every match of `node` contains one member of. */
function factors(node: Node): string[][] {
  switch (node.t) {
    case 'seq': {
      const out: string[][] = [];
      const single = (n: Node | undefined) => n?.t === 'set' && n.units.length === 1;
      node.items.forEach((item, k) => {
        out.push(...factors(item));
        // What follows from the start of each run of literal characters, and from each other item.
        if (item.t === 'zero' || lengthOf(item, 'min') === 0 || (single(item) && single(node.items[k - 1])))
          return;
        const set = literalSet(prefixes({ t: 'seq', items: node.items.slice(k) }));
        if (set) out.push(set);
      });
      return out;
    }
    case 'rep':
      return node.min > 0 ? factors(node.node) : [];
    case 'alt': {
      const out: string[][] = [];
      const set = literalSet(prefixes(node));
      if (set) out.push(set);
      // One factor of each branch: a match contains a literal of one of them.
      const best = node.alts.map((alt) => factors(alt).sort(bySelectivity)[0]);
      if (best.every((f) => f !== undefined)) out.push(minimal(best.flat()));
      return out;
    }
    default:
      return [];
  }
}

/** The distinct texts of `entries` with no member a prefix of another; undefined when one is empty. */
function literalSet(entries: readonly Entry[]): string[] | undefined {
  if (entries.length === 0 || entries.some((e) => e.text === '')) return undefined;
  return minimal(entries.map((e) => e.text));
}

/** Distinct texts, sorted, none of which another one starts with (the shorter one finds both). */
function minimal(texts: readonly string[]): string[] {
  const kept: string[] = [];
  for (const t of [...new Set(texts)].sort()) if (!kept.some((k) => t.startsWith(k))) kept.push(t);
  return kept;
}

/** Minimal anchors: a longer anchor another one is a prefix of adds no positions. */
function anchorSet(entries: readonly Entry[]): Anchor[] | undefined {
  if (entries.some((e) => e.text === '')) return undefined;
  const byText = new Map<string, boolean>();
  for (const e of entries) byText.set(e.text, (byText.get(e.text) ?? true) && e.boundary);
  const texts = [...byText.keys()].sort();
  const kept: Anchor[] = [];
  for (const text of texts) {
    const shorter = kept.findIndex((k) => text.startsWith(k.text));
    if (shorter < 0) kept.push({ text, boundary: byText.get(text)! });
    else if (!byText.get(text)) kept[shorter] = { text: kept[shorter]!.text, boundary: false };
  }
  return kept;
}

/** Factors worth checking: literals of three characters or more (shorter ones occur everywhere), each set once. */
const MIN_FACTOR = 3;

/** Factors checked per pattern: the most selective ones. */
const MAX_FACTORS = 3;

/** Longer shortest literals first, then fewer literals. */
const bySelectivity = (a: readonly string[], b: readonly string[]) =>
  Math.min(...b.map((t) => t.length)) - Math.min(...a.map((t) => t.length)) || a.length - b.length;

/** The plan for a pattern source. */
export function planOf(source: string): RegexPlan {
  const root = parse(source);
  const anchors = anchorSet(prefixes(root));
  const seen = new Set<string>(anchors ? [anchors.map((a) => a.text).join('\u0000')] : []);
  const useful = factors(root)
    .filter((set) => {
      if (set.some((t) => t.length < MIN_FACTOR)) return false;
      const key = set.join('\u0000');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(bySelectivity)
    .slice(0, MAX_FACTORS);
  return { anchors, factors: useful, maxLength: lengthOf(root, 'max') };
}
