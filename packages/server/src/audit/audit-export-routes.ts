import { Readable } from 'node:stream';
import { openAuditEvent } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { Store } from '../store/index.js';
import { auditQueryFrom } from './audit-routes.js';
import { toOcsf } from './ocsf.js';
import { verifyStoredAudit } from './verify-log.js';

const READERS = ['auditor', 'admin'] as const;
/** The most events one download holds; a larger export is `gatehouse audit export` on the server. */
export const MAX_HTTP_EXPORT = 100_000;
/** The chain's status is verified again at most this often, however many pages ask. */
const STATUS_TTL_MS = 10_000;
const FILTER = { type: 'string', minLength: 1, maxLength: 1000 } as const;

/**
 * `GET /v1/audit/status`: the chain verified from its last signed checkpoint
 * to its head (a full verification is `gatehouse audit verify`), for the
 * console's badge; `GET /v1/audit/export?format=jsonl|ocsf`: the filtered
 * events, newest first, as a download.
 */
export async function auditExportRoutes(
  app: FastifyInstance,
  opts: { store: Store; admin: AgentAdmin },
): Promise<void> {
  const { store, admin } = opts;
  let status: { at: number; body: Promise<Record<string, unknown>> } | undefined;

  app.get('/v1/audit/status', async (request, reply) => {
    if (!(await requireUser(request, reply, admin, READERS))) return reply;
    if (!status || Date.now() - status.at > STATUS_TTL_MS) {
      const body = (async () => {
        const checkpoint = await store.latestAuditCheckpoint();
        const head = await store.auditHead();
        const result = await verifyStoredAudit(store, checkpoint ? { from: checkpoint.seq } : {});
        return {
          ok: result.ok,
          head_seq: head.seq,
          verified_from_seq: checkpoint?.seq ?? 1,
          ...(checkpoint && { last_checkpoint: { seq: checkpoint.seq, at: checkpoint.time } }),
          ...(result.problem && { problem: result.problem }),
          checked_at: new Date().toISOString(),
        };
      })();
      status = { at: Date.now(), body };
      body.catch(() => {
        status = undefined;
      });
    }
    return status.body;
  });

  app.get(
    '/v1/audit/export',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['format'],
          properties: {
            format: { enum: ['jsonl', 'ocsf'] },
            agent: FILTER,
            session: FILTER,
            tool: FILTER,
            outcome: { type: 'string', maxLength: 20 },
            type: { type: 'string', maxLength: 20 },
            since: { type: 'string', maxLength: 40 },
            until: { type: 'string', maxLength: 40 },
          },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, READERS))) return reply;
      const { format, ...filters } = request.query as Record<string, string>;
      const query = await auditQueryFrom(filters, store, { order: 'desc', limit: 1000 });
      if (typeof query === 'string')
        return reply.code(400).send({ error: 'invalid_request', message: query });
      async function* lines(): AsyncIterable<string> {
        if (typeof query === 'string' || 'empty' in query) return;
        let cursor: number | undefined;
        for (let sent = 0; sent < MAX_HTTP_EXPORT; ) {
          const rows = await store.queryAudit({ ...query, ...(cursor !== undefined && { cursor }) });
          for (const row of rows) {
            const event = openAuditEvent(row);
            yield `${JSON.stringify(format === 'ocsf' ? toOcsf(event) : event)}\n`;
          }
          sent += rows.length;
          if (rows.length < query.limit) return;
          cursor = rows[rows.length - 1]!.seq;
        }
      }
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="gatehouse-audit.${format}.jsonl"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(lines()));
    },
  );
}
