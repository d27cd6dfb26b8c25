import { canonicalJson, sha256Hex } from '../audit/event.js';
import type { ApprovalRequirement, DelegationInput } from '../policy/types.js';

/**
 * Approvals (DESIGN §5): a binding, single-use decision by people about one
 * exact action. This module is the state machine; the store keeps records
 * and swaps them atomically (compare-and-set on `version`).
 *
 *   pending ──M approvals per requirement──▶ approved ──executed once──▶ used
 *      │  └──deny votes ≥ denials──▶ denied        │
 *      └──expires_at passes──▶ expired ◀───────────┘ (not used in time)
 */

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'used'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** A person's vote. */
export interface ApprovalVote {
  readonly userId: string;
  readonly email: string;
  readonly vote: 'approve' | 'deny';
  readonly comment?: string;
  /** Epoch ms. */
  readonly at: number;
  /** The requirements (rule ids) this vote counted for. */
  readonly counts: readonly string[];
}

/** One approval, as stored. Times are epoch milliseconds. */
export interface ApprovalRecord {
  readonly id: string;
  readonly status: ApprovalStatus;
  /** Compare-and-set counter: every change increments it. */
  readonly version: number;
  readonly agent: { readonly id: string; readonly name: string; readonly owner: string };
  /** The human the agent acts for, when its token says. */
  readonly user?: Readonly<Record<string, unknown>>;
  readonly delegation?: DelegationInput;
  /** The owners of the agents that delegated to this one: they may not vote either. */
  readonly delegationOwners?: readonly string[];
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** SHA-256 (hex) of the RFC 8785 canonical JSON of `args`: what the approval is bound to. */
  readonly argsHash: string;
  readonly resource?: Readonly<Record<string, unknown>>;
  readonly sessionId?: string;
  /** The agent's stated reasoning. */
  readonly reasoning?: string;
  /** The decision that asked. */
  readonly decisionId: string;
  /** Every rule that applied to the decision, with its message. */
  readonly rules: readonly { readonly id: string; readonly effect: string; readonly message: string }[];
  readonly requirements: readonly ApprovalRequirement[];
  /** A digest of `requirements`: a changed policy that asks for more does not reuse this approval. */
  readonly requirementsHash: string;
  readonly votes: readonly ApprovalVote[];
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decidedAt?: number;
  readonly usedAt?: number;
  /** Why it ended, in words. */
  readonly outcome?: string;
}

/** A person as the vote rules see them. */
export interface Voter {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly string[];
}

/** Why a vote was refused, as a stable code. */
export type VoteRefusal =
  | 'not-pending'
  | 'already-voted'
  | 'not-an-approver'
  | 'not-in-group'
  | 'self-approval';

/** SHA-256 (hex) of the RFC 8785 (JCS) canonical form of a JSON value. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/**
 * One exact action as approvals see it: the agent, the tool, the arguments, what the policy
 * demands, the user it is done for and the resource. Two calls with the same key share an
 * approval; at most one approval per key is pending at a time.
 */
export function actionKey(action: {
  readonly agent: { readonly id: string };
  readonly tool: string;
  readonly argsHash: string;
  readonly requirementsHash: string;
  readonly user?: unknown;
  readonly resource?: unknown;
}): string {
  return canonicalHash({
    agent: action.agent.id,
    tool: action.tool,
    args: action.argsHash,
    requirements: action.requirementsHash,
    user: action.user ?? null,
    resource: action.resource ?? null,
  });
}

/** What binds an approval to a policy's demand: two decisions asking the same thing share it. */
export function requirementsHash(requirements: readonly ApprovalRequirement[]): string {
  return canonicalHash(
    requirements.map((r) => ({
      rule: r.rule,
      approvers: r.approvers,
      groups: [...r.groups].sort(),
      denials: r.denials,
      allowSelfApproval: r.allowSelfApproval,
    })),
  );
}

/** The status a record has at `now`: pending and approved records lapse at `expiresAt`. */
export function effectiveStatus(record: ApprovalRecord, now: number): ApprovalStatus {
  if ((record.status === 'pending' || record.status === 'approved') && now >= record.expiresAt)
    return 'expired';
  return record.status;
}

/** The record with its lapse written down, or undefined when it has not lapsed. */
export function expire(record: ApprovalRecord, now: number): ApprovalRecord | undefined {
  if (effectiveStatus(record, now) !== 'expired' || record.status === 'expired') return undefined;
  return {
    ...record,
    status: 'expired',
    version: record.version + 1,
    decidedAt: record.decidedAt ?? now,
    outcome:
      record.status === 'approved'
        ? 'approved but not used before it expired'
        : 'nobody decided before it expired; expired means denied',
  };
}

/** How far each requirement has come. */
export function progress(
  record: ApprovalRecord,
): { rule: string; approvers: number; approvedBy: string[]; deniedBy: string[] }[] {
  return record.requirements.map((r) => ({
    rule: r.rule,
    approvers: r.approvers,
    approvedBy: record.votes
      .filter((v) => v.vote === 'approve' && v.counts.includes(r.rule))
      .map((v) => v.email),
    deniedBy: record.votes.filter((v) => v.vote === 'deny' && v.counts.includes(r.rule)).map((v) => v.email),
  }));
}

/**
 * Applies one vote under the rules of approval. Pure: returns the next
 * record (version + 1) or why the vote does not count.
 *
 * - Only a pending approval takes votes, and each person votes once.
 * - A voter needs the `approver` role; for a requirement with `groups`, they
 *   must be in one (groups as the current policy declares them, so removing
 *   someone from a group takes effect at once).
 * - The agent's owner and the user it acts for may not vote unless every
 *   requirement the vote would count for allows self-approval.
 * - One vote counts for every requirement the voter is eligible for.
 * - Approved when every requirement has its M approvals; denied when any
 *   requirement reaches its number of deny votes.
 */
