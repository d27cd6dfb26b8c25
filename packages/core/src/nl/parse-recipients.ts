import type { Comparison } from './meaning.js';
import type { ParsedSentence, Take } from './parsed.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * The recipient passes of the grammar: recipients outside or inside the company or a domain,
 * lists of domains, "to gmail.com", and the domains a rule lets through ("except to partner.org").
 */

/** The comparison each way of counting says: "10 or more" includes 10, "more than 3" does not. */
const COUNT_OPS: Readonly<Record<string, Comparison>> = {
  'more than': '>',
  over: '>',
  'at least': '>=',
  'or more': '>=',
  'fewer than': '<',
  'less than': '<',
  'or fewer': '<=',
  'or less': '<=',
  'at most': '<=',
  'no more than': '<=',
  'up to': '<=',
};

/**
 * "addressed to more than 3 recipients", "with 10 or more recipients": a count of addresses. Run
 * before the amounts, which would read "more than 3" as a sum.
 */
export function parseRecipientCount(take: Take, parsed: ParsedSentence): void {
  // "addressed to more than 3 recipients", "with 10 or more recipients": a count of addresses.
  take(
    '(?:(?:addressed|sent|going)\\s)?(?:to|with|has|have|having)\\s(?:(more than|over|at least|fewer than|less than|at most|no more than|up to)\\s(\\d+)|(\\d+)\\sor\\s(more|fewer|less))\\srecipients',
    (m) => {
      const n = Number(m[2] ?? m[3]);
      const op = COUNT_OPS[(m[1] ?? `or ${m[4]}`) as string];
      if (op === undefined || !Number.isSafeInteger(n)) return false;
      parsed.conditions.push({ kind: 'recipient-count', op, value: n });
      return true;
    },
  );
}

