import { escapeRegex } from './meaning.js';
import { alt, type ParsedSentence, type Take } from './parsed.js';

/**
 * Words in capitals that are abbreviations a sentence uses, not the name of an account: left
 * to the rest of the grammar (and refused there when it cannot read them).
 */
const NOT_ACCOUNTS = new Set([
  'utc',
  'gmt',
  'sql',
  'pii',
  'cfo',
  'ceo',
  'cto',
  'usd',
  'eur',
  'gbp',
  'api',
  'url',
  'csv',
  'pdf',
  'ssn',
  'iban',
  'mcp',
  'llm',
  'aws',
  'gcp',
  'not',
  'never',
  'any',
  'all',
  'only',
  'must',
  'nobody',
  'ever',
  'none',
]);

/**
 * The identifiers a sentence spells as names of accounts, lower-cased as the grammar reads
 * them: a word in capitals ("ACME", "US133000000121212121212") or a hyphenated code with a
 * figure ("acct-1001", "acct-GB29-4411"). Only the case of the sentence as written tells
 * "ACME" from the word "acme", so this reads the sentence before it is normalised.
 */
export function accountLiteralsOf(sentence: string): string[] {
  const found = new Set<string>();
  for (const m of sentence.matchAll(
    /(?<![\w@.-])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|[A-Z][A-Z0-9]{2,})(?![\w@-]|\.\w)/g,
  )) {
    const word = m[1] as string;
    const lower = word.toLowerCase();
    if (word.includes('-') ? /\d/.test(word) : !NOT_ACCOUNTS.has(lower)) found.add(lower);
  }
  return [...found];
}

/**
 * Payees named by their account: "transfers to acct-9000", "the payee is acct-7777", "only to
 * the ACME account", "other than ACME", "except those to acct-1001", "unless they go to X".
 * Said after an exemption or "unless", the rule applies to every other account. Only the
 * identifiers `accountLiteralsOf` found are read, so an ordinary word is never an account.
 */
export function parsePayees(take: Take, parsed: ParsedSentence, literals: readonly string[]): void {
  if (literals.length === 0) return;
  const LIT = `(?:the\\s)?(?:account\\s|payee\\s)?(?:${alt(literals)})(?:\\saccount)?`;
  const LITS = `${LIT}(?:\\s(?:,\\s)?(?:and|or|,)\\s${LIT})*`;
  const valuesIn = (s: string) =>
    literals.filter((l) => new RegExp(`(?:^|\\s)${escapeRegex(l)}(?=\\s|$)`).test(s));
  const ROLE = '(?:the\\s)?(?:payee|recipient|destination|destination account|account|beneficiary)';
  const push = (text: string, not: boolean) => {
    const values = valuesIn(` ${text} `);
    if (values.length === 0) return false;
    parsed.conditions.push({ kind: 'payee', values, ...(not && { not: true }) });
    return true;
  };
  take(
    `(?:(?:to\\s)?(?:any|every|an?)\\s(?:account|payee|recipient|destination)\\s)?(?:other than|except(?:\\sfor)?|apart from|besides|but not|unless\\s(?:it|they)\\s(?:goes|go|is going|are going|is sent|are sent|is paid|are paid|is made|are made)|unless\\s${ROLE}\\s(?:is|being))(?:\\s(?:those|ones|the ones|payments|transfers))?\\s(?:to\\s)?${LITS}`,
    (m) => push(m[0] as string, true),
  );
  take(`${ROLE}\\s(?:is|being)\\s${LITS}`, (m) => push(m[0] as string, false));
  take(
    `(?:to|go to|goes to|going to|paid to|sent to|made to)\\s${LITS}|(?<=\\s(?:pay|pays|paying)\\s)${LITS}`,
    (m) => push(m[0] as string, false),
  );
}
