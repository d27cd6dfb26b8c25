import { EventEmitter } from 'node:events';
import {
  type ApprovalRecord,
  type AuditDraft,
  type AuditOutcome,
  approvalActionKey,
  canonicalHash,
  castVote,
  type Decision,
  effectiveApprovalStatus,
  expireApproval,
  GatehouseError,
  type PathPorts,
  type PathRequest,
  requirementsHash,
  spendApproval,
  stillApproved,
  type VoteRefusal,
  type Voter,
} from '@gatehouse/core';
import type { AuditSink } from '../audit/audit-log.js';
import { AUDIT_NODE } from '../audit/drafts.js';
import { newId } from '../identity/agent-admin.js';
import type { Store } from '../store/index.js';

/** How many times a change is retried when another writer got there first. */
const MAX_SWAP_ATTEMPTS = 100;

/** Told about approvals that need people, and about how they ended. */
export interface ApprovalNotifier {
  notify(event: 'created' | 'decided', record: ApprovalRecord): void;
}

/** Why a vote failed, with the HTTP status it maps to. */
export type VoteFailure =
  | { readonly code: 'not-found'; readonly message: string }
  | { readonly code: VoteRefusal; readonly message: string };

type PortVerdict = Awaited<ReturnType<NonNullable<PathPorts['approvals']>>>;

/**
 * Approvals in the store (DESIGN §5): opened by the enforcement path for an
 * `approve` decision, voted on by people, spent by the one execution they
 * allow. Every change is a compare-and-set on the record's version, so two
 * votes at the same instant, or two replicas, or the CLI and the server,
 * cannot produce a state the rules do not allow; a loser reads again and
 * retries.
 */
export class ApprovalService {
  readonly #changes = new EventEmitter();
  /**
   * Identical calls that find no approval share the one being opened, so a
   * burst opens one approval, not many. Only "pending" is ever shared: each
   * call spends an approval for itself.
   */
  readonly #opening = new Map<string, Promise<PortVerdict>>();