/** Runs the recipient passes over what the earlier condition passes left of the sentence. */
export function parseRecipients(take: Take, parsed: ParsedSentence, vocabulary: Vocabulary): void {
  // Recipients.
  // "an email that has any recipient outside the company": the having is the recipients'.
  take(
    '(?:has|have|with|contains?|includes?)(?=\\s(?:any\\s|a\\s|an\\s|one\\s)?(?:recipients?|address(?:es)?)\\s(?:outside|inside|at|in|from)\\s)',
    () => true,
  );
  const DOMAIN = '([a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,})';
  const WHO =
    '(?:to\\s)?(?:(?:anyone|anybody|someone|people|recipients?|addresses|an address|any address|contacts|parties|domains)\\s)?(?:who (?:are|is)\\s)?';
  const COMPANY =
    "(?:the company|the organi[sz]ation|our company|our organi[sz]ation|the org|our org|the firm|our domain|the company's domain|the company domain)";
  take(
    `${WHO}(?:outside\\s(?:of\\s)?|leaving\\s|that leaves?\\s|which leaves?\\s)(?:${COMPANY}|@?${DOMAIN})`,
    (m) => {
      parsed.conditions.push({ kind: 'recipients', scope: 'outside', ...(m[1] && { domain: m[1] }) });
      return true;
    },
  );
  // "any domain other than example.com": a recipient outside it.
  take(
    `(?:to\\s)?(?:any\\s|a\\s)?(?:domains?|addresses|recipients?|anyone|anybody)\\s(?:other than|besides|except|apart from|outside)\\s(?:@)?${DOMAIN}`,
    (m) => {
      parsed.conditions.push({ kind: 'recipients', scope: 'outside', domain: m[1] as string });
      return true;
    },
  );
  take(
    '(?:to\\s)?(?:external|outside|non-company)\\s(?:recipients|addresses|parties|people|domains?|contacts)',
    () => {
      parsed.conditions.push({ kind: 'recipients', scope: 'outside' });
      return true;
    },
  );
  // "except when every recipient is at example.com": the rule applies when one is not.
  take(
    `(?:,\\s)?(?:except|unless)\\s(?:when\\s|if\\s)?(?:every|each|all(?:\\sthe)?|all of the)\\s(?:recipients?|addresses)\\s(?:is|are)\\s(?:(?:at|in|inside|within)\\s(?:${COMPANY}|@?${DOMAIN})|internal)`,
    (m) => {
      parsed.conditions.push({ kind: 'recipients', scope: 'outside', ...(m[1] && { domain: m[1] }) });
      return true;
    },
  );
  // "sending to the company domain", "mail to our own domain": recipients inside it.
  take(
    `to\\s(?:${COMPANY}|our own domain|the company's own domain)(?:\\s(?:domain|addresses|recipients))?`,
    () => {
      parsed.conditions.push({ kind: 'recipients', scope: 'inside' });
      return true;
    },
  );
  take(`${WHO}(?:inside|within)\\s(?:${COMPANY}|${DOMAIN})`, (m) => {
    parsed.conditions.push({ kind: 'recipients', scope: 'inside', ...(m[1] && { domain: m[1] }) });
    return true;
  });
  take(
    '(?:to\\s)?(?:internal\\s(?:recipients|addresses|people|contacts)|colleagues|coworkers|co-workers)',
    () => {
      parsed.conditions.push({ kind: 'recipients', scope: 'inside' });
      return true;
    },
  );
  const isTool = (s: string) =>
    vocabulary.tools.some((t) => t.name.toLowerCase() === s) ||
    vocabulary.namespaces.has(s.split('.')[0] as string);
  // "to gmail.com or yahoo.com", "at a.org, b.org and c.org".
  const BARE = DOMAIN.replace('(', '(?:');
  take(
    `(?:(?:to|at)\\s|(?<=\\s(?:email|e-mail|mail)\\s))(?:(?:anyone|anybody|addresses|recipients|people)\\s(?:at\\s)?)?${BARE}(?:\\s(?:,\\s)?(?:or|and|,)\\s(?:at\\s)?${BARE})+(?:\\s(?:addresses|recipients))?`,
    (m) => {
      const domains = [...(m[0] as string).matchAll(new RegExp(BARE, 'g'))].map((d) => d[0]);
      if (domains.some(isTool) || parsed.domainsAnyOf) return false;
      parsed.domainsAnyOf = [...new Set(domains)];
      return true;
    },
  );
  take(
    `(?:to\\s)?(?:(?:anyone|anybody|someone|addresses|recipients|people|an address|(?:a\\s|any\\s)?recipient)\\s)?(?:at|@)\\s?${DOMAIN}(?:\\saddresses)?`,
    (m) => {
      if (isTool(m[1] as string)) return false;
      parsed.conditions.push({ kind: 'recipients', scope: 'any', domain: m[1] as string });
      return true;
    },
  );
  // "to gmail.com": inside the domain when the sentence says "only", else any recipient there.
  const recipientsAt = (m: RegExpExecArray): boolean => {
    if (isTool(m[1] as string)) return false;
    parsed.conditions.push({
      kind: 'recipients',
      scope: parsed.only ? 'inside' : 'any',
      domain: m[1] as string,
    });
    return true;
  };
  take(`to\\s${DOMAIN}(?:\\s(?:addresses|recipients))?`, recipientsAt);

  // "gmail.com addresses": one recipient in the domain.
  take(`${DOMAIN}\\s(?:addresses|recipients|accounts|emails)`, recipientsAt);
}

/**
 * "… except to partner.org", "unless it goes to example.com or partner.org": domains whose
 * recipients the rule lets through, read before "unless" is taken for a negated condition.
 * A dotted name that is a tool ("except for email.list") is left to the exemptions of tools.
 */
export function parseDomainExemptions(take: Take, parsed: ParsedSentence, vocabulary: Vocabulary): void {
  const D = '(?:@?[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}|the company(?:\\sdomain)?|our company|our domain)';
  take(
    `(?:,\\s)?(?:except|unless\\s(?:it|they)\\s(?:goes|go|is sent|are sent|is going|are going)|but not)\\s(?:when\\s(?:sent|going)\\s)?(?:to|for)\\s(?:(?:colleagues|addresses|recipients|people|anyone)\\s(?:at|in|on)\\s)?${D}(?:\\s(?:,\\s)?(?:and|or|,)\\s${D})*(?:\\s(?:addresses|recipients))?`,
    (m) => {
      const domains = [...(m[0] as string).matchAll(new RegExp(D, 'g'))].map((d) =>
        d[0].startsWith('the company') || d[0].startsWith('our') ? 'company' : d[0].replace(/^@/, ''),
      );
      const isTool = (s: string) =>
        vocabulary.tools.some((t) => t.name.toLowerCase() === s) ||
        vocabulary.namespaces.has(s.split('.')[0] as string);
      if (domains.some(isTool)) return false;
      parsed.exceptDomains = [...new Set([...(parsed.exceptDomains ?? []), ...domains])];
      return true;
    },
  );
}
