import { withinGrants } from '../identity/scope.js';
import type { ToolDefinition } from '../policy/types.js';
import { ACCOUNT_ARGS, AMOUNT_ARGS, argsOfTarget, RECIPIENT_ARGS } from './lexicon.js';
import type { Comparison, Condition } from './meaning.js';
import type { ParsedCondition, ParsedSentence } from './parsed.js';
import { type Refusal, refuse } from './refusal.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * A clause's conditions resolved against the tools it covers: each condition on an argument
 * finds that argument in the tools' schemas (or the clause is refused), a freeze becomes the
 * state or its dates, and "external" adds the recipients outside the company.
 */

const flip: Record<Comparison, Comparison> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>' };

/** A property of the tools' argument schemas among `names`, and whether it is a list. */
export function argumentOf(
  tools: readonly ToolDefinition[],
  names: readonly string[],
  type?: 'number',
): { arg: string; list: boolean } | undefined {
  for (const name of names) {
    for (const tool of tools) {
      const props = (tool.schema?.properties ?? {}) as Record<string, { type?: string; items?: unknown }>;
      const prop = props[name];
      if (!prop) continue;
      if (type === 'number' && prop.type !== 'number' && prop.type !== 'integer') continue;
      return { arg: name, list: prop.type === 'array' };
    }
  }
  return undefined;
}

/** The refusal of a condition on an argument none of the tools declares. */
export const noArgument = (selected: readonly ToolDefinition[], what: string) =>
  refuse(
    'GH_NL_NO_ARGUMENT',
    `none of the tools ${selected.map((t) => t.name).join(', ')} declares ${what} in its schema`,
  );