  constructor(
    private readonly deps: {
      store: Store;
      /** The groups of the policy in force: membership is checked when a vote is cast. */
      groups: () => ReadonlyMap<string, readonly string[]>;
      notifier?: ApprovalNotifier;
      /** Every change of every approval is written here after it is committed. */
      audit?: AuditSink;
      now?: () => number;
      /** How often a waiter re-reads the store for votes cast elsewhere (another replica, the CLI). */
      pollMs?: number;
    },
  ) {
    this.#changes.setMaxListeners(0);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The approvals port of the enforcement path. */
  readonly port: NonNullable<PathPorts['approvals']> = async (request, decision, ids) => {
    const argsHash = canonicalHash(request.args ?? {});
    const reqHash = requirementsHash(decision.approval?.requirements ?? []);
    const candidates = await this.deps.store.approvalsForAction(request.agent.id, request.tool, argsHash);
    // The newest approval for this exact action and demand decides: the same arguments, for
    // the same user and on the same resource as the people who voted saw.
    const key = approvalActionKey({ ...request, argsHash, requirementsHash: reqHash });
    const newest = candidates.find((c) => approvalActionKey(c) === key);
    if (newest) {
      const now = this.now();
      const status = effectiveApprovalStatus(newest, now);
      if (status === 'pending')
        return { status: 'pending', id: newest.id, expiresAt: new Date(newest.expiresAt) };
      if (status === 'approved' && stillApproved(newest, this.deps.groups())) {
        const spent = await this.change(newest.id, (r, at) => spendApproval(r, at) ?? 'unchanged');
        if (spent.ok) return { status: 'approved', id: newest.id };
        // Spent by a concurrent identical call, or lapsed: this call needs an approval of its own.
      }
      if (status === 'denied' && now < newest.expiresAt) {
        return {
          status: 'denied',
          // Not who denied it: the agent has no business knowing its approvers.
          reason: `this exact action was denied (${newest.id}); it cannot be asked again before ${new Date(newest.expiresAt).toISOString()}`,
        };
      }
    }
    const opening = this.#opening.get(key);
    if (opening) return opening;
    const opened = this.open(request, decision, ids, argsHash, reqHash).finally(() =>
      this.#opening.delete(key),
    );
    this.#opening.set(key, opened);
    return opened;
  };

  private async open(
    request: PathRequest,
    decision: Decision,
    ids: { decisionId: string; sessionId: string },
    argsHash: string,
    reqHash: string,
  ): Promise<PortVerdict> {
    const now = this.now();
    const requirements = decision.approval?.requirements ?? [];
    // Whoever owns an agent up the delegation chain is as much a party to the call as its owner.
    const delegationOwners: string[] = [];
    for (const id of request.delegation?.chain ?? []) {
      const owner = (await this.deps.store.findAgent(id))?.owner;
      if (owner !== undefined) delegationOwners.push(owner);
    }
    const record: ApprovalRecord = {
      id: newId('apr'),
      status: 'pending',
      version: 0,
      agent: { id: request.agent.id, name: request.agent.name, owner: request.agent.owner },
      ...(request.user && { user: request.user }),
      ...(request.delegation && { delegation: request.delegation }),
      ...(delegationOwners.length > 0 && { delegationOwners }),
      tool: request.tool,
      args: request.args ?? {},
      argsHash,
      ...(request.resource && { resource: request.resource }),
      sessionId: ids.sessionId,
      ...(request.reasoning !== undefined && { reasoning: request.reasoning }),
      decisionId: ids.decisionId,
      rules: decision.rules.map((r) => ({ id: r.id, effect: r.effect, message: r.message })),
      requirements,
      requirementsHash: reqHash,
      votes: [],
      createdAt: now,
      expiresAt: now + (decision.approval?.timeoutMs ?? 0),
    };
    try {
      await this.deps.store.insertApproval(record);
    } catch (err) {
      // Another replica opened it a moment ago (one pending approval per exact action): use
      // that one. A pending one past its deadline is written down first, then this one opens.
      if (!(err instanceof GatehouseError && err.code === 'GH_CONFLICT')) throw err;
      const pending = (
        await this.deps.store.approvalsForAction(request.agent.id, request.tool, argsHash)
      ).find((c) => c.status === 'pending' && approvalActionKey(c) === approvalActionKey(record));
      if (!pending) throw err;
      if (effectiveApprovalStatus(pending, this.now()) === 'pending')
        return { status: 'pending', id: pending.id, expiresAt: new Date(pending.expiresAt) };
      await this.change(pending.id, (r, at) => expireApproval(r, at) ?? 'unchanged');
      await this.deps.store.insertApproval(record);
    }
    await this.deps.audit?.append(approvalDraft(record, 'approval.opened', 'escalated'));
    this.deps.notifier?.notify('created', record);
    this.#changes.emit('change', record);
    return { status: 'pending', id: record.id, expiresAt: new Date(record.expiresAt) };
  }

  /** One person's vote. */
  async vote(
    id: string,
    voter: Voter,
    ballot: { vote: 'approve' | 'deny'; comment?: string },
  ): Promise<{ ok: true; record: ApprovalRecord } | ({ ok: false } & VoteFailure)> {
    let refusal: VoteFailure | undefined;
    const result = await this.change(id, (record, now) => {
      const cast = castVote(record, voter, ballot, this.deps.groups(), now);
      if (cast.ok) return cast.record;
      refusal = { code: cast.code, message: cast.message };
      return 'unchanged';
    });
    if (result.ok) return result;
    if (!result.record) return { ok: false, code: 'not-found', message: `no approval '${id}'` };
    return {
      ok: false,
      ...(refusal ?? { code: 'not-pending', message: 'the approval takes no more votes' }),
    };
  }

  /** An approval, with a lapse past its deadline written down. */
  async get(id: string): Promise<ApprovalRecord | undefined> {
    const record = await this.deps.store.getApproval(id);
    if (!record || effectiveApprovalStatus(record, this.now()) === record.status) return record;
    const result = await this.change(id, (r, now) => expireApproval(r, now) ?? 'unchanged');
    return result.record;
  }

  /** Approvals, newest first, with lapses applied to what is shown. */
  async list(
    query: { statuses?: readonly string[]; limit?: number; before?: { createdAt: number; id: string } } = {},
  ): Promise<ApprovalRecord[]> {
    await this.sweep();
    return this.deps.store.listApprovals({
      ...(query.statuses && { statuses: query.statuses }),
      ...(query.before && { before: query.before }),
      limit: query.limit ?? 100,
    });
  }

  /**
   * Resolves when the approval is no longer pending, or after `ms`, with the
   * record as it then is. Votes cast through this process wake it at once;
   * votes cast elsewhere are seen within `pollMs`.
   */
  async wait(id: string, ms: number, signal?: AbortSignal): Promise<ApprovalRecord | undefined> {
    const first = await this.get(id);
    if (first?.status !== 'pending' || ms <= 0) return first;
    const pollMs = this.deps.pollMs ?? 500;
    return new Promise((resolve) => {
      let latest: ApprovalRecord = first;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        this.#changes.off('change', onChange);
        clearInterval(poll);
        clearTimeout(deadline);
        signal?.removeEventListener('abort', finish);
        resolve(latest);
      };
      const onChange = (record: ApprovalRecord) => {
        if (record.id !== id) return;
        latest = record;
        if (record.status !== 'pending') finish();
      };
      const poll = setInterval(() => {
        void this.get(id).then(
          (record) => record && onChange(record),
          () => undefined,
        );
      }, pollMs);
      // Wake at the approval's own deadline too, so a lapse is reported when it happens.
      const untilLapse = Math.max(0, first.expiresAt - this.now());
      const deadline = setTimeout(
        () => {
          if (untilLapse <= ms)
            void this.get(id)
              .then(
                (r) => r && onChange(r),
                () => undefined,
              )
              .finally(finish);
          else finish();
        },
        Math.min(ms, untilLapse),
      );
      this.#changes.on('change', onChange);
      signal?.addEventListener('abort', finish);
    });
  }

