import { CATEGORY_NOUNS } from './lexicon.js';
import { alt, type ParsedSentence, type Take } from './parsed.js';
import type { ToolVerbPhrase } from './phrases.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * The phrasings people use around the grammar's core shapes: imperatives ("Block …", "… stop
 * it"), permissions that add no rule ("… is fine"), prohibitions without a modal ("nobody
 * touches …", "… is not allowed at all"), approval in passing ("only with a human OK",
 * "unless a person approves"), and approvers a rule cannot name (one person, an owner).
 * Each pass consumes what it recognises through `take` and records it in `parsed`.
 */

/** What the passes need from the sentence parser. */
export interface PhrasingContext {
  readonly take: Take;
  readonly parsed: ParsedSentence;
  readonly vocabulary: Vocabulary;
  /** The regex of a group name (one capture), and how to record one. */
  readonly group: string;
  readonly addGroup: (phrase: string | undefined) => void;
  /** The regex of an agent phrase (one capture), and the agent a text names first. */
  readonly agent: string;
  readonly agentOf: (text: string) => string | undefined;
}

const DOMAIN = '[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,}';
/** What follows an address that asks its person to approve: "…'s approval", "… to approve it". */
const POSSESSIVE_APPROVAL = /^'s\s(?:approval|sign-?off|ok|consent)(?:\s|$)/;
const ASKED_TO_APPROVE =
  /^\s(?:to\s)?(?:approve|approves|sign off|signs off|ok|oks|okays|confirm|confirms)(?:\s|$)/;

