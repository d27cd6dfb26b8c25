import type { ApprovalRecord } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { Store } from '../store/index.js';

/** How many denied decisions and decided approvals one overview reads at most: the recent ones. */
const SAMPLE = 2000;
const WINDOWS = { '15m': 15, '1h': 60, '6h': 360, '24h': 1440 } as const;

/**
 * `GET /v1/overview?window=1h`: what the overview charts draw, aggregated by
 * the database: decisions per minute by outcome, the rules that denied most,
 * how long approvals waited for people, and events that mention a suspected
 * injection. Bounded whatever the log's size.
 */
export async function overviewRoutes(
  app: FastifyInstance,
  opts: { store: Store; admin: AgentAdmin },
): Promise<void> {
  const { store, admin } = opts;
  app.get(
    '/v1/overview',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { window: { enum: Object.keys(WINDOWS) } },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, ['auditor', 'admin']))) return reply;
      const window = ((request.query as { window?: keyof typeof WINDOWS }).window ??
        '1h') as keyof typeof WINDOWS;
      const minutes = WINDOWS[window];
      const since = Date.now() - minutes * 60_000;
      const db = store.db;

      const perMinute = await db
        .selectFrom('audit_events')
        .select([sql<number>`(time / 60000)`.as('minute'), 'outcome', sql<number>`count(*)`.as('count')])
        .where('type', '=', 'decision')
        .where('time', '>=', since)
        .groupBy([sql`(time / 60000)`, 'outcome'])
        .execute();

      const denied = await db
        .selectFrom('audit_events')
        .select('event')
        .where('type', '=', 'decision')
        .where('outcome', '=', 'denied')
        .where('time', '>=', since)
        .orderBy('seq', 'desc')
        .limit(SAMPLE)
        .execute();
      const byRule = new Map<string, number>();
      for (const row of denied) {
        const event = JSON.parse(row.event) as {
          why?: { rules?: { id: string; effect: string }[] };
          outcome: { code?: string };
        };
        const rules = event.why?.rules?.filter((r) => r.effect === 'deny') ?? [];
        // A refusal before any rule (not granted, unknown agent) counts under its code.
        const names = rules.length > 0 ? rules.map((r) => r.id) : [`(${event.outcome.code ?? 'refused'})`];
        for (const name of names) byRule.set(name, (byRule.get(name) ?? 0) + 1);
      }

      const decided = await db
        .selectFrom('approvals')
        .select('record')
        .where('created_at', '>=', since)
        .where('status', 'in', ['approved', 'used', 'denied'])
        .orderBy('created_at', 'desc')
        .limit(SAMPLE)
        .execute();
      const waits = decided
        .map((r) => JSON.parse(r.record) as ApprovalRecord)
        .filter((a) => a.decidedAt !== undefined)
        .map((a) => Math.max(0, Math.round(((a.decidedAt as number) - a.createdAt) / 1000)));

      const injection = await db
        .selectFrom('audit_events')
        .select(sql<number>`count(*)`.as('count'))
        .where('time', '>=', since)
        .where('event', 'like', '%injection_suspected%')
        .executeTakeFirst();

      return {
        window,
        since: new Date(since).toISOString(),
        decisions_per_minute: perMinute.map((r) => ({
          minute: new Date(Number(r.minute) * 60_000).toISOString(),
          outcome: r.outcome,
          count: Number(r.count),
        })),
        top_denying_rules: [...byRule.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 10)
          .map(([rule, count]) => ({ rule, count })),
        approval_wait_seconds: waits,
        injection_events: Number(injection?.count ?? 0),
        ...(denied.length === SAMPLE && { denied_sampled: SAMPLE }),
      };
    },
  );
}