  /** Writes down every lapse that is due; returns how many approvals lapsed. */
  async sweep(): Promise<number> {
    let lapsed = 0;
    for (const record of await this.deps.store.lapsedApprovals(new Date(this.now()), 500)) {
      const result = await this.change(record.id, (r, now) => expireApproval(r, now) ?? 'unchanged');
      if (result.ok) lapsed++;
    }
    return lapsed;
  }

  private async auditChange(before: ApprovalRecord, after: ApprovalRecord): Promise<void> {
    const audit = this.deps.audit;
    if (!audit) return;
    for (const vote of after.votes.slice(before.votes.length)) {
      await audit.append(
        approvalDraft(after, `approval.vote.${vote.vote}`, 'succeeded', {
          person: vote.email,
          ...(vote.comment !== undefined && { detail: vote.comment }),
        }),
      );
    }
    if (after.status === before.status) return;
    const outcome =
      after.status === 'approved' ? 'approved' : after.status === 'used' ? 'succeeded' : 'denied';
    await audit.append(
      approvalDraft(after, `approval.${after.status}`, outcome, {
        ...(after.outcome !== undefined && { detail: after.outcome }),
      }),
    );
  }

  /**
   * Applies `next` to the stored record with compare-and-set, retrying when
   * another writer changed it in between. `ok` is false when `next` left the
   * record unchanged (or there was none).
   */
  private async change(
    id: string,
    next: (record: ApprovalRecord, now: number) => ApprovalRecord | 'unchanged',
  ): Promise<{ ok: true; record: ApprovalRecord } | { ok: false; record?: ApprovalRecord }> {
    for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt++) {
      const current = await this.deps.store.getApproval(id);
      if (!current) return { ok: false };
      const changed = next(current, this.now());
      if (changed === 'unchanged') return { ok: false, record: current };
      if (await this.deps.store.swapApproval(changed, current.version)) {
        await this.auditChange(current, changed);
        this.#changes.emit('change', changed);
        if (changed.status !== current.status && changed.status !== 'used')
          this.deps.notifier?.notify('decided', changed);
        return { ok: true, record: changed };
      }
      // Somebody else changed it first: back off a little so a crowd of voters spreads out.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
    throw new Error(`approval ${id} is changing too fast to update; try again`);
  }
}

/** The audit event of an approval's change. */
function approvalDraft(
  record: ApprovalRecord,
  action: string,
  outcome: AuditOutcome,
  extra: { person?: string; detail?: string } = {},
): AuditDraft {
  return {
    type: 'approval',
    time: new Date().toISOString(),
    who: {
      agent: record.agent,
      ...(record.user && { user: record.user }),
      ...(extra.person !== undefined && { person: extra.person }),
    },
    what: { action, tool: record.tool, args_hash: record.argsHash },
    where: { node: AUDIT_NODE, door: 'approvals' },
    why: {
      ...(record.reasoning !== undefined && { reasoning: record.reasoning }),
      rules: record.rules,
    },
    outcome: {
      status: outcome,
      code: record.status,
      ...(extra.detail !== undefined && { detail: extra.detail }),
    },
    ...(record.sessionId !== undefined && { session_id: record.sessionId }),
    decision_id: record.decisionId,
    approval_id: record.id,
  };
}
