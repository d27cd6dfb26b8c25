import type { ParsedSentence } from './parsed.js';
import { type Refusal, refuse } from './refusal.js';

/**
 * "may send email except to gmail.com", "can delete anything except in production": the
 * exception of a permission is what the sentence forbids; kept as a permission of the rest it
 * would add nothing (grants already permit), and the calls it carves out would stay allowed.
 * Turns the clause into the prohibition of what it excepts (in place) and returns its effect;
 * undefined when the permission excepts nothing.
 */
export function carveOutOfPermission(
  parsed: ParsedSentence,
  notes: string[],
): { readonly effect: 'deny' } | { readonly ok: false; readonly refusal: Refusal } | undefined {
  if (parsed.only || parsed.otherwiseAsk || parsed.withoutApproval) return undefined;
  const domains = parsed.exceptDomains ?? [];
  const carved = parsed.conditions.filter((c) => c.kind === 'resource' && c.not);
  if (domains.length === 0 && carved.length === 0) return undefined;
  if (domains.length > 1 || (domains.length > 0 && parsed.domainsAnyOf !== undefined))
    return refuse(
      'GH_NL_UNSUPPORTED',
      'a permission with several exceptions: write what is not allowed, one sentence each',
    );
  parsed.conditions = parsed.conditions.map((c) =>
    c.kind === 'resource' && c.not ? { kind: 'resource', key: c.key, value: c.value } : c,
  );
  const [domain] = domains;
  if (domain !== undefined) {
    parsed.conditions.push({ kind: 'recipients', scope: 'any', domain });
    parsed.exceptDomains = undefined;
  }
  notes.push('a permission "except" something is a prohibition of that something');
  return { effect: 'deny' };
}
