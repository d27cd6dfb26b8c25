/**
 * Globs over tool and agent names.
 *
 * `*` matches any run of characters (dots included, so `email.*` covers
 * `email.drafts.create`), `?` matches one character; everything else is
 * literal. There are no character classes or escapes: a pattern is either
 * what it says or it is refused by the policy schema.
 */

/** A compiled glob over names. */
export interface Glob {
  readonly pattern: string;
  /** True when `name` matches the whole pattern. */
  test(name: string): boolean;
}

/**
 * Compiles a glob once, picking the cheapest test that is exact for the
 * pattern: equality, a prefix or suffix check, or a general
 * wildcard match that cannot backtrack catastrophically.
 *
 * @example
 * ```ts
 * compileGlob('email.*').test('email.send'); // true
 * compileGlob('*.delete').test('db.delete'); // true
 * ```
 */
export function compileGlob(pattern: string): Glob {
  const star = pattern.indexOf('*');
  const hasQuestion = pattern.includes('?');
  if (star === -1 && !hasQuestion) {
    return { pattern, test: (name) => name === pattern };
  }
  if (!hasQuestion && star === pattern.length - 1 && pattern.indexOf('*') === pattern.lastIndexOf('*')) {
    const prefix = pattern.slice(0, -1);
    return { pattern, test: (name) => name.startsWith(prefix) };
  }
  if (!hasQuestion && star === 0 && pattern.lastIndexOf('*') === 0) {
    const suffix = pattern.slice(1);
    return { pattern, test: (name) => name.endsWith(suffix) };
  }
  return { pattern, test: (name) => wildcardMatch(pattern, name) };
}

/**
 * Matches `name` against a pattern with `*` and `?` in O(pattern × name)
 * time at worst. A regular expression with several `.*` can backtrack
 * polynomially (`*a*a*a*b` against a long run of `a`); this loop only ever
 * returns to the most recent star.
 */
function wildcardMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (n < name.length) {
    const c = pattern.charCodeAt(p);
    if (p < pattern.length && (c === QUESTION || c === name.charCodeAt(n))) {
      p++;
      n++;
    } else if (p < pattern.length && c === STAR) {
      starAt = p++;
      resumeAt = n;
    } else if (starAt !== -1) {
      p = starAt + 1;
      n = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}

const STAR = 42; // '*'
const QUESTION = 63; // '?'

/** True when any of the globs matches `name`. */
export function anyGlobMatches(globs: readonly Glob[], name: string): boolean {
  for (const glob of globs) if (glob.test(name)) return true;
  return false;
}
