import { NUMBER_WORDS } from './lexicon.js';
import type { PhrasingContext } from './parse-phrasings.js';

/** A count of approvers, as a figure or a word ("two"); spelled out here, not through `alt`, which
 * the parser that imports this module defines. */
const NUMBER = `(\\d+|${Object.keys(NUMBER_WORDS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;
const numberOf = (word: string) => (/^\d+$/.test(word) ? Number(word) : (NUMBER_WORDS[word] ?? Number.NaN));

/**
 * The approval passes of the grammar: "needs approval", "requires two approvals from finance",
 * "dual authorization", "must be approved by security", "… without approval", "otherwise ask a
 * person". Each records the effect `approve` (or, for "without", that a prohibition may be
 * lifted), the number of approvers and their groups.
 */
export function parseApprovals({ take, parsed, group: GROUP, addGroup }: PhrasingContext): void {
  /** Approval by a number of people (one when the sentence gives none), from the groups named. */
  const approveBy = (count: string | undefined, ...groups: (string | undefined)[]) => {
    const n = count === undefined ? 1 : numberOf(count);
    if (!Number.isFinite(n)) return false;
    parsed.effects.push('approve');
    parsed.approvers = n;
    for (const g of groups) addGroup(g);
    return true;
  };
  // Approvals, with counts and groups.
  const NEED =
    '(?:requires?|required|needs?|must (?:have|get|obtain)|should (?:have|get)|is subject to|are subject to)';
  const APPROVAL_NOUN =
    '(?:approvals?|sign-?offs?|authori[sz]ations?|consent|confirmations?|reviews?|approvers?|signatures?)';
  take(
    `${NEED}\\s(?:a\\s)?(?:dual|two-person|two person|four-eyes|four eyes)\\s(?:authori[sz]ation|approval|sign-?off|review|control|rule)(?:\\s(?:from|by|in)\\s${GROUP})?`,
    (m) => {
      parsed.effects.push('approve');
      parsed.approvers = 2;
      addGroup(m[1]);
      return true;
    },
  );
  take(
    `${NEED}\\s${NUMBER}\\s(?:(?:human|separate|distinct|independent|different|people's|person's)\\s)?(?:${GROUP}\\s)?${APPROVAL_NOUN}(?:\\s(?:from|by|in|of)\\s(?:(?:people|persons|members|approvers|someone|somebody|anyone|a member|a person)\\s(?:from|in|of)\\s)?${GROUP})?`,
    (m) => approveBy(m[1], m[2], m[3]),
  );
  // "approval by two people", "must be approved by one person", "needs someone to approve it":
  // a count of people from no named group.
  const PEOPLE =
    '(?:people|persons|humans|approvers|reviewers|person|human|approver|reviewer|someone|somebody|different people|separate people)';
  take(
    `(?:${NEED}\\s(?:the\\s)?${APPROVAL_NOUN}|(?:must|should|need to|needs to|has to|have to) be (?:approved|signed off|authori[sz]ed|reviewed|confirmed))\\s(?:of|from|by)\\s(?:at least\\s)?(?:${NUMBER}\\s)?${PEOPLE}(?:\\sfirst)?(?!\\s(?:from|in|of)\\s)`,
    (m) => approveBy(m[1]),
  );
  take(
    `(?:${NEED}|must have|must get|should get|has to get|have to get)\\s(?:at least\\s)?(?:${NUMBER}\\s)?(?:${GROUP}\\s)?(?:${PEOPLE}|members?)(?:\\s(?:from|in|of)\\s${GROUP})?\\sto\\s(?:approve|approves|confirm|ok|review|sign off on|sign off)(?:\\sit|\\sthem|\\sthe\\s[a-z]+)?(?:\\sfirst)?`,
    (m) => approveBy(m[1], m[2], m[3]),
  );
  take(
    `(?:${NEED}\\s(?:the\\s)?${APPROVAL_NOUN}|(?:must|should|need to|needs to|has to|have to) be (?:approved|signed off|authori[sz]ed))\\s(?:of|from|by)\\s(?:at least\\s)?(?:${NUMBER}\\s)?(?:(?:people|persons|members|approvers|person|member|approver|someone|somebody|anyone|a member|a person|one person|one member)\\s(?:from|in|of)\\s)?${GROUP}`,
    (m) => {
      parsed.effects.push('approve');
      if (m[1]) parsed.approvers = numberOf(m[1]);
      addGroup(m[2]);
      return true;
    },
  );
  take(
    `${NEED}\\s(?:(?:a|an|explicit|prior)\\s)*(?:(?:human|manual|manager|person's|people's|someone's|somebody's|a human's)\\s)?(?:approval|sign-?off|review|confirmation|authori[sz]ation|consent|check)(?:\\s(?:from|by)\\s(?:a human|a person|someone|a manager))?(?:\\s(?:first|beforehand))?`,
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  // "must wait for approval", "are held until finance approves": a call that waits is asked.
  take(
    `(?:must|should|has to|have to|will|shall)\\swait\\sfor\\s(?:a\\s|an\\s)?(?:human\\s|manual\\s)?(?:approval|review|sign-?off|human|person|someone)(?:\\s(?:from|by)\\s${GROUP})?|(?:(?:is|are)\\s)?(?:held|paused|parked|queued)\\suntil\\s(?:a\\s)?(?:human|person|someone|${GROUP})\\s(?:approves|signs off|oks|okays|confirms)(?:\\sit|\\sthem)?`,
    (m) => approveBy(undefined, m[1], m[2]),
  );
  // "must get finance approval": the group as the approval's adjective.
  take(
    `${NEED}\\s(?:(?:a|an|explicit|prior)\\s)*${GROUP}\\s(?:approval|sign-?off|review|authori[sz]ation|consent|ok)(?:\\s(?:first|beforehand))?`,
    (m) => approveBy(undefined, m[1]),
  );
  // "two people must approve", "a finance member has to sign off": a count of people as the subject.
  take(
    `(?:${NUMBER}|at least ${NUMBER}|a|an|one)\\s(?:${GROUP}\\s)?(?:people|persons|humans|approvers|members|person|human|approver|member)(?:\\s(?:from|in|of)\\s${GROUP})?\\s(?:must|has to|have to|needs to|need to|should)\\s(?:approve|sign off|confirm)(?:\\s(?:it|them|on it))?`,
    (m) => approveBy(m[1] ?? m[2], m[3], m[4]),
  );
  take(
    `${NEED}\\s(?:a\\s)?(?:human|person)(?:\\sin the loop|\\sto\\s(?:approve|confirm|sign off))?(?:\\sfirst)?`,
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  take(
    '(?:must|should|have to|has to|need to|needs to)\\s(?:ask|check with)\\s(?:a human|a person|someone|for approval|for permission|first)(?:\\sfor\\s(?:approval|permission))?(?:\\sfirst)?',
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  take(
    '(?:must|should|need to|needs to|have to|has to)\\sbe\\s(?:approved|confirmed|reviewed|signed off)(?:\\sby\\s(?:a human|a person|someone|a manager))?(?:\\sfirst)?|(?:are|is)\\s(?:held|escalated)(?:\\sfor\\s(?:approval|a human|review)|\\sto\\sa\\s(?:human|person))?',
    () => {
      parsed.effects.push('approve');
      return true;
    },
  );
  // "without approval from two people (in finance)": the count of people who must approve.
  take(
    `without\\s(?:the\\s)?${APPROVAL_NOUN}\\s(?:of|from|by)\\s(?:at least\\s)?${NUMBER}\\s(?:${GROUP}\\s)?(?:people|persons|humans|approvers|reviewers|members)(?:\\s(?:from|in|of)\\s${GROUP})?`,
    (m) => {
      const n = numberOf(m[1] as string);
      // A count of nobody would let the call through unasked: not a count of approvers.
      if (!Number.isSafeInteger(n) || n < 1) return false;
      parsed.withoutApproval = true;
      parsed.approvers = n;
      addGroup(m[2]);
      addGroup(m[3]);
      return true;
    },
  );
  take(
    `without\\s(?:a\\s|${NUMBER}\\s)?(?:human\\s|manual\\s|explicit\\s)?(?:${GROUP}\\s)?(?:approvals?|sign-?offs?|review|confirmation|a human|a person)(?:\\s(?:from|by)\\s${GROUP})?`,
    (m) => {
      parsed.withoutApproval = true;
      if (m[1]) parsed.approvers = numberOf(m[1]);
      addGroup(m[2]);
      addGroup(m[3]);
      return true;
    },
  );
  take(
    ',?\\s?(?:otherwise|or else|or)\\s(?:ask\\s(?:a human|a person|someone)|a (?:human|person) (?:must )?(?:confirms?|approves?))',
    () => {
      parsed.otherwiseAsk = true;
      return true;
    },
  );
}