export function castVote(
  record: ApprovalRecord,
  voter: Voter,
  ballot: { vote: 'approve' | 'deny'; comment?: string },
  groups: ReadonlyMap<string, readonly string[]>,
  now: number,
): { ok: true; record: ApprovalRecord } | { ok: false; code: VoteRefusal; message: string } {
  const status = effectiveStatus(record, now);
  if (status !== 'pending')
    return { ok: false, code: 'not-pending', message: `the approval is ${status}; it takes no more votes` };
  const email = voter.email.toLowerCase();
  if (record.votes.some((v) => v.userId === voter.id || v.email.toLowerCase() === email))
    return { ok: false, code: 'already-voted', message: `${voter.email} has already voted on this approval` };
  if (!voter.roles.includes('approver'))
    return { ok: false, code: 'not-an-approver', message: `${voter.email} does not have the approver role` };
  const eligible = record.requirements.filter((r) => inGroups(email, r.groups, groups));
  if (eligible.length === 0) {
    const named = [...new Set(record.requirements.flatMap((r) => r.groups))].join(', ');
    return { ok: false, code: 'not-in-group', message: `${voter.email} is not in the group(s) ${named}` };
  }
  const self = isSelf(record, voter);
  if (self && !eligible.every((r) => r.allowSelfApproval))
    return {
      ok: false,
      code: 'self-approval',
      message: `${voter.email} ${self} and may not vote on it; someone else must`,
    };

  const vote: ApprovalVote = {
    userId: voter.id,
    email: voter.email,
    vote: ballot.vote,
    ...(ballot.comment !== undefined && ballot.comment !== '' && { comment: ballot.comment }),
    at: now,
    counts: eligible.map((r) => r.rule),
  };
  const votes = [...record.votes, vote];
  const next = { ...record, votes, version: record.version + 1 };
  const count = (rule: string, kind: 'approve' | 'deny') => countVotes(next, rule, kind, groups);
  const who = (kind: 'approve' | 'deny') =>
    votes
      .filter((v) => v.vote === kind)
      .map((v) => v.email)
      .join(', ');
  const decided = (status: 'approved' | 'denied', outcome: string) => ({
    ok: true as const,
    record: { ...next, status, decidedAt: now, outcome },
  });
  const denying = record.requirements.find((r) => count(r.rule, 'deny') >= r.denials);
  if (denying) return decided('denied', `denied by ${who('deny')} (rule '${denying.rule}')`);
  if (record.requirements.every((r) => count(r.rule, 'approve') >= r.approvers))
    return decided('approved', `approved by ${who('approve')}`);
  return { ok: true, record: next };
}

/** Whether someone is in one of the named groups (no names: anyone), as the policy says now. */
function inGroups(
  email: string,
  names: readonly string[],
  groups: ReadonlyMap<string, readonly string[]>,
): boolean {
  const who = email.trim().toLowerCase();
  return (
    names.length === 0 || names.some((g) => (groups.get(g) ?? []).some((m) => m.trim().toLowerCase() === who))
  );
}

/**
 * The votes of one kind that count for a requirement under the groups as they are now: a vote
 * cast by someone since removed from the group no longer counts.
 */
function countVotes(
  record: ApprovalRecord,
  rule: string,
  kind: 'approve' | 'deny',
  groups: ReadonlyMap<string, readonly string[]>,
): number {
  const requirement = record.requirements.find((r) => r.rule === rule);
  if (!requirement) return 0;
  return record.votes.filter(
    (v) => v.vote === kind && v.counts.includes(rule) && inGroups(v.email, requirement.groups, groups),
  ).length;
}

/** Whether an approved record still has its M approvals per requirement under the current groups. */
export function stillApproved(
  record: ApprovalRecord,
  groups: ReadonlyMap<string, readonly string[]>,
): boolean {
  return record.requirements.every((r) => countVotes(record, r.rule, 'approve', groups) >= r.approvers);
}

/** The approved record, spent by the one execution it allows; undefined when it cannot be spent. */
export function spend(record: ApprovalRecord, now: number): ApprovalRecord | undefined {
  if (effectiveStatus(record, now) !== 'approved') return undefined;
  return { ...record, status: 'used', usedAt: now, version: record.version + 1 };
}

/** Cancels a pending or approved record (e.g. by an admin). */
export function cancel(record: ApprovalRecord, why: string, now: number): ApprovalRecord | undefined {
  const status = effectiveStatus(record, now);
  if (status !== 'pending' && status !== 'approved') return undefined;
  return { ...record, status: 'cancelled', decidedAt: now, outcome: why, version: record.version + 1 };
}

/** Why a voter may not judge this action, or undefined. */
function isSelf(record: ApprovalRecord, voter: Voter): string | undefined {
  const email = voter.email.trim().toLowerCase();
  if (record.agent.owner.trim().toLowerCase() === email) return 'owns the agent';
  if ((record.delegationOwners ?? []).some((owner) => owner.trim().toLowerCase() === email))
    return 'owns an agent that delegated this call';
  if (!record.user) return undefined;
  const names = (['id', 'sub', 'email'] as const)
    .map((key) => record.user?.[key])
    .filter((v): v is string => typeof v === 'string');
  if (names.some((v) => v.trim().toLowerCase() === email || v === voter.id))
    return 'is the user the agent acts for';
  // An identity provider's opaque subject cannot be told apart from the voter: fail closed.
  if (!names.some((v) => v.includes('@')))
    return 'may be the user the agent acts for (their identity provider gave no email to tell them apart)';
  return undefined;
}
