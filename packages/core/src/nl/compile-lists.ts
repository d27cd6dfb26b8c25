import type { SentenceResult } from './compile-sentence.js';

/**
 * "Orders queries are fine, orders deletes need approval, sandbox deletes are blocked": a list of
 * three or more statements set off by commas, taken as such only when every item compiles as a
 * clause with an effect of its own (an item that only conditions another is refused there) and
 * no two of its rules govern the same tool.
 */
export function commaStatements(
  text: string,
  compileClauses: (items: readonly string[]) => SentenceResult,
): SentenceResult | undefined {
  // A list is commas alone: a semicolon or dash sets off a statement the items may belong to.
  if (/\s[;.]\s/.test(text)) return undefined;
  const items = text.split(/\s,\s(?:and\s)?/).map((c) => ` ${c.trim()} `);
  if (items.length < 3 || items.some((c) => c.trim() === '')) return undefined;
  const r = compileClauses(items);
  if (!r.ok) return undefined;
  // Items about the same calls ("transfers over $1,000 need approval, transfers over $500 are
  // forbidden, …", "may only read email, no sending, no lookups") qualify one another in ways a
  // list does not say: only a list whose rules each govern calls of their own is read.
  const seen = new Set<string>();
  for (const m of r.meanings) {
    if (m.tools.some((t) => seen.has(t))) return undefined;
    for (const t of m.tools) seen.add(t);
  }
  return r;
}
