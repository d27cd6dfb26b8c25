import { VOUCHING_ORIGINS } from '../path/fingerprints.js';
import type { ValueTarget } from './lexicon.js';
import { SOURCE_LABELS } from './lexicon-labels.js';
import type { PhrasingContext } from './parse-phrasings.js';
import { alt } from './parsed.js';

/**
 * Provenance and origins: where a recipient, account or link came from. "An address that
 * came only from an email" is a negative condition (its provenance carries the source's
 * label); "accounts the user gave" is a positive requirement (its origin must be one of
 * these). Run before the object passes, whose nouns ("an email") these phrases contain.
 */
export function parseProvenance({ take, parsed, vocabulary }: PhrasingContext): void {
  const VALUE_NOUN =
    '(?:recipient\\s|destination\\s|payee\\s)?((?<=\\s(?:an|the|any|every|each)\\s)email address(?:es)?|address(?:es)?|sql(?:\\sstatements?|\\squer(?:y|ies))?|subject lines?|subjects|(?:email\\s|message\\s)?bod(?:y|ies)|recipients?|account numbers?|accounts?|payees?|ibans?|urls?|links?|values?|destinations?)';
  const targetOf = (noun: string): ValueTarget =>
    /^(account|payee|iban)/.test(noun)
      ? 'account'
      : /^(url|link)/.test(noun)
        ? 'url'
        : /^sql/.test(noun)
          ? 'sql'
          : /^subject/.test(noun)
            ? 'subject'
            : /bod(?:y|ies)$/.test(noun)
              ? 'body'
              : 'recipient';
  // An origin said of a URL or link is said of the URLs a value mentions.
  const originTargetOf = (noun: string) => (/^(url|link)/.test(noun) ? 'mentions' : targetOf(noun));
  const requireUser = (m: RegExpMatchArray) => {
    parsed.origins.push({ target: originTargetOf(m[1] as string), origins: ['user_input'] });
    return true;
  };
  const SOURCES = { ...SOURCE_LABELS };
  const namespaceLabels = new Map<string, string>();
  for (const [ns, phrases] of vocabulary.namespaces) {
    const labels = [
      ...new Set(vocabulary.tools.filter((t) => t.name.startsWith(`${ns}.`)).flatMap((t) => t.labels)),
    ];
    const label = labels.includes('untrusted') ? 'untrusted' : labels[0];
    if (label) for (const p of phrases) namespaceLabels.set(p, label);
  }
  // "an address sourced from email.read": a tool named as the source gives the label its outputs
  // carry (a value from email.read is untrusted, as one from any untrusted tool is).
  for (const t of vocabulary.tools) {
    const label = t.labels.includes('untrusted') ? 'untrusted' : t.labels[0];
    if (label)
      for (const p of [t.name.toLowerCase(), `${t.name.toLowerCase()} tool`]) namespaceLabels.set(p, label);
  }
  // "anyone whose account number came from an email": the value is the subject that follows.
  take(
    '(?:anyone|anybody|someone|(?:a|any|the)\\spayee|payees|people|recipients)\\swhose(?=\\s(?:account|iban|address|email address)\\s)',
    () => true,
  );
  const SOURCE = `(?:an?\\s|the\\s)?(${alt([...Object.keys(SOURCES), ...namespaceLabels.keys()])})(?:\\soutputs?|\\scontent)?`;
  const labelOf = (source: string) =>
    SOURCES[source] ?? namespaceLabels.get(source) ?? namespaceLabels.get(source.replace(/s$/, ''));
  take(
    `(?:to\\s)?(?:an?\\s|any\\s)?${VALUE_NOUN}\\s(?:that\\s|which\\s)?(?:only\\s)?(?:(?:was|were|is|are|has been|have been)\\s)?(?:only\\s)?(?:(?:the model|the agent|the assistant|it|they)\\s)?(?:came|comes|come|was taken|were taken|taken|appeared|appears|is found|was found|found|(?:it|they|the agent)\\s(?:found|saw|read)|pulled out|pulled|picked up|extracted|copied|scraped|lifted|harvested|showed up|shows up|turned up|seen|is|are)\\s(?:only\\s)?(?:from|in|of|out of)\\s(?:only\\s)?${SOURCE}((?:\\s(?:,\\s)?(?:or|,)\\s${SOURCE.replace(/\((?!\?)/g, '(?:')})*)(?:\\s(?:it|the agent|the model)\\s(?:read|saw|opened))?`,
    (m) => {
      // Several sources are one condition only when they carry the same label.
      const sources = [m[2] as string];
      if (m[3])
        for (const x of (m[3] as string).matchAll(new RegExp(SOURCE, 'g'))) sources.push(x[1] as string);
      const labels = [...new Set(sources.map(labelOf))];
      if (labels.length !== 1 || labels[0] === undefined) return false;
      parsed.conditions.push({ kind: 'provenance', target: targetOf(m[1] as string), label: labels[0] });
      return true;
    },
  );
  // "payees from untrusted content": the source said without a verb.
  take(
    `(?:to\\s)?(?:an?\\s|any\\s)?${VALUE_NOUN}\\sfrom\\s(?:an?\\s|the\\s)?(${alt(Object.keys(SOURCES))})(?:\\soutputs?|\\scontent)?`,
    (m) => {
      const label = SOURCES[m[2] as string];
      if (!label) return false;
      parsed.conditions.push({ kind: 'provenance', target: targetOf(m[1] as string), label });
      return true;
    },
  );
  // "accounts the model made up": a value nothing vouches for, neither the user nor any tool's
  // output; the rule requires every origin a value can carry, so it applies to the rest alone.
  const MODEL = '(?:the\\s(?:model|llm|ai|agent|assistant)|an?\\s(?:model|llm))';
  const MADE_UP =
    '(?:(?:has|had)\\s)?(?:made up|makes up|invented|invents|hallucinated|hallucinates|fabricated|fabricates|came up with|comes up with|dreamed up|dreamt up|wrote|writes|generated|generates|composed|composes)';
  // "…, rather than the user typing it": the contrast says again what the model's making excludes.
  const RATHER =
    '(?:\\s,?\\s?rather than\\s(?:the|a)\\suser\\s(?:typing|giving|entering|writing|providing|supplying)\\s(?:it|them)(?:\\s,)?)?';
  take(
    `(?:to\\s)?(?:an?\\s|any\\s|the\\s)?${VALUE_NOUN}\\s(?:that\\s|which\\s)?(?:${MODEL}\\s${MADE_UP}(?:\\son its own|\\sitself|\\sby itself)?${RATHER}|(?:(?:was|were|is|are|has been|have been)\\s)?(?:made up|invented|hallucinated|fabricated|dreamed up|dreamt up|written|generated)\\sby\\s${MODEL})|(?:if|when|whenever)\\s${MODEL}\\s${MADE_UP}\\s(?:the\\s|an?\\s)?${VALUE_NOUN}(?:\\son its own|\\sitself|\\sby itself)?`,
    (m) => {
      const noun = (m[1] ?? m[2]) as string;
      if (/^(url|link)/.test(noun)) return false;
      parsed.origins.push({
        target: targetOf(noun),
        origins: [...new Set([...VOUCHING_ORIGINS, ...vocabulary.labels])],
      });
      parsed.notes.push(
        `"${m[0]}": a value no origin vouches for (not the user's, not any tool's output); one copied from a tool whose outputs carry no label counts as made up`,
      );
      return true;
    },
  );
  const USER = "(?:the user|the user's|users|a user|the human)";
  const GAVE =
    '(?:gave|gives|give|provided|provides|typed(?:\\sin)?|entered|supplied|named|wrote|chose|picked)';
  const TRUSTED = `(?:\\sor\\s(?:that\\s)?(?:a\\s|the\\s)?trusted tools?\\s(?:returned|returns|gave)|\\sor\\s(?:returned by\\s|from\\s)?(?:a\\s|the\\s)?trusted (?:tools?|systems?|sources?|lookups?)|\\sor\\s(?:from\\s)?the address book)?`;
  // A namespace whose tools the catalog marks trusted vouches like "a trusted tool" does.
  const trustedNamespaces = [...vocabulary.namespaces].filter(([ns]) => {
    const own = vocabulary.tools.filter((t) => t.name.startsWith(`${ns}.`));
    return own.length > 0 && own.every((t) => t.labels.includes('trusted'));
  });
  const TRUSTED_NS = trustedNamespaces.length
    ? `|\\sor\\s(?:(?:that|which)\\s)?(?:(?:came|come|comes|were returned|was returned|returned)\\s)?(?:from\\s|by\\s)?(?:the\\s)?(?:${alt(trustedNamespaces.flatMap(([ns, p]) => [...p, ns, ns.replace(/s$/, '')]))})(?:\\s(?:directory|tool|tools|lookup|list|book|database))?`
    : '';
  const NEVER_UNTRUSTED = `(?:\\s,?\\s?(?:;\\s)?(?:and\\s|but\\s)?(?:never|not)\\s(?:from|in)\\s(?:the\\s|an?\\s)?(?:message contents|message bodies|${alt(Object.keys(SOURCES))}))?`;
  take(
    `(?:to\\s)?(?:the\\s)?${VALUE_NOUN}\\s(?:that\\s)?(?:${USER}\\s${GAVE}|(?:given|provided|supplied|entered|typed|named)\\sby\\s${USER}|from\\s${USER}|(must|should|have to|has to|may only|can only|must only)\\s(?:only\\s)?(?:(?:come|be taken|be)\\s(?:only\\s)?from|be traceable to|be traced to|trace back to)\\s${USER})(?:${TRUSTED.slice(3, -2)}${TRUSTED_NS})?${NEVER_UNTRUSTED}`,
    (m) => {
      const noun = m[1] as string;
      if (m[2]) parsed.only = true;
      const origins = [
        'user_input',
        ...(/trusted|address book/.test(m[0] as string) || /\sor\s/.test(m[0] as string) ? ['trusted'] : []),
      ];
      parsed.origins.push({
        target: originTargetOf(noun),
        origins,
        ...(!m[2] && { named: true }),
      });
      return true;
    },
  );
  // "payees not given by the user": the rule applies to a value without that origin.
  take(
    `(?:to\\s)?(?:the\\s)?${VALUE_NOUN}\\s(?:that\\s|which\\s)?(?:(?:was|were|is|are)\\s)?not\\s(?:given|typed|entered|provided|supplied)(?:\\sin)?\\sby\\s${USER}`,
    requireUser,
  );
  take(
    `(?:,\\s)?(?:except|unless)\\s(?:when\\s|if\\s|where\\s)?(?:(?:every|each|all|the|all the)\\s)?${VALUE_NOUN}\\s(?:(?:was|were|is|are)\\s(?:typed|entered|given|provided|supplied)(?:\\sin)?\\sby|came from|comes from)\\s${USER}(?:\\sthemselves|\\sthemself|\\sdirectly)?(?:\\sor\\s(?:(?:came|come|comes|was returned|were returned)\\s)?(?:from|by)\\s(?:a\\s|the\\s)?trusted\\s(?:tools?|systems?|sources?|lookups?))?`,
    (m) => {
      const noun = m[1] as string;
      parsed.origins.push({
        target: originTargetOf(noun),
        origins: ['user_input', ...(/trusted/.test(m[0] as string) ? ['trusted'] : [])],
      });
      return true;
    },
  );
  take(
    `(?:,\\s)?(?:except|unless)\\s(?:when\\s|if\\s|where\\s)?${USER}\\s${GAVE}(?:\\sin)?\\s(?:the\\s|a\\s)?${VALUE_NOUN}`,
    requireUser,
  );
  take(
    `(?:to\\s)?(?:the\\s)?${VALUE_NOUN}\\s(?:that\\s)?(?:(?:came|come|comes)\\s)?(?:from|in|returned by)\\s(?:the address book|a trusted tool|trusted tools|the user's contacts)`,
    (m) => {
      parsed.origins.push({ target: targetOf(m[1] as string), origins: ['trusted'] });
      return true;
    },
  );
}
