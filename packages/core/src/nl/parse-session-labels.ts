import { alt, type ParsedSentence, type Take } from './parsed.js';

/**
 * Session labels said in the words people use for the state of a session rather than for the
 * content it read: "if prompt injection is suspected", "in an injection-suspected session", "in a
 * session flagged injection_suspected", "when the session carries the confidential label". Each
 * reads as the session carrying the label; the content-first forms ("after it read untrusted
 * content") are parsed beside these in parse-conditions.
 */

/** The ways of naming the injection_suspected state, beyond the label's own name. */
const INJECTION = [
  'injection_suspected',
  'injection-suspected',
  'injection suspected',
  'suspected injection',
  'suspected prompt injection',
  'suspected of injection',
  'suspected of prompt injection',
  'suspected of a prompt injection',
  'suspected of an injection',
  'under suspicion of injection',
  'under suspicion of prompt injection',
  'possibly injected',
  'potentially injected',
  'possible injection',
  'possible prompt injection',
];

export function parseSessionLabels(
  take: Take,
  parsed: ParsedSentence,
  labelPhrases: Record<string, string>,
): void {
  const phrases: Record<string, string> = { ...labelPhrases };
  for (const p of INJECTION) phrases[p] ??= 'injection_suspected';
  for (const l of Object.values(labelPhrases)) phrases[l] ??= l;
  const LABEL = `(?:the\\s)?(${alt(Object.keys(phrases))})(?:\\slabel)?`;
  const push = (m: RegExpMatchArray, i: number) => {
    const label = phrases[m[i] as string];
    if (label === undefined) return false;
    parsed.conditions.push({ kind: 'session-label', label });
    return true;
  };
  // "If (prompt) injection is suspected", "when injection is suspected".
  take(
    '(?:(?:in\\s)?(?:a|any|the)\\ssessions?\\s(?:where|in which)|if|when|whenever|while|once|after)\\s(?:a\\s|an\\s)?(?:prompt\\s)?injection\\s(?:is|has been|was)\\s(?:suspected|flagged|detected)(?:\\s(?:in|for)\\s(?:the|a|this)\\ssession)?',
    () => {
      parsed.conditions.push({ kind: 'session-label', label: 'injection_suspected' });
      return true;
    },
  );
  // "After a suspected prompt injection": the label stays on the session once set.
  take(
    `(?:after|following|since)\\s(?:a\\s|an\\s)?(${alt(INJECTION.filter((p) => p.startsWith('suspected') && !p.includes(' of ')))})`,
    (m) => push(m, 1),
  );
  // "If the session is suspected of prompt injection", "when a session carries the X label",
  // "whenever the session is flagged (as) X".
  take(
    `(?:if|when|whenever|while|once)\\s(?:the\\s|a\\s|its\\s)?session\\s(?:is\\s|has been\\s|was\\s)?(?:flagged\\s|marked\\s|labell?ed\\s|tagged\\s|carries\\s|has\\s|bears\\s)?(?:as\\s|with\\s)?${LABEL}`,
    (m) => push(m, 1),
  );
  // "in a session flagged (as) X", "in sessions suspected of prompt injection".
  take(
    `(?:in\\s|during\\s)?(?:a\\s|an\\s|any\\s|the\\s)?sessions?\\s(?:that\\s(?:is|are|was|were)\\s|which\\s(?:is|are)\\s)?(?:flagged\\s|marked\\s|labell?ed\\s|tagged\\s|carrying\\s|with\\s)?(?:as\\s)?${LABEL}`,
    (m) => push(m, 1),
  );
  // "in an injection-suspected session".
  take(
    `(?:in\\s|during\\s)?(?:a\\s|an\\s|any\\s|the\\s)?(${alt(INJECTION.filter((p) => !p.includes(' of ')))})\\ssessions?`,
    (m) => push(m, 1),
  );
}
