import { type ApprovalRecord, approvalActionKey } from '@gatehouse/core';
import { StoreTables } from './store-context.js';

/** Approval requests, one row each, with the record as JSON. */
export class ApprovalTables extends StoreTables {
  async insertApproval(record: ApprovalRecord): Promise<void> {
    await this.ctx.guard(() =>
      this.db
        .insertInto('approvals')
        .values({
          id: record.id,
          agent_id: record.agent.id,
          tool: record.tool,
          args_hash: record.argsHash,
          status: record.status,
          version: record.version,
          record: JSON.stringify(record),
          created_at: record.createdAt,
          expires_at: record.expiresAt,
          pending_key: pendingKey(record),
        })
        .execute(),
    );
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const row = await this.ctx.guard(() =>
      this.db.selectFrom('approvals').select('record').where('id', '=', id).executeTakeFirst(),
    );
    return row ? (JSON.parse(row.record) as ApprovalRecord) : undefined;
  }

  async swapApproval(record: ApprovalRecord, expectedVersion: number): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .updateTable('approvals')
        .set({
          status: record.status,
          version: record.version,
          record: JSON.stringify(record),
          pending_key: pendingKey(record),
        })
        .where('id', '=', record.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  async approvalsForAction(agentId: string, tool: string, argsHash: string): Promise<ApprovalRecord[]> {
    const rows = await this.ctx.guard(() =>
      this.db
        .selectFrom('approvals')
        .select('record')
        .where('agent_id', '=', agentId)
        .where('tool', '=', tool)
        .where('args_hash', '=', argsHash)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        // Generous: the caller filters these by what they demand, and a live denial must not be
        // pushed out of sight by newer approvals of the same action asking something else.
        .limit(1000)
        .execute(),
    );
    return rows.map((r) => JSON.parse(r.record) as ApprovalRecord);
  }

  async listApprovals(query: {
    statuses?: readonly string[];
    limit: number;
    before?: { createdAt: number; id: string };
  }): Promise<ApprovalRecord[]> {
    const rows = await this.ctx.guard(() => {
      let q = this.db.selectFrom('approvals').select('record');
      if (query.statuses && query.statuses.length > 0) q = q.where('status', 'in', [...query.statuses]);
      const before = query.before;
      if (before)
        q = q.where((eb) =>
          eb.or([
            eb('created_at', '<', before.createdAt),
            eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
          ]),
        );
      return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    });
    return rows.map((r) => JSON.parse(r.record) as ApprovalRecord);
  }

  async lapsedApprovals(now: Date, limit: number): Promise<ApprovalRecord[]> {
    const rows = await this.ctx.guard(() =>
      this.db
        .selectFrom('approvals')
        .select('record')
        .where('status', 'in', ['pending', 'approved'])
        .where('expires_at', '<=', now.getTime())
        .limit(limit)
        .execute(),
    );
    return rows.map((r) => JSON.parse(r.record) as ApprovalRecord);
  }
}

/** The key that keeps one pending approval per exact action; none once it is decided. */
function pendingKey(record: ApprovalRecord): string | null {
  return record.status === 'pending' ? approvalActionKey(record) : null;
}
