import { APPROVAL_STATUSES, type ApprovalRecord } from '@gatehouse/core';
import { approvalView } from '../approvals/approval-routes.js';
import { ApprovalService } from '../approvals/approval-service.js';
import { WebhookNotifier } from '../approvals/webhooks.js';
import type { AuditSink } from '../audit/audit-log.js';
import { actionDraft } from '../audit/drafts.js';
import { requireNotifyTargets, serverUrlOf } from '../config/load.js';
import type { Store } from '../store/index.js';
import { cliActor, withStoreAndAudit } from './audit-commands.js';
import { type CliIo, EXIT, printJson, UsageError } from './io.js';
import { loadPolicyFor } from './policy-commands.js';

/**
 * `gatehouse approvals …`: the CLI speaks to the store directly, as the other
 * admin commands do: whoever can run it with the config can read the store,
 * so `--as` names the person voting and the rules of approval still apply to
 * them (role, group, not their own agent, one vote each).
 */
async function withApprovals<T>(
  io: CliIo,
  configFlag: string | undefined,
  work: (service: ApprovalService, store: Store, audit: AuditSink) => Promise<T>,
  /** Whether the command may end an approval, and so must tell the webhooks. */
  delivers = true,
): Promise<T> {
  return withStoreAndAudit(io, configFlag, async (store, audit, config) => {
    const loaded = await loadPolicyFor(io, undefined, configFlag, store);
    if (!loaded.ok)
      throw new UsageError(
        `the policy ${config.policyPath} does not compile, so approver groups cannot be checked; run 'gatehouse policy check'`,
      );
    const notifyTargets = delivers ? requireNotifyTargets(config) : [];
    const notifier =
      notifyTargets.length > 0
        ? new WebhookNotifier(notifyTargets, {
            baseUrl: serverUrlOf(config),
            backoffMs: [500, 1000],
            onGiveUp: (f) =>
              io.stderr(`warning: webhook ${f.url} gave up after ${f.attempts} attempts: ${f.error}\n`),
          })
        : undefined;
    const service = new ApprovalService({
      store,
      groups: () => loaded.policy.groups,
      audit,
      ...(notifier && { notifier }),
    });
    try {
      return await work(service, store, audit);
    } finally {
      await notifier?.drain();
    }
  });
}

/** `gatehouse approvals list`: pending ones by default. */
export async function approvalsList(
  io: CliIo,
  opts: { status?: string; json?: boolean; config?: string },
): Promise<number> {
  const statuses = (opts.status ?? 'pending').split(',').map((s) => s.trim());
  const unknown = statuses.filter(
    (s) => s !== 'all' && !(APPROVAL_STATUSES as readonly string[]).includes(s),
  );
  if (unknown.length > 0)
    throw new UsageError(`--status ${unknown.join(',')}: use ${APPROVAL_STATUSES.join(', ')} or all`);
  const records = await withApprovals(
    io,
    opts.config,
    (service) => service.list(statuses.includes('all') ? {} : { statuses }),
    false,
  );
  const now = Date.now();
  if (opts.json) {
    printJson(
      io,
      records.map((r) => approvalView(r, now)),
    );
    return EXIT.ok;
  }
  if (records.length === 0) io.stdout(`no ${statuses.join(' or ')} approvals\n`);
  for (const record of records) io.stdout(describe(record, now));
  return EXIT.ok;
}

/** `gatehouse approvals approve|deny <id> --as <email>`. */
export async function approvalsVote(
  io: CliIo,
  vote: 'approve' | 'deny',
  id: string,
  opts: { as: string; comment?: string; json?: boolean; config?: string },
): Promise<number> {
  if (!/^apr_[A-Za-z0-9_-]{1,64}$/.test(id)) throw new UsageError(`'${id}' is not an approval id (apr_…)`);
  return withApprovals(io, opts.config, async (service, store, audit) => {
    const user = await store.findUserByEmail(opts.as.toLowerCase());
    if (!user) throw new UsageError(`no user ${opts.as}; create one with 'gatehouse users create'`);
    // `--as` takes the person's word on the server's machine: break-glass, and recorded as such
    // (who at the machine voted as whom) before the vote counts.
    await audit.append(
      actionDraft({
        type: 'approval',
        action: 'approval.break-glass-vote',
        outcome: 'allowed',
        who: { person: user.email },
        door: 'cli',
        approvalId: id,
        extra: { vote, os_user: cliActor() },
      }),
    );
    const result = await service.vote(
      id,
      { id: user.id, email: user.email, roles: user.roles },
      { vote, ...(opts.comment !== undefined && { comment: opts.comment }) },
    );
    if (!result.ok) {
      io.stderr(`error: ${result.message} (${result.code})\n`);
      return EXIT.failed;
    }
    if (opts.json) printJson(io, approvalView(result.record, Date.now()));
    else io.stdout(describe(result.record, Date.now()));
    return EXIT.ok;
  });
}

/** An approval as a person reads it in a terminal. */
function describe(record: ApprovalRecord, now: number): string {
  const view = approvalView(record, now);
  const user = typeof record.user?.id === 'string' ? `, acting for ${record.user.id}` : '';
  const left =
    view.time_left_s !== undefined ? `expires in ${formatSeconds(view.time_left_s)}` : (view.outcome ?? '');
  const lines = [
    `${record.id}  ${view.status}  ${left}`,
    `  agent      ${record.agent.name} (owner ${record.agent.owner})${user}`,
    `  action     ${record.tool} ${JSON.stringify(record.args)}`,
    ...(record.reasoning !== undefined ? [`  reasoning  ${record.reasoning}`] : []),
    ...record.rules.filter((r) => r.effect === 'approve').map((r) => `  rule       ${r.id}: ${r.message}`),
    ...view.requirements.map(
      (r) =>
        `  needs      ${r.approved_by.length} of ${r.approvers} approvals${r.groups.length > 0 ? ` from ${r.groups.join(' or ')}` : ''} (${r.rule})${r.approved_by.length > 0 ? ` — so far ${r.approved_by.join(', ')}` : ''}`,
    ),
    ...record.votes
      .filter((v) => v.comment !== undefined)
      .map((v) => `  comment    ${v.email} (${v.vote}): ${v.comment}`),
  ];
  return `${lines.join('\n')}\n\n`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
