import { compileGlob } from '../policy/glob.js';

/**
 * OAuth scopes in Gatehouse are tool patterns: the same globs as grants
 * (`email.*`, `db.query`). A token's scopes must lie within its agent's
 * grants, and a delegated token's within both parties'. These functions
 * decide "lies within" conservatively: when containment cannot be shown
 * simply, the answer is no, and the request for that scope is refused.
 */

/** Splits an RFC 6749 §3.3 scope string (space-delimited, order irrelevant), dropping duplicates. */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(' ').filter((s) => s.length > 0))];
}

/** Joins scopes into the RFC 6749 form. */
export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/**
 * True when every tool name `inner` can match is also matched by `outer`.
 *
 * Exact for a literal `inner`. For an `inner` with wildcards it holds when
 * `outer` is `*`, equal to `inner`, or a prefix pattern (`email.*`) whose
 * prefix starts `inner` before any wildcard of `inner`.
 */
export function patternWithin(inner: string, outer: string): boolean {
  if (inner === outer || outer === '*') return true;
  if (!/[*?]/.test(inner)) return compileGlob(outer).test(inner);
  const outerStar = outer.indexOf('*');
  if (outerStar === -1 || outerStar !== outer.length - 1 || outer.includes('?')) return false;
  const prefix = outer.slice(0, -1);
  const innerLiteral = inner.slice(0, inner.search(/[*?]/));
  return innerLiteral.startsWith(prefix);
}

/** True when `pattern` lies within at least one of `grants`. */
export function withinGrants(pattern: string, grants: readonly string[]): boolean {
  return grants.some((grant) => patternWithin(pattern, grant));
}

/**
 * Scopes for a token: the requested ones if each lies within the grants,
 * or all grants when nothing was requested. Returns the scopes that are not
 * within the grants as `refused`, so the caller can answer `invalid_scope`
 * naming them.
 */
export function narrowScopes(
  requested: readonly string[],
  grants: readonly string[],
): { granted: string[]; refused: string[] } {
  if (requested.length === 0) return { granted: [...grants], refused: [] };
  const refused = requested.filter((s) => !withinGrants(s, grants));
  return { granted: refused.length === 0 ? [...requested] : [], refused };
}

/**
 * The scopes two parties share: each pattern of one side that lies within the
 * other side. Used for delegation, where the new token may do only what both
 * the delegating token and the target agent may do.
 */
export function intersectScopes(a: readonly string[], b: readonly string[]): string[] {
  const shared = new Set<string>();
  for (const pattern of a) if (withinGrants(pattern, b)) shared.add(pattern);
  for (const pattern of b) if (withinGrants(pattern, a)) shared.add(pattern);
  // Drop patterns covered by another kept pattern: `email.send` beside `email.*`.
  const kept = [...shared];
  return kept.filter((p) => !kept.some((q) => q !== p && patternWithin(p, q) && !patternWithin(q, p)));
}