/** The conditions of a clause over the `selected` tools, or the refusal of one of them. */
export function resolveConditions(
  parsed: ParsedSentence,
  selected: readonly ToolDefinition[],
  vocabulary: Vocabulary,
  external: boolean,
  notes: string[],
): { readonly conditions: Condition[] } | { readonly ok: false; readonly refusal: Refusal } {
  const conditions: Condition[] = [];
  const recipient = argumentOf(selected, RECIPIENT_ARGS);
  const noArg = (what: string) => noArgument(selected, what);
  for (const c of parsed.conditions as ParsedCondition[]) {
    switch (c.kind) {
      case 'amount': {
        const amount = argumentOf(selected, AMOUNT_ARGS, 'number');
        if (!amount) return noArg('a numeric amount argument');
        conditions.push({ kind: 'amount', arg: amount.arg, op: c.op, value: c.value });
        if (c.currency)
          notes.push(`amounts are compared in the tool's own unit; the sentence says ${c.currency}`);
        break;
      }
      case 'recipients': {
        if (!recipient) return noArg('a recipient argument (to, recipients)');
        const domain = c.domain ?? vocabulary.companyDomain;
        if (!domain)
          return refuse(
            'GH_NL_NO_ARGUMENT',
            'the policy names no company domain (no owner or group member address): name the domain',
          );
        conditions.push({
          kind: 'recipients',
          arg: recipient.arg,
          list: recipient.list,
          scope: c.scope,
          domain,
          ...(c.also &&
            c.also.length > 0 && {
              also: c.also.map((d) => (d === 'company' ? (vocabulary.companyDomain as string) : d)),
            }),
        });
        if (!c.domain)
          notes.push(`the company is ${domain} (the domain of the policy's owners and group members)`);
        break;
      }
      case 'recipient-count': {
        // A count of recipients is the size of a list; one address is always one recipient.
        if (!recipient?.list) return noArg('a list of recipients');
        conditions.push({ kind: 'recipient-count', arg: recipient.arg, op: c.op, value: c.value });
        break;
      }
      case 'provenance': {
        const a = argumentOf(selected, argsOfTarget(c.target));
        if (!a) return noArg(`an argument for the ${c.target}`);
        conditions.push({ kind: 'provenance', arg: a.arg, label: c.label });
        break;
      }
      case 'payee': {
        // An account is where a payment goes: a rule that also covers other tools would
        // compare their `to` (a list of addresses) with an account.
        const paying = selected.filter((t) => t.categories.includes('financial'));
        const a = argumentOf(paying, ACCOUNT_ARGS);
        if (!a || a.list || paying.length < selected.length)
          return refuse(
            'GH_NL_UNSUPPORTED',
            `${c.values.join(', ')}: an account is where a payment goes; the rule covers ${selected.map((t) => t.name).join(', ')}`,
            [...c.values],
          );
        conditions.push({ kind: 'payee', arg: a.arg, values: c.values, ...(c.not && { not: true }) });
        notes.push(`accounts are compared without regard to case: ${c.values.join(', ')}`);
        break;
      }
      case 'state': {
        // "During the freeze, deleting orders …" when the freeze covers no orders tool: the
        // sentence means the freeze's dates, which the policy declares once; else it is refused
        // rather than compiled into a rule that can never apply.
        const windows = vocabulary.stateWindows.get(c.value) ?? [];
        // Only the tools the clause's resource facts leave ("production deletes": not the sandbox's).
        const facts = parsed.conditions.filter((f) => f.kind === 'resource');
        const inScope = selected.filter((t) =>
          facts.every((f) => (t.resource[f.key] === f.value) !== (f.not === true)),
        );
        if (!c.period || inScope.some((t) => windows.some((w) => withinGrants(t.name, w.tools)))) {
          conditions.push({ kind: 'state', value: c.value });
          break;
        }
        const only = windows.length === 1 ? windows[0] : undefined;
        if (!only?.from || !only.until)
          return refuse(
            'GH_NL_UNSUPPORTED',
            `the policy declares no one dated ${c.value} window over ${inScope.map((t) => t.name).join(', ')}: give the dates`,
          );
        conditions.push({
          kind: 'dates',
          from: only.from.toISOString(),
          until: only.until.toISOString(),
          inside: true,
        });
        notes.push(
          `"${c.value}" covers none of these tools: read as its declared dates, ${only.from.toISOString()} to ${only.until.toISOString()}`,
        );
        break;
      }
      default:
        conditions.push(c);
    }
  }
  if (external) {
    if (!recipient || !vocabulary.companyDomain)
      notes.push('"external" has no recipient argument or company domain to check: every send is covered');
    else if (!conditions.some((c) => c.kind === 'recipients')) {
      conditions.push({
        kind: 'recipients',
        arg: recipient.arg,
        list: recipient.list,
        scope: 'outside',
        domain: vocabulary.companyDomain,
      });
      notes.push(
        `external means a recipient outside ${vocabulary.companyDomain} (the domain of the policy's owners and group members)`,
      );
    }
  }

  // "… except to partner.org": those recipients count as inside too.
  if (parsed.exceptDomains && parsed.exceptDomains.length > 0) {
    const extra = parsed.exceptDomains.map((d) => (d === 'company' ? vocabulary.companyDomain : d));
    if (extra.some((d) => d === undefined))
      return refuse('GH_NL_NO_ARGUMENT', 'the policy names no company domain: name the domain');
    const domains = extra as string[];
    const at = conditions.filter((c) => c.kind === 'recipients');
    if (at.length === 0) {
      if (!recipient) return noArg('a recipient argument (to, recipients)');
      const [first, ...rest] = domains as [string, ...string[]];
      conditions.push({
        kind: 'recipients',
        arg: recipient.arg,
        list: recipient.list,
        scope: 'outside',
        domain: first,
        ...(rest.length > 0 && { also: rest }),
      });
      notes.push(
        `"except to ${domains.join(', ')}": the rule applies when a recipient is outside ${domains.join(' and ')}`,
      );
    } else {
      const c = at[0];
      if (at.length > 1 || c?.kind !== 'recipients' || c.scope !== 'outside')
        return refuse(
          'GH_NL_UNSUPPORTED',
          `"except to ${domains.join(', ')}" is read only beside recipients outside a domain`,
        );
      const also = [...new Set([...(c.also ?? []), ...domains])].filter((d) => d !== c.domain);
      conditions[conditions.indexOf(c)] = { ...c, also };
      notes.push(`recipients at ${also.join(', ')} count as inside with ${c.domain}`);
    }
  }
  return { conditions };
}

/** The condition that holds exactly when `c` does not, where a rule can state it. */
export function negation(c: Condition): Condition | undefined {
  switch (c.kind) {
    case 'amount':
    case 'recipient-count':
      return { ...c, op: flip[c.op] };
    case 'recipients':
      // "only to example.com": every recipient inside; broken by one outside.
      return c.scope === 'outside' ? undefined : { ...c, scope: 'outside' };
    case 'hours':
    case 'intent':
    case 'dates':
    case 'yearly':
      return { ...c, inside: !c.inside };
    case 'payee':
      return c.not ? { kind: 'payee', arg: c.arg, values: c.values } : { ...c, not: true };
    case 'resource':
      // "only in staging": a tool that states no env is not in staging either.
      return { ...c, not: !c.not };
    case 'days':
      return { kind: 'days', days: [0, 1, 2, 3, 4, 5, 6].filter((d) => !c.days.includes(d)) };
    default:
      return undefined;
  }
}
