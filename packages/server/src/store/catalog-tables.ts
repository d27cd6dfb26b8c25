import type { PolicyVersion, ToolPinRecord } from './store.js';
import { StoreTables } from './store-context.js';

/** Activated policy versions, tools registered through the API, and pinned MCP tool definitions. */
export class CatalogTables extends StoreTables {
  async recordPolicyVersion(version: {
    hash: string;
    sources: readonly { name: string; text: string }[];
    loadedAt?: Date;
  }): Promise<PolicyVersion> {
    const loadedAt = (version.loadedAt ?? new Date()).getTime();
    const row = await this.ctx.guard(() =>
      this.db
        .insertInto('policy_versions')
        .values({ hash: version.hash, content: JSON.stringify(version.sources), loaded_at: loadedAt })
        .onConflict((oc) => oc.column('hash').doUpdateSet({ loaded_at: loadedAt }))
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toPolicyVersion(row);
  }

  async currentPolicyVersion(): Promise<PolicyVersion | undefined> {
    const [latest] = await this.listPolicyVersions({ limit: 1 });
    return latest;
  }

  async listPolicyVersions(options: { limit?: number } = {}): Promise<PolicyVersion[]> {
    const rows = await this.ctx.guard(() =>
      this.db
        .selectFrom('policy_versions')
        .selectAll()
        .orderBy('loaded_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.max(1, Math.min(options.limit ?? 100, 1000)))
        .execute(),
    );
    return rows.map(toPolicyVersion);
  }

  // ---- tool pins ---------------------------------------------------------

  async listToolPins(upstream?: string): Promise<ToolPinRecord[]> {
    const rows = await this.ctx.guard(() => {
      let query = this.db.selectFrom('tool_pins').selectAll();
      if (upstream !== undefined) query = query.where('upstream', '=', upstream);
      return query.orderBy('upstream').orderBy('tool').execute();
    });
    return rows.map((r) => ({
      upstream: r.upstream,
      tool: r.tool,
      hash: r.hash,
      definition: r.definition,
      ...(r.pending_hash !== null && {
        pending: {
          hash: r.pending_hash,
          definition: r.pending_definition ?? '{}',
          reason: r.pending_reason ?? 'changed',
        },
      }),
      ...(r.approved_by !== null && { approvedBy: r.approved_by }),
      updatedAt: new Date(Number(r.updated_at)),
    }));
  }

  async insertToolPin(pin: ToolPinRecord): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .insertInto('tool_pins')
        .values(toolPinRow(pin))
        .onConflict((c) => c.columns(['upstream', 'tool']).doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async swapToolPin(
    pin: ToolPinRecord,
    expected: { hash: string; pendingHash: string | undefined },
  ): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db
        .updateTable('tool_pins')
        .set(toolPinRow(pin))
        .where('upstream', '=', pin.upstream)
        .where('tool', '=', pin.tool)
        .where('hash', '=', expected.hash)
        .where((eb) =>
          expected.pendingHash === undefined
            ? eb('pending_hash', 'is', null)
            : eb('pending_hash', '=', expected.pendingHash),
        )
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) > 0;
  }

  // ---- registered tools --------------------------------------------------

  async listRegisteredTools(): Promise<{ name: string; definition: string; updatedAt: Date }[]> {
    const rows = await this.ctx.guard(() =>
      this.db.selectFrom('registered_tools').selectAll().orderBy('name').execute(),
    );
    return rows.map((r) => ({
      name: r.name,
      definition: r.definition,
      updatedAt: new Date(Number(r.updated_at)),
    }));
  }

  async putRegisteredTool(name: string, definition: string, now: Date): Promise<void> {
    await this.ctx.guard(() =>
      this.db
        .insertInto('registered_tools')
        .values({ name, definition, updated_at: now.getTime() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ definition, updated_at: now.getTime() }))
        .execute(),
    );
  }

  async deleteRegisteredTool(name: string): Promise<boolean> {
    const result = await this.ctx.guard(() =>
      this.db.deleteFrom('registered_tools').where('name', '=', name).executeTakeFirst(),
    );
    return Number(result.numDeletedRows) > 0;
  }

  async registeredToolsStamp(): Promise<string> {
    const row = await this.ctx.guard(() =>
      this.db
        .selectFrom('registered_tools')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('updated_at').as('latest')])
        .executeTakeFirstOrThrow(),
    );
    return `${Number(row.count)}:${Number(row.latest ?? 0)}`;
  }
}

function toPolicyVersion(row: {
  id: number;
  hash: string;
  content: string;
  loaded_at: number;
}): PolicyVersion {
  return {
    id: Number(row.id),
    hash: row.hash,
    sources: JSON.parse(row.content),
    loadedAt: new Date(Number(row.loaded_at)),
  };
}

function toolPinRow(pin: ToolPinRecord) {
  return {
    upstream: pin.upstream,
    tool: pin.tool,
    hash: pin.hash,
    definition: pin.definition,
    pending_hash: pin.pending?.hash ?? null,
    pending_definition: pin.pending?.definition ?? null,
    pending_reason: pin.pending?.reason ?? null,
    approved_by: pin.approvedBy ?? null,
    updated_at: pin.updatedAt.getTime(),
  };
}
