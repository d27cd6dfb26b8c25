import type { ApprovalRecord } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { Store } from '../store/index.js';
import type { ApprovalService } from './approval-service.js';
import { closestApproved } from './closest-approval.js';

/** How many earlier approvals of one agent and tool are compared: the recent ones say the most. */
const CANDIDATES = 200;

/**
 * `GET /v1/approvals/:id/closest`: the previously approved action of the
 * same agent and tool that is closest to this one, and what differs.
 */
export async function approvalHistoryRoutes(
  app: FastifyInstance,
  opts: { approvals: ApprovalService; admin: AgentAdmin; store: Store },
): Promise<void> {
  app.get(
    '/v1/approvals/:id/closest',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^apr_[A-Za-z0-9_-]{1,64}$' } },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, opts.admin, []))) return reply;
      const { id } = request.params as { id: string };
      const record = await opts.approvals.get(id);
      if (!record) return reply.code(404).send({ error: 'not_found', message: `no approval '${id}'` });
      const rows = await opts.store.db
        .selectFrom('approvals')
        .select('record')
        .where('agent_id', '=', record.agent.id)
        .where('tool', '=', record.tool)
        .where('status', 'in', ['approved', 'used'])
        .orderBy('created_at', 'desc')
        .limit(CANDIDATES)
        .execute();
      const found = closestApproved(
        record,
        rows.map((r) => JSON.parse(r.record) as ApprovalRecord),
      );
      if (!found) return { closest: null, changes: [] };
      return {
        closest: {
          id: found.approval.id,
          args: found.approval.args,
          created_at: new Date(found.approval.createdAt).toISOString(),
          ...(found.approval.outcome !== undefined && { outcome: found.approval.outcome }),
        },
        changes: found.changes,
      };
    },
  );
}
