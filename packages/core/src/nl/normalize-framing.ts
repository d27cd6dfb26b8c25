/**
 * What a document puts around a rule: a list item's bullet, a control's or a ticket's label
 * ("Control AC-07:", "TICKET-311:", "SOX ITGC control:"), an audit finding's account of what
 * happened before the rule it led to ("Finding 2: … . From now on …"), and the words that date
 * it ("Effective immediately,", "Going forward,"). None of it says what a rule decides, so it is
 * set aside before the grammar reads the sentence; anything else about it is left for the grammar
 * to refuse. Runs on the sentence as written, before normalisation.
 */

/** A bullet or a number opening a list item: "- no deletes", "3) …". */
const BULLET = /^(?:[-*•]|\d{1,2}[.)])\s+/;

/** Words that open a document's label of a rule, before its colon. */
const LABEL_WORD =
  '(?:control|ticket|audit|finding|sox|iso|sod|soc|pci|nist|gdpr|hipaa|runbook|req|requirement|policy|item|action item)';

/** A label: a label word and at most four short tokens (an identifier, a clause number), then a colon. */
const LABEL = new RegExp(
  `^${LABEL_WORD}(?:[\\s-](?![a-z]+\\s[a-z]+\\s[a-z]+\\s[a-z]+\\s)[a-z0-9][a-z0-9.-]{0,14}){0,4}\\s?:\\s+`,
  'i',
);

/** "Finding 2:", "Audit finding:": a label whose first sentence tells what happened. */
const FINDING = /^(?:audit\s)?finding\b/i;

/** Words by which a sentence decides something: an account of what happened holds none of them. */
const RULE_WORDS =
  /\b(?:must|may|might|can|cannot|can't|could|should|shall|will|won't|never|not|no|only|allowed|permitted|denied|deny|denies|block|blocks|blocked|forbid|forbids|forbidden|prohibited|needs?|requires?|required|approv\w*|refuse\w*|sign[- ]off|confirm\w*)\b/i;

/** Words that date a rule rather than condition it. */
const DATING =
  /^(?:effective immediately|with immediate effect|from now on|going forward|henceforth|from today|as of today|starting now)\s?,?\s+/i;

/** "'Financial actions' means any tool in the financial category. <rule>": a term, then the rule. */
const DEFINITION = /^['"‘“]([a-z][a-z -]{1,40})['"’”] means ((?:[^.;:]|\.(?!\s)){2,80})\.\s+(.+)$/i;

/**
 * A defined term said again in the rule stands for its definition (a plural "s" too); a rule that
 * does not say the term is left whole, for the grammar to refuse.
 */
function withDefinition(sentence: string): string {
  const m = DEFINITION.exec(sentence);
  if (!m) return sentence;
  const [, term, meaning, rule] = m as unknown as [string, string, string, string];
  const said = new RegExp(`\\b${term.replace(/[-\s]+/g, '[-\\s]+')}s?\\b`, 'gi');
  if (!said.test(rule)) return sentence;
  return rule.replace(said, meaning.trim());
}

/** The sentence without the document's framing, or as it was when it has none. */
export function withoutFraming(sentence: string): string {
  let s = withDefinition(sentence.replace(BULLET, ''));
  const label = LABEL.exec(s);
  if (label) {
    const finding = FINDING.test(label[0]);
    s = s.slice(label[0].length);
    // The finding's account is the sentences before the last; the rule is the last one.
    if (finding) {
      const parts = s.split(/(?<=[a-z0-9)])\.\s+(?=[A-Za-z])/);
      if (parts.length < 2) return sentence;
      // An account that itself says what may or must happen is a rule, not a story: dropping it
      // would compile half of what was written, so the sentence is left whole for the grammar.
      if (parts.slice(0, -1).some((part) => RULE_WORDS.test(part))) return sentence;
      s = parts[parts.length - 1] as string;
      // "Sandbox deletions now require …", "… are now blocked": "now" dates the rule.
      s = s
        .replace(/\s(is|are)\snow\s/, ' $1 ')
        .replace(/\snow\s(?=(?:require|requires|need|needs|must)\s)/, ' ');
    }
  }
  return s.replace(DATING, '');
}
