import { type ApprovalRecord, approvalProgress, effectiveApprovalStatus } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DecisionService } from '../decisions/decision-service.js';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { ApprovalService } from './approval-service.js';

/** The longest one long-poll holds: below common proxy idle timeouts. */
export const MAX_APPROVAL_WAIT_MS = 60_000;

const idParam = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^apr_[A-Za-z0-9_-]{1,64}$' } },
} as const;
const voteBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 2000 } },
} as const;

/**
 * `/v1/approvals`: what people see and vote on, with their user API token,
 * and what an agent may learn of its own approvals (status, to wait on).
 */
export async function approvalRoutes(
  app: FastifyInstance,
  opts: { approvals: ApprovalService; admin: AgentAdmin; decisions: DecisionService },
): Promise<void> {
  const { approvals, admin, decisions } = opts;

  app.setErrorHandler((error: { statusCode?: number; message: string; code?: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: 'invalid_request', message: error.message });
    reply.log.error({ err: error }, 'approval endpoint failed');
    return reply.code(status === 503 || error.code === 'GH_STORE_UNAVAILABLE' ? 503 : 500).send({
      error: 'server_error',
      message: 'the approval service failed; read the approval again to see whether the change was made',
    });
  });

  app.get(
    '/v1/approvals',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', pattern: '^[a-z]+(,[a-z]+)*$' },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            /** `next_cursor` of the previous page: older approvals. */
            cursor: { type: 'string', pattern: '^[0-9]{1,15}_apr_[A-Za-z0-9_-]{1,64}$' },
          },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, []))) return reply;
      const query = request.query as { status?: string; limit?: number; cursor?: string };
      const statuses = query.status?.split(',');
      const limit = query.limit ?? 100;
      const cut = query.cursor?.indexOf('_') ?? -1;
      const records = await approvals.list({
        ...(statuses && { statuses }),
        limit,
        ...(query.cursor !== undefined && {
          before: { createdAt: Number(query.cursor.slice(0, cut)), id: query.cursor.slice(cut + 1) },
        }),
      });
      const last = records[records.length - 1];
      return {
        approvals: records.map((r) => approvalView(r, Date.now())),
        ...(records.length === limit && last && { next_cursor: `${last.createdAt}_${last.id}` }),
      };
    },
  );

  app.get(
    '/v1/approvals/:id',
    {
      schema: {
        params: idParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { wait: { type: 'string', pattern: '^[0-9]{1,5}(ms|s)?$' } },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const viewer = await viewerOf(request, reply, admin, decisions);
      if (!viewer) return reply;
      const waitMs = Math.min(parseWait((request.query as { wait?: string }).wait), MAX_APPROVAL_WAIT_MS);
      // An agent sees only its own approvals; another's is as absent as a missing one, and
      // answers as fast: ownership is checked before any waiting.
      const found = await approvals.get(id);
      if (!found || (viewer.kind === 'agent' && found.agent.id !== viewer.agentId))
        return reply.code(404).send({ error: 'not_found', message: `no approval '${id}'` });
      const aborted = new AbortController();
      request.raw.once('close', () => aborted.abort());
      const record = (await approvals.wait(id, waitMs, aborted.signal)) ?? found;
      const view = approvalView(record, Date.now());
      if (viewer.kind === 'user') return view;
      // The agent learns how far its approval has come, not who the approvers are.
      const { votes: _votes, requirements, outcome: _outcome, ...forAgent } = view;
      return {
        ...forAgent,
        requirements: requirements.map((r) => ({
          rule: r.rule,
          approvers: r.approvers,
          approvals: r.approved_by.length,
        })),
      };
    },
  );

  for (const vote of ['approve', 'deny'] as const) {
    app.post(
      `/v1/approvals/:id/${vote}`,
      { bodyLimit: 16 * 1024, schema: { params: idParam, body: voteBody } },
      async (request, reply) => {
        const user = await requireUser(request, reply, admin, []);
        if (!user) return reply;
        const { id } = request.params as { id: string };
        const comment = (request.body as { comment?: string } | null)?.comment;
        const result = await approvals.vote(
          id,
          { id: user.id, email: user.email, roles: user.roles },
          { vote, ...(comment !== undefined && { comment }) },
        );
        if (result.ok) return approvalView(result.record, Date.now());
        const status =
          result.code === 'not-found'
            ? 404
            : result.code === 'not-pending' || result.code === 'already-voted'
              ? 409
              : 403;
        return reply.code(status).send({ error: result.code, message: result.message });
      },
    );
  }
}

type Viewer = { kind: 'user' } | { kind: 'agent'; agentId: string };

/** A person with a user token, or an agent with an access token (for its own approvals). */
async function viewerOf(
  request: FastifyRequest,
  reply: FastifyReply,
  admin: AgentAdmin,
  decisions: DecisionService,
): Promise<Viewer | undefined> {
  if (/^Bearer\s+ghu_/i.test(request.headers.authorization ?? '') || request.consoleUser) {
    return (await requireUser(request, reply, admin, [])) ? { kind: 'user' } : undefined;
  }
  const caller = await decisions.authenticate(request.headers.authorization);
  if ('agent' in caller) return { kind: 'agent', agentId: caller.agent.id };
  await reply
    .code(401)
    .header('www-authenticate', `Bearer realm="gatehouse", error="${caller.error}"`)
    .send({ error: 'unauthorized', message: 'a user API token or the agent’s access token is required' });
  return undefined;
}

/** `30s`, `500ms`, `30` (seconds) in milliseconds; absent means do not wait. */
function parseWait(text: string | undefined): number {
  if (text === undefined) return 0;
  const amount = Number.parseInt(text, 10);
  return text.endsWith('ms') ? amount : amount * 1000;
}

/** An approval as people read it: everything they need to judge the action. */
export function approvalView(record: ApprovalRecord, now: number) {
  const status = effectiveApprovalStatus(record, now);
  return {
    id: record.id,
    status,
    agent: record.agent,
    ...(record.user && { user: record.user }),
    ...((record.delegation?.chain?.length ?? 0) > 0 && { delegation: record.delegation }),
    tool: record.tool,
    // People judge the exact values they approve, secrets included: the view is for approvers.
    args: record.args,
    args_hash: record.argsHash,
    ...(record.resource && { resource: record.resource }),
    ...(record.sessionId !== undefined && { session_id: record.sessionId }),
    ...(record.reasoning !== undefined && { reasoning: record.reasoning }),
    decision_id: record.decisionId,
    rules: record.rules,
    requirements: approvalProgress(record).map((p, i) => ({
      rule: p.rule,
      approvers: p.approvers,
      groups: record.requirements[i]?.groups ?? [],
      approved_by: p.approvedBy,
      denied_by: p.deniedBy,
    })),
    votes: record.votes.map((v) => ({
      email: v.email,
      vote: v.vote,
      ...(v.comment !== undefined && { comment: v.comment }),
      at: new Date(v.at).toISOString(),
    })),
    created_at: new Date(record.createdAt).toISOString(),
    expires_at: new Date(record.expiresAt).toISOString(),
    ...(status === 'pending' || status === 'approved'
      ? { time_left_s: Math.max(0, Math.floor((record.expiresAt - now) / 1000)) }
      : {}),
    ...(record.decidedAt !== undefined && { decided_at: new Date(record.decidedAt).toISOString() }),
    ...(record.usedAt !== undefined && { used_at: new Date(record.usedAt).toISOString() }),
    ...(record.outcome !== undefined && { outcome: record.outcome }),
  };
}