/** Passes run before any other: they claim words the later passes would misread. */
export function parseLeadIns({
  take,
  parsed,
  vocabulary,
  group,
  addGroup,
  agent,
  agentOf,
}: PhrasingContext): void {
  // "…, nobody else": only what the clause named.
  take('(?:,\\s)?(?:nobody|no one|nothing|nowhere|no other)\\selse(?=\\s$)', () => {
    parsed.only = true;
    return true;
  });
  // An address is an approver only when the policy names that person and the sentence asks them
  // to approve; "the owner" (four eyes means someone else's) and any other address are refused
  // rather than widened to anyone. Asked "to approve" by address alone, the person must approve
  // in the policy already (a member of one of its groups): an owner asked so is refused.
  const approvers = new Set([...vocabulary.groupMembers.values()].flat().map((a) => a.toLowerCase()));
  take(
    `((?:approvals?|approved|sign-?offs?|signed off|ok|okay|consent|authori[sz]ation|authori[sz]ed)\\s(?:from|by)\\s)?([a-z0-9._%+-]+@${DOMAIN})`,
    (m) => {
      const address = m[2] as string;
      const after = m.input.slice(m.index + (m[0] as string).length);
      // "sign-off from carol@example.com", "carol@example.com's approval".
      if ((m[1] !== undefined || POSSESSIVE_APPROVAL.test(after)) && vocabulary.people.has(address))
        return false;
      // "needs carol@example.com to approve it".
      if (ASKED_TO_APPROVE.test(after) && approvers.has(address)) return false;
      parsed.unsupported.push(
        `"${address}": a rule cannot name one person unless it asks a person the policy names to approve; recipients come from a domain`,
      );
      return true;
    },
  );
  // "the confidential finance report": a label said of one tool that carries it describes the
  // tool and narrows nothing; said of one that does not, it is left for the sentence's refusal.
  const labelled = vocabulary.tools.flatMap((t) =>
    t.labels.map((label) => ({ label, phrase: t.name.toLowerCase().replace(/[._-]+/g, ' ') })),
  );
  if (labelled.length > 0)
    take(
      `(?<=\\s(?:the|a|an|any|every|each|its)\\s)(${alt(labelled.map((l) => l.label))})(?=\\s(${alt(labelled.map((l) => l.phrase))})s?\\s)`,
      (m) => labelled.some((l) => l.label === m[1] && l.phrase === m[2]),
    );
  take("(?:its|their|the|your|an?)\\s(?:[a-z-]+'s\\s)?owners?|[a-z-]+'s\\sowners?", (m) => {
    parsed.unsupported.push(`"${m[0]}": a rule cannot ask an agent's owner; name a group of approvers`);
    return true;
  });
  // "read only in prod" with no modal or copula before it: reads only there, or nothing but reads
  // there? Both are said so; the hyphen ("read-only in prod") or "may read only in" settles it.
  take(
    '(?<!(?:may|can|must|shall|should|will|to|could|might)\\s)read\\sonly(?=\\s(?:in|on|inside|during|while|outside)\\s)',
    () => {
      parsed.unsupported.push(
        '"read only in …" is ambiguous: write "read-only in …" (nothing but reads there) or "may read only in …" (reads nowhere else)',
      );
      return true;
    },
  );
  // A clause that ends on its verb: "…, production deletes are not", "…, but sending it does".
  take(
    "(?:is|are)\\s(?:not|never)(?=\\s$)|(?<=\\s[a-z.]+\\s)(?:does|do)\\snot(?=\\s$)|(?<=\\s[a-z.]+\\s)(?:doesn't|don't)(?=\\s$)",
    () => {
      parsed.ellipsis = 'negated';
      return true;
    },
  );
  take(
    '(?<=\\s(?:it|they|them|those|these|ones|one)\\s)(?:is|are|can|may)(?=\\s$)|(?<=\\s[a-z]+\\s)(?<!\\s(?:everything|anything|all(?!\\sother\\s)|whatever|what|that)\\s(?:\\S+\\s){0,4})(?:does|do)(?=\\s$)|(?<=\\s(?:everything|anything)\\selse\\s)(?:does|do)(?=\\s$)',
    () => {
      parsed.ellipsis = 'same';
      return true;
    },
  );
  // "… just need somebody to approve", "… and even ops-agent needs approval": emphasis.
  take('just(?=\\s(?:needs?|requires?)\\s)', () => true);
  take(`even(?=\\s(?:the\\s)?(?:${agent})\\s)`, () => true);
  // "(Carol and Dave)": the members of a group the sentence names, said by name.
  take('\\(([a-z]+(?:\\s(?:,\\s)?(?:and|,)\\s[a-z]+)*)\\)', (m) => {
    const names = (m[1] as string).split(/\s+/).filter((w) => w !== 'and' && w !== ',');
    const group = [...vocabulary.groupMembers].find(([, members]) =>
      names.every((n) => members.some((a) => a.toLowerCase().split('@')[0]?.split(/[._-]/).includes(n))),
    );
    if (!group) return false;
    parsed.notes.push(`"${m[0]}" are members of ${group[0]}`);
    return true;
  });
  // "(@example.com)" restating the company's own domain.
  take(`\\(\\s?@?(${DOMAIN})(\\sonly)?\\s?\\)`, (m) => {
    if (m[1] !== vocabulary.companyDomain) return false;
    // "(example.com only)": every recipient inside it, whether or not "internal" said so too.
    if (m[2]) parsed.conditions.push({ kind: 'recipients', scope: 'inside' });
    parsed.notes.push(`"${m[0]}" restates the company's domain`);
    return true;
  });
  // "finance.report is confidential:" — a statement the catalog must already make.
  take('(?<=^\\s)([a-z0-9_]+\\.[a-z0-9_]+)\\s(?:is|are)\\s([a-z_]+)\\s,', (m) => {
    const tool = vocabulary.tools.find((t) => t.name.toLowerCase() === m[1]);
    if (!tool?.labels.includes(m[2] as string)) return false;
    parsed.objects.push({ kind: 'tool', pattern: tool.name });
    parsed.notes.push(`the catalog labels ${tool.name} ${m[2]}`);
    return true;
  });

  // Imperatives: "Block …", "Refuse …", and "…, stop it" at the end of an if-clause.
  take(
    '(?<=^\\s)(?:please\\s)?(?:block|refuse|reject|deny|forbid|prohibit|disallow|prevent|stop|ban|disable|turn off|switch off|shut off|freeze(?!\\s,))',
    () => {
      parsed.effects.push('deny');
      return true;
    },
  );
  take(
    '(?:,\\s)?(?:then\\s)?(?:stop|block|deny|refuse|reject|prevent|cancel)(?=\\s(?:it|them|that|the\\s(?:transfer|payment|call|request|email|message|action|send|delete)s?)\\s$)',
    () => {
      parsed.effects.push('deny');
      return true;
    },
  );
  take(
    '(?<=^\\s)(?:please\\s)?(?:always\\s)?(?:require|ask for)\\s(?:a\\s)?(?:human\\s)?(?:approval|sign-?off)\\s(?:for|on|before)',
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  // "before the assistant writes to them": the subject of the action the sentence is about.
  take(
    `before\\s(?:(?:an?|the|any)\\s)?(?:agent|${agent}|it|they)\\s(?:can\\s|may\\s)?(?:[a-z]+)(?:\\sto)?\\s(?:them|it)`,
    (m) => {
      const name = agentOf(m[0] as string);
      if (name && !parsed.agents.includes(name)) parsed.agents.push(name);
      return true;
    },
  );
  // "must ask before paying", "Ask a human before any payment": approval, said as asking.
  take(
    '(?:(?:must|should|has to|have to|needs? to)\\s(?:always\\s)?|(?<=^\\s)(?:please\\s)?(?:always\\s)?)ask(?:\\s(?:a human|a person|someone|for approval|for permission))?(?:\\sfirst)?(?=\\sbefore\\s)',
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  take("(?:don't|do not|never|must not|should not|shall not)\\s(?:let|allow)", () => {
    parsed.effects.push('deny');
    return true;
  });

  // "Hold every transfer over $2k for a human to review": held is asked.
  take(
    '(?<=^\\s)(?:please\\s)?hold(?=\\s.*\\sfor\\s(?:a\\s)?(?:human|person|someone|review|approval|manual)\\s)',
    () => true,
  );
  take(
    '(?:(?:and\\s)?(?:(?:must|should|has to|have to|will|shall)\\s)?(?:hold|held|park|queue|queued|wait)\\s(?:it\\s|them\\s)?)?for\\s(?:a\\s)?(?:human|person|someone)\\sto\\s(?:review|approve|check|ok)(?:\\sit|\\sthem)?|(?:(?:and\\s)?(?:(?:must|should|has to|have to|will|shall)\\s)?(?:hold|held|park|queue|queued|wait)\\s(?:it\\s|them\\s)?)?for\\s(?:human\\s|manual\\s)?(?:review|approval)',
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  // "Let the ops agent query the sandbox", "Allow …": a permission, said as an imperative.
  take('(?<=^\\s)(?:please\\s)?(only\\s)?(?:let|allow|permit)(?=\\s)', (m) => {
    parsed.effects.push('allow');
    // "Only allow transfers under $10,000": what the permission does not name is denied.
    if (m[1]) parsed.only = true;
    return true;
  });
  // "Keep the email assistant away from …".
  take(
    `(?<=^\\s)(?:please\\s)?keep(?=\\s(?:(?:the\\s)?${agent}|all agents|agents|every agent)\\saway\\sfrom\\s)`,
    () => {
      parsed.effects.push('deny');
      return true;
    },
  );
  // "need two finance members to approve": a count of people as the approval's subject.
  take(
    `(?:needs?|requires?|must have|must get)\\s(\\d+|one|two|three|four|five)\\s(?:${group}|people|persons|humans|approvers|members)(?:\\s(?:from|in|of)\\s${group})?\\sto\\s(?:approve|confirm|approves)(?:\\sit|\\sthem)?`,
    (m) => {
      const n = /^\d+$/.test(m[1] as string)
        ? Number(m[1])
        : ['one', 'two', 'three', 'four', 'five'].indexOf(m[1] as string) + 1;
      parsed.effects.push('approve');
      parsed.approvers = n;
      addGroup(m[2]);
      addGroup(m[3]);
      return true;
    },
  );
  // "security has to approve it": a group as the subject of the approval.
  take(
    `${group}\\s(?:has to|have to|must|needs to|need to|should|will have to|is to|are to)\\s(?:approve|confirm|ok|sign off)(?:\\son)?`,
    (m) => {
      parsed.effects.push('approve');
      addGroup(m[1]);
      return true;
    },
  );
  // "an email goes to anyone outside": a message sent.
  // Not after payments: "payments must go to accounts the user gave" is where money goes.
  take(
    '(?<!(?:unless|when|if)\\s(?:it|they)\\s)(?<!(?:payments?|transfers?|money|funds|wires?)(?:\\s(?:may|can|must|should|will|only|never|not|cannot))*\\s)(?:goes|go|gets sent|get sent)(?=\\sto\\s)',
    () => {
      parsed.verbs.push('external_communication');
      return true;
    },
  );
  take(
    '(?<=(?:payments?|transfers?|money|funds|wires?)(?:\\s(?:may|can|must|should|will|only|never|not|cannot))*\\s)(?:goes|go)(?=\\sto\\s)',
    () => true,
  );

  // "does not need approval": no approval, which is a permission, not an approval rule.
  take(
    "(?:do not|don't|does not|doesn't|never|will not|won't|shall not)\\s(?:need|needs|require|requires|get|have to get)\\s(?:a\\s|an\\s|any\\s)?(?:human\\s|manual\\s|anyone's\\s|anybody's\\s|someone's\\s)?(?:approval|approvals|sign-?off|confirmation|review)|(?:no\\s)(?:approval|sign-?off)\\s(?:is\\s)?(?:needed|required)|(?:needs?|requires?)\\sno\\s(?:human\\s)?(?:approval|sign-?off|review|confirmation)|(?:approval|sign-?off)\\s(?:is\\s)?not\\s(?:needed|required)",
    () => {
      parsed.effects.push('allow');
      parsed.noApproval = true;
      parsed.notes.push('"no approval needed" is a permission: it adds nothing the grants do not give');
      return true;
    },
  );

  // Approval in passing.
  take(
    `(?:but\\s)?(?:only\\s)?with\\s(?:a\\s|an\\s|prior\\s|explicit\\s)?(?:human\\s|person's\\s|manager's\\s|manual\\s|${group}\\s)?(?:approval|sign-?off|ok|consent|authori[sz]ation)(?:\\s(?:from|by)\\s(?:(?:someone|anyone|a member|a person|one person)\\s(?:in|from|of)\\s)?${group})?`,
    (m) => {
      parsed.effects.push('approve');
      addGroup(m[1]);
      addGroup(m[2]);
      return true;
    },
  );
  // "unless Dave approves", "unless finance signs off": a group or a named person as the subject.
  take(
    `unless\\s${group}\\s(?:approves|approve|agrees|agree|says yes|say yes|confirms|confirm|okays|oks)(?:\\sit|\\sthem)?`,
    (m) => {
      parsed.withoutApproval = true;
      addGroup(m[1]);
      return true;
    },
  );
  // "require Dave to approve", "need Carol and Dave to sign off on it".
  take(
    `(?:requires?|required|needs?|must have|must get)\\s${group}\\sto\\s(?:approve|approves|confirm|ok|okay|sign off on|sign off|review)(?:\\sit|\\sthem|\\sthe\\s[a-z]+)?(?:\\sfirst)?`,
    (m) => {
      parsed.effects.push('approve');
      addGroup(m[1]);
      return true;
    },
  );
  // "unless approved by two people (in finance)": the count who must approve, as "unless two
  // people approve" reads it; taken before the bare "unless approved" below would leave the count.
  take(
    `unless\\s(?:it is\\s|they are\\s|it's\\s)?approved\\sby\\s(?:at least\\s)?(\\d+|two|three|four|five)\\s(?:${group}\\s)?(?:approvers|people|members|persons|reviewers)(?:\\s(?:from|in|of)\\s${group})?`,
    (m) => {
      const n = /^\d+$/.test(m[1] as string)
        ? Number(m[1])
        : ['one', 'two', 'three', 'four', 'five'].indexOf(m[1] as string) + 1;
      if (n < 1) return false;
      parsed.withoutApproval = true;
      parsed.approvers = n;
      addGroup(m[2]);
      addGroup(m[3]);
      return true;
    },
  );
  take(
    `unless\\s(?:(?:a|the|an|one)\\s)?(?:${group}\\s)?(?:human|person|someone|manager|approver|reviewer|member)(?:\\s(?:from|in|of)\\s${group})?\\s(?:approves|agrees|says yes|confirms|okays|oks)(?:\\sit|\\sthem)?|unless\\s(?:it is\\s|they are\\s|it's\\s)?(?:approved|signed off)(?:\\s(?:by|from)\\s(?:a human|a person|someone|${group}))?`,
    (m) => {
      parsed.withoutApproval = true;
      addGroup(m[1]);
      addGroup(m[2]);
      addGroup(m[3]);
      return true;
    },
  );
  take(
    '(?:a\\s|the\\s)?(?:human|person|manager|someone)\\s(?:must|has to|should|needs to|will have to)\\s(?:approve|confirm|ok)',
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  take(
    `(?:should|must|will|shall|are to|is to)\\sbe\\s(?:escalated|referred|routed|sent)\\sto\\s(?:a\\shuman|a\\sperson|someone|${group})(?:\\sfor\\s(?:(\\d+|two|three|four|five)\\s)?(?:approvals?|review|sign-?offs?))?`,
    (m) => {
      parsed.effects.push('approve');
      addGroup(m[1]);
      if (m[2])
        parsed.approvers = /^\d+$/.test(m[2])
          ? Number(m[2])
          : ['one', 'two', 'three', 'four', 'five'].indexOf(m[2]) + 1;
      return true;
    },
  );
  take(
    `unless\\s(\\d+|two|three|four|five)\\s(?:${group}\\s)?(?:approvers|people|members|persons)(?:\\s(?:from|in|of)\\s${group})?\\s(?:agree|approve|sign off|confirm)(?:\\sit|\\sthem)?`,
    (m) => {
      parsed.withoutApproval = true;
      parsed.approvers = /^\d+$/.test(m[1] as string)
        ? Number(m[1])
        : ['one', 'two', 'three', 'four', 'five'].indexOf(m[1] as string) + 1;
      addGroup(m[2]);
      addGroup(m[3]);
      return true;
    },
  );
  // "unless it is under $100": the one condition of the sentence, the other way round.
  take(
    "(?:,\\s)?(?:(?:unless|except when|except if)\\s(?:it is|it's|they are|the amount is|the payment is|the transfer is|it was|they were|it goes|they go|sent|it is sent|they are sent|it runs|they run|it happens|they happen|done)|except\\s(?:those|ones|the ones)|except\\swhen\\s(?:sent|going|it goes|they go)|except(?:\\swhen)?(?=\\sto\\s))(?=\\s)",
    () => {
      parsed.unlessCondition = true;
      return true;
    },
  );
  take(
    `(?:approval|sign-?off|authori[sz]ation|a human check)(?:\\s(?:from|by)\\s${group})?\\s(?:is\\s)?(?:required|needed)(?:\\s(?:for|on|before))?`,
    (m) => {
      parsed.effects.push('approve');
      addGroup(m[1]);
      return true;
    },
  );
  take(
    `(?:(?:needs?|requires?)|(?:must|has to|have to|needs to|need to)\\sbe\\s(?:approved|signed off)\\sby|(?:needs?|requires?)\\s(?:approval|sign-?off)\\sfrom)\\s(?:both|all|all of|both of)\\s(?:the\\s)?${group}\\s(?:approvers|members|people)(?:\\sto\\s(?:approve|approves|confirm))?`,
    (m) => {
      const g = vocabulary.groups.find((x) => x === m[1] || x.replace(/[-_]/g, ' ') === m[1]);
      const size = g === undefined ? undefined : vocabulary.groupSizes.get(g);
      if (size === undefined) return false;
      parsed.effects.push('approve');
      parsed.approvers = size;
      addGroup(m[1]);
      parsed.notes.push(`"${m[0]}": all ${size} members of ${g}`);
      return true;
    },
  );
}

/** Passes run after the grammar's own effects, before its subjects and objects. */
export function parseEffectPhrasings({ take, parsed, agent }: PhrasingContext): void {
  // Prohibitions without a modal.
  take(
    // "… is off limits to the email assistant": the agent kept off is the subject, not whom a call reaches.
    `(?:(?:is|are)\\s)?off-limits(?:\\s(?:to|for)(?=\\s(?:the\\s)?${agent}\\s))?|(?:has|have)\\sno\\sbusiness|(?:may|can|is allowed to|are allowed to)\\sno\\slonger`,
    (m) => {
      parsed.effects.push('deny');
      if (/off-limits|business/.test(m[0] as string)) parsed.verbs.push('any');
      return true;
    },
  );
  take(
    '(?:gets?|will be|should be|must be|shall be|is to be|are to be)\\s(?:blocked|denied|rejected|refused|forbidden|prohibited)(?:\\soutright)?|(?:is|are)\\s(?:blocked|denied|rejected|refused)\\soutright',
    () => {
      parsed.effects.push('deny');
      return true;
    },
  );
  take('(?:is|are)\\s(?:never|not)\\s(?:allowed|permitted|ok|fine|acceptable)(?:\\sat all)?', () => {
    parsed.effects.push('deny');
    return true;
  });
  take(
    '(?:is|are)\\s(?:barred|banned)\\sfrom|(?:is|are)\\s(?:blocked|forbidden|prohibited)\\sfrom(?=\\s[a-z]+ing\\s)',
    () => {
      parsed.effects.push('deny');
      return true;
    },
  );
  take(
    '(?:(?:has|have|gets?|is given)\\s)?no\\saccess\\sto|(?:stays?|keeps?|kept)\\saway\\sfrom|away\\sfrom',
    () => {
      parsed.effects.push('deny');
      parsed.verbs.push('any');
      return true;
    },
  );
  take('(?:is|are|gets?|has|have|is given|are given)\\sread-only(?:\\saccess)?', () => {
    parsed.effects.push('deny');
    parsed.verbs.push('write', 'delete');
    parsed.readOnly = true;
    return true;
  });
  take('(?:is|are)\\snot(?=\\s$)', () => {
    parsed.effects.push('deny');
    return true;
  });
  take('(?<=^\\s)(?:§\\s)?(?:but\\s)?not(?:\\sto)?', () => {
    parsed.effects.push('deny');
    return true;
  });
  take(
    '(?:nobody|no one|no agents?|nothing)(?!\\s(?:§\\s)?(?:may|can|should|shall|is allowed))(?:\\s(?:gets|get|is|are))?',
    () => {
      parsed.effects.push('deny');
      parsed.anyAgent = true;
      return true;
    },
  );
  // Permissions: they add no rule beside a restriction, and are checked against it.
  take(
    '(?:is|are)\\s(?:always\\s)?(?:fine|ok|acceptable|fair game|a free-for-all|free-for-all|unrestricted|not restricted|(?:allowed|permitted)(?!\\sto\\s))|(?:can|may)\\sgo\\sthrough(?:\\sautomatically)?|no\\srestrictions?|no\\slimits?',
    () => {
      parsed.effects.push('allow');
      parsed.permits = true;
      return true;
    },
  );
}

/** Markers read last: pointers back to the clause before, and words that carry nothing here. */
export function parseMarkers({ take, parsed }: PhrasingContext): void {
  // "…; otherwise they are forbidden": a clause that opens on "otherwise" is about every other
  // call, not the same ones again; as a filler its "they" would repeat the clause before.
  take('(?<=^\\s)otherwise', () => {
    parsed.otherwise = true;
    return true;
  });
  take(
    '(?:anything|everything)\\s(?:above|over|beyond|more than|larger than|bigger than)\\sthat|(?:anything|everything|all|any)\\s(?:else|larger|bigger|higher|greater|more)|(?:larger|bigger|higher|greater|smaller|lower)\\s(?:ones|transfers|payments|transactions|amounts)|(?:all|any)\\sother(?:\\s(?:payees?|recipients?|addresses|accounts?|payments?|transfers?|emails?|domains?|destinations?|calls?|requests?))?|the rest|everything other|(?:sending\\s|mail\\s|email\\s|messages\\s)?(?:to\\s)?(?:anywhere|anyone|anybody)\\selse|(?:anything\\s)?(?:addressed\\s|sent\\s)?elsewhere|every\\sother(?=\\s(?:[a-z]|§))|(?<=^\\s)other(?=\\s(?!agents\\s|people\\s|users\\s|bots\\s|assistants\\s)[a-z]+s\\s)|(?<=\\s(?:to|at|for|on|in)\\s)other(?=\\s(?:§|outside|external|foreign|domains?|recipients?|addresses)\\s)',
    (m) => {
      parsed.otherwise = true;
      if (/\b(?:above|over|beyond|more|larger|bigger|higher|greater)\b/.test(m[0] as string))
        parsed.otherwiseLarger = true;
      return true;
    },
  );
  take('(?:from\\s|to\\s|on\\s|in\\s|against\\s|with\\s)?(?:it|them|they|there|those|these)', (m) => {
    parsed.pronoun = true;
    if (/^(?:from|on|in|against)\s|^there$/.test(m[0] as string)) parsed.pronounPlace = true;
    return true;
  });
  take(
    '(?:make|makes|making)(?=\\s(?:a\\s|any\\s|the\\s)?(?:payments?|transfers?|transactions?|wires?|(?:tool\\s)?calls)\\s)|(?<=(?:payments?|transfers?|transactions?|wires?)\\s(?:§\\s)?)made|(?:tries|try|attempts?|wants?)\\sto|at all|still|everywhere|then|themselves|themself|directly|personally|in a single (?:transfer|payment|transaction)|per (?:transfer|payment|transaction|call)|anymore|any more|any longer|of any kind|freely|outright|otherwise|backed by|running on|hosted on|in one (?:go|transaction|transfer|payment)|at a time|entirely|(?<=used\\s)as\\s(?:a\\s|the\\s)?(?:recipients?|payees?|destinations?)|whatever the system|whoever the payee is|alike|someone|anyone|anybody|any amount|be\\s(?:made|done|performed|carried out|initiated)|before\\s(?:they|it|§|any money|the money|the transfer|the payment)\\s(?:go|goes|is|are|moves?|leaves?)(?:\\sout)?',
    () => true,
  );
}

/**
 * "In production, only reads are allowed": an "only" after a fronted condition that names the
 * kind of call says the reads alone may run there, not that reads outside production are denied.
 */
export function parseOnlyKinds({ take, parsed }: PhrasingContext): void {
  const kindNouns = Object.values(CATEGORY_NOUNS)
    .flat()
    .filter((n) => !n.includes(' '));
  take(`(?<=,\\s)only(?=\\s(?:the\\s)?(?:${alt(kindNouns)})\\s)`, () => {
    parsed.only = true;
    parsed.onlyKinds = true;
    return true;
  });
}

/** "looks up a contact", "listing email": the tool whose own action the verb is (phrases.ts). */
export function parseToolVerbs(
  { take, parsed }: PhrasingContext,
  toolVerb: ReadonlyMap<string, ToolVerbPhrase>,
): void {
  if (toolVerb.size === 0) return;
  take(`(?:to\\s)?(${alt(toolVerb.keys())})`, (m) => {
    // The verb stays the clause's too: it still narrows any other object ("send email with
    // confidential data" reaches no report).
    const { tool, category } = toolVerb.get(m[1] as string) as ToolVerbPhrase;
    parsed.objects.push({ kind: 'tool', pattern: tool, place: tool.split('.')[0] as string });
    parsed.verbs.push(category);
    return true;
  });
}
