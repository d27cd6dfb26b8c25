/**
 * Rewrites of the normalisation stage for glosses and roundabout wordings (round 11, issue 18):
 * a person's address in brackets after their name, a domain in brackets that says what
 * "external" or "internally" means, asides that say a rule holds whoever the recipient is,
 * "should not be able to", a cap whose second half says what happens above it, and an intent
 * said as "while the X intent is active". Run first, on the lower-cased sentence with its
 * symbols spelled, before the general word rewrites. Each keeps the meaning or leaves the
 * sentence for the grammar to refuse.
 */

/** A domain as the grammar reads one: `example.com`, `mail.example.co.uk`. */
const DOMAIN = '[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}';

/** Words that say an approval is asked for: the bracketed address then names the approver. */
const APPROVAL_WORD = /\b(?:approv\w*|sign-?off|sign off|ok|okay|consent|authori[sz]\w*)\b/;

const GLOSS_WORDS: readonly [RegExp, string | ((...groups: string[]) => string)][] = [
  // "Finance reports need Fiona's approval and transfers need Carol's": two rules, each with
  // its own approver; the second's noun is the first's.
  [
    /^ ([a-z][a-z0-9 _.-]{2,50}?) (needs?|requires?) ([a-z]+'s) (approval|sign-?off|ok|consent) and ([a-z][a-z0-9 _.-]{2,50}?) (needs?|requires?) ([a-z]+'s)(?: (?:approval|sign-?off|ok|consent))? $/,
    ' $1 $2 $3 $4 ; $5 $6 $7 $4 ',
  ],
  // "A finance team member has to approve": a member of that group.
  [/\b(a|an|one|any) ([a-z][a-z-]*) team member\b/g, '$1 $2 member'],
  // "needs one member of finance": one approval from that group.
  [
    /\b(needs?|requires?) (one|two|three|\d) (?:members?|people|persons) (?:of|from|in) (?:the )?([a-z][a-z-]*)(?: group| team)?\b(?! to\b)/g,
    (_: string, need: string, count: string, group: string) =>
      `${need} ${count} ${count === 'one' || count === '1' ? 'approval' : 'approvals'} from ${group}`,
  ],
  // "any financial call": the category's calls.
  [/\b(financial|destructive|read-only) (call|action)\b(?!s)/g, '$1 $2s'],
  // "before it reads any message", "may not open an email": reading one message is the tool
  // that reads one, not listing the inbox. Only as the rule's own action: "came from reading a
  // message" is a source, and "after it reads an email" a session's history.
  [
    /\b(before (?:it|they|the agent|an agent) |(?:may|can|must|should)(?: not| never| only)? |cannot |never |to )(?:read|open)(s|ing)? (?:(?:a|any|one|each|every|a single) (?:email|e-mail|mail|message)\b(?!s)|(?:individual|single) (?:email |e-mail )?(?:emails|messages|email|message)\b)/g,
    (_: string, lead: string, ending = '') =>
      `${lead}${ending === 'ing' ? 'using' : `use${ending}`} email.read`,
  ],
  // "an external address (not @example.com)", "External recipients (anything not
  // @example.com)": outside that domain, which the brackets name.
  [
    new RegExp(
      `\\b(?:external|outside|non-company) (address|addresses|recipients?|domains?)\\s?\\((?:anything |any address |anyone |i\\.e\\.,? |that is,? |meaning )?(?:not|but) (?:@|at |in |on )?(${DOMAIN})\\)`,
      'g',
    ),
    '$1 outside $2',
  ],
  // "sent internally (example.com)": to that domain.
  [new RegExp(`\\binternally\\s?\\((?:@|to |at |within |inside )?(${DOMAIN})\\)`, 'g'), 'to $1'],
  // "addresses ending in @example.com": the @ anchors the whole domain, so it is mail at it; a
  // suffix without the @ ("ending in example.com") would also take subdomains and is left alone.
  [
    new RegExp(`\\b(addresses|recipients) (?:ending|that end|which end) (?:in|with) @(${DOMAIN})\\b`, 'g'),
    '$1 at $2',
  ],
  // "is going to an external address": sent there.
  [/\b(is|are) (?:going|headed|heading|being sent) to\b/g, '$1 sent to'],
  // ", no matter who the recipient is", ", whoever they're addressed to": the rule holds for
  // every recipient, which saying none already means.
  [/,? (?:no matter|regardless of) (?:who|whom) the recipients? (?:is|are)\b/g, ''],
  [/,? whoever (?:they're|they are|it's|it is|the recipients? (?:is|are)) (?:addressed |sent )?to\b/g, ''],
  // "should not be able to move money": may not.
  [/\b(?:should|must|will) not be able to\b/g, 'may not'],
  [/\b(?:shouldn't|mustn't|won't) be able to\b/g, 'may not'],
  // "Transfers are capped at 250; anything bigger is refused": the second half says the cap is
  // a refusal, so a bare figure is read as the amount.
  [
    /^ ([a-z][a-z ]{2,40}?) (is|are) (?:capped|limited) at (\d[\d,]*(?:\.\d+)?k?)\s?[;,] anything (?:bigger|larger|higher|greater|more|above (?:that|it)|over (?:that|it)) (?:is|gets|will be) (?:refused|blocked|denied|rejected|forbidden) $/,
    ' $1 over $3 $2 not allowed ',
  ],
  // "No single transfer may be larger than 2000": those over the figure are not allowed.
  [
    /(^ |, )no (?:single )?([a-z]+?)s? (?:may|can|should|shall|must) be (?:larger|bigger|greater|higher|more) than ([$€£]?\d[\d,]*(?:\.\d+)?k?(?: dollars| usd| euros?| eur)?)(?= $| ,| ;)/g,
    '$1$2s over $3 are not allowed',
  ],
  // "go through on their own": without anyone asked, which is a permission.
  [/\b(go|goes) through (?:on (?:their|its) own|by themselves|by itself|unassisted)\b/g, 'can go through'],
  // "9 to 5 on weekdays": office hours, morning to afternoon.
  [
    /\b(?:from )?([6-9]|1[01]) to ([1-8])(?=,? (?:on )?(?:weekdays|workdays|business days|monday to friday|mon-fri)\b)/g,
    'between $1am and $2pm',
  ],
  // "taken from the contents of an email": the value came from the email.
  [
    /\b(?:that (?:were|was|are|is) )?(?:taken|copied|pulled|lifted|extracted|scraped) (?:out )?(?:from|of) (?:the )?(?:contents?|body|text) of (an?|the|any) (email|message)\b/g,
    'that came from $1 $2',
  ],
  // "If the session is flagged for suspected prompt injection": injection is suspected.
  [
    /\b(?:the |a )?session (?:is|was|has been|gets) (?:flagged|marked|tagged|labell?ed) (?:for|as|with) (?:a )?(?:suspected |possible |likely )?(?:prompt )?injection(?![\w-])/g,
    'injection is suspected',
  ],
  // "may only email example.com": email as the verb, sent to the domain named.
  [
    new RegExp(`\\b(may|can|must|should|only|not|never|to) (?:e-?mail|mail|message) (${DOMAIN})\\b`, 'g'),
    '$1 send email to $2',
  ],
  // "Email recipients must come from the address book": mail may only be sent to those.
  [
    /^ (?:e-?mail |mail )?recipients (?:must|should|have to|may only|can only) (?:come|be taken) from (.{3,60}?) $/,
    ' email may only be sent to recipients from $1 ',
  ],
  // "Untrusted-derived recipients": recipients from untrusted content.
  [
    /\b(untrusted|tainted)-(?:derived|sourced|supplied) (recipients|addresses|payees|accounts)\b/g,
    '$2 from $1 content',
  ],
  // "unless they target the sandbox database": everywhere except on it.
  [
    /,? unless (?:they|it) (?:target|targets|touch|touches|hit|hits|act on|acts on|are on|is on|run on|runs on) (?=the )/g,
    ' except on ',
  ],
  // "Anything that talks to the outside world": communication that leaves the agent.
  [
    /\b(?:anything|everything|any tool|all tools|tools) (?:that|which) (?:talks?|speaks?|communicates?|connects?) (?:to|with) (?:the outside world|the outside|the world outside|outside parties)\b/g,
    'external communication',
  ],
  // "may go out": be sent.
  [/\b(may|can|should|will|must) go out\b/g, '$1 be sent'],
  // "go out freely": may be sent; "is stopped": blocked.
  [/\b(?:go|goes) out (?:freely|unhindered|without approval)\b/g, 'can be sent'],
  [/\b(is|are) (?:stopped|halted)\b/g, '$1 blocked'],
  // "a contact-book address": an address from the address book.
  [
    /\b(?:a |an )?(?:contact-book|contacts-book|address-book) (address|recipient)\b/g,
    'an $1 from the address book',
  ],
  [/\b(?:contact-book|contacts-book|address-book) (addresses|recipients)\b/g, '$1 from the address book'],
  // "Contact lookups aren't part of inbox triage, so block them during it": blocked during it.
  [
    /^ ([a-z][a-z ._-]{2,40}?) (?:are not|aren't|is not|isn't) (?:part of|included in|covered by) (?:the )?([a-z][a-z0-9 _-]{2,30}?)(?: intent| task)?,? so (block|deny|forbid|refuse) (?:them|it) (?:during|in|under) (?:it|that|that intent) $/,
    ' $3 $1 during $2 ',
  ],
  // "Payments need approval on weekends and are blocked above 5000": two rules on one subject,
  // each said of it. Only a whole sentence, so the subject is the sentence's first words.
  [
    /^ ((?:the |all |any |every )?[a-z][a-z0-9 _.-]{2,40}?) (needs?|requires?) ([^,;]{3,60}?) and (is|are) (blocked|denied|forbidden|prohibited|refused|not allowed) ([^,;]+) $/,
    ' $1 $2 $3 ; $1 $4 $5 $6 ',
  ],
  // "Inbox triage may not include sending mail outside example.com": during that intent, no
  // such sending. If the words before are no intent, "during" them is refused.
  [
    /^ ((?:the )?[a-z][a-z0-9_-]*(?: [a-z][a-z0-9_-]*)?)(?: intent| work| task)? (?:may not|must not|cannot|can't|should not|shouldn't) (?:include|involve|cover) (?=[a-z]+ing )/,
    ' during $1 , no ',
  ],
  // "while the inbox-triage intent is active": during that intent.
  [
    /\b(?:while|when|whenever|if) (?:the |its )?([a-z][a-z0-9_-]*) (?:intent|task) is (?:active|declared|in effect|set|in progress|running|on)\b/g,
    'during $1',
  ],
  // "when the agent is doing inbox triage": an agent left unnamed is no agent in particular, so
  // only the doing is kept, as "while an agent is doing" is.
  [
    /\b(?:while|when|whenever|if) the (?:agent|assistant|session) (?:is|are) (?=doing |working on |performing |handling )/g,
    'while ',
  ],
];

/** The sentence with the glosses and roundabout wordings above respelled. */
export function normalizeGlosses(sentence: string, people?: ReadonlyMap<string, string>): string {
  // "Oscar's sign-off (oscar@example.com)", "Fiona must approve every transfer
  // (fiona@example.com)": the address restates the approver named just before, so it adds
  // nothing. Only when an approval is said between the two, and the name is that very address
  // in the policy: a bracketed address of another Oscar stays, and is refused.
  let s = sentence.replace(
    /\b([a-z]+)((?:'s)?(?: [a-z'-]+){0,4}?) \((\1@[a-z0-9.-]+)\)/g,
    (whole: string, name: string, between: string, address: string) =>
      (APPROVAL_WORD.test(between) || /^(?:'s)?$/.test(between)) && people?.get(name) === address
        ? `${name}${between}`
        : whole,
  );
  for (const [re, to] of GLOSS_WORDS) s = s.replace(re, to as string);
  return onesOfSubject(s);
}

/** Plural nouns a subject names calls by. */
const CALL_NOUNS = 'deletes|deletions|payments|transfers|emails|messages|queries|reports|lookups|writes';

/**
 * "Weekend sandbox deletes are forbidden and weekday ones need one approver": "ones" after
 * another adjective are the subject's calls with that adjective in place of its first. Only a
 * subject that opens the sentence with two or more words before its noun, so the words "ones"
 * stands for are all said.
 */
function onesOfSubject(s: string): string {
  const subject = new RegExp(`^ ([a-z]+) ((?:[a-z_.-]+ ){0,2})(${CALL_NOUNS}) `).exec(s);
  // Without such a subject, "block external email …; internal ones are ok": the kind of mail
  // the clause before named, with the new adjective.
  const mail = subject
    ? undefined
    : /\b(?:internal|external|outside|outgoing|outbound) (email|emails|mail|messages)\b/.exec(s);
  if (!subject && !mail) return s;
  const said = subject ? `${subject[2]}${subject[3]}` : (mail?.[1] as string);
  return s.replace(/(\band |, |; )([a-z]+) ones\b/g, (m, lead: string, adjective: string) =>
    /^(?:the|those|these|other|larger|bigger|smaller|higher|lower)$/.test(adjective) ||
    (!subject && !/^(?:internal|external|outside|outgoing|outbound)$/.test(adjective))
      ? m
      : `${lead}${adjective} ${said}`,
  );
}
