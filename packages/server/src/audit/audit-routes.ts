import { AUDIT_EVENT_TYPES, AUDIT_OUTCOMES, auditColumn, openAuditEvent } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { Store } from '../store/index.js';
import { traceArgumentSources } from './argument-sources.js';
import type { AuditSink } from './audit-log.js';
import type { AuditQuery } from './audit-store.js';
import { sessionRecording } from './timeline.js';

/** Who may read the audit log: people with these roles. */
const READERS = ['auditor', 'admin'] as const;
const MAX_LIMIT = 1000;
/** An id in a query: printable, bounded. */
const ID_PARAM = {
  type: 'string',
  minLength: 1,
  maxLength: 1000,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
} as const;
/** The most events one session recording reads. */
const MAX_SESSION_EVENTS = 10_000;

/** A time as `since`/`until` take it: RFC 3339, or a duration back from now (`15m`, `7d`). */
export function parseTimeBound(text: string, now = Date.now()): number | undefined {
  const ago = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text);
  if (ago) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(ago[1]) * unit;
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The filters of an audit query from request parameters; a string names what is wrong. */
export async function auditQueryFrom(
  params: Record<string, string | number | undefined>,
  store: Store,
  defaults: { order: 'asc' | 'desc'; limit: number },
): Promise<AuditQuery | { empty: true } | string> {
  const query: { -readonly [K in keyof AuditQuery]?: AuditQuery[K] } = {
    order: params.order === 'asc' || params.order === 'desc' ? params.order : defaults.order,
    limit: Number(params.limit ?? defaults.limit),
  };
  if (
    !Number.isSafeInteger(query.limit) ||
    (query.limit as number) < 1 ||
    (query.limit as number) > MAX_LIMIT
  )
    return `limit must be a whole number from 1 to ${MAX_LIMIT}`;
  if (params.agent !== undefined) {
    const agent = await store.findAgent(String(params.agent));
    if (!agent) return { empty: true };
    query.agentId = agent.id;
  }
  // Columns hold long or odd ids as digests (auditColumn); a query looks them up the same way.
  if (params.session !== undefined) query.sessionId = auditColumn(String(params.session));
  if (params.tool !== undefined) query.tool = auditColumn(String(params.tool));
  if (params.outcome !== undefined) {
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(String(params.outcome)))
      return `outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`;
    query.outcome = String(params.outcome);
  }
  if (params.type !== undefined) {
    if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(String(params.type)))
      return `type must be one of ${AUDIT_EVENT_TYPES.join(', ')}`;
    query.type = String(params.type);
  }
  for (const bound of ['since', 'until'] as const) {
    if (params[bound] === undefined) continue;
    const ms = parseTimeBound(String(params[bound]));
    if (ms === undefined) return `${bound} must be an RFC 3339 time or a duration such as 15m or 7d`;
    query[bound === 'since' ? 'sinceMs' : 'untilMs'] = ms;
  }
  if (params.cursor !== undefined) query.cursor = Number(params.cursor);
  return query as AuditQuery;
}

/**
 * `/v1/audit/events` and `/v1/sessions/{id}`: the audit log and session
 * recordings, for people with the auditor or admin role.
 */
export async function auditRoutes(
  app: FastifyInstance,
  opts: { store: Store; admin: AgentAdmin; audit?: AuditSink },
): Promise<void> {
  const { store, admin, audit } = opts;
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: 'invalid_request', message: error.message });
    // The store's own words (a driver message, an address) stay in the log.
    reply.log.error({ err: error }, 'audit endpoint failed');
    return reply.code(503).send({ error: 'server_error', message: 'the audit log could not be read' });
  });
  app.get(
    '/v1/audit/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            agent: ID_PARAM,
            session: ID_PARAM,
            tool: ID_PARAM,
            outcome: { type: 'string', maxLength: 20 },
            type: { type: 'string', maxLength: 20 },
            since: { type: 'string', maxLength: 40 },
            until: { type: 'string', maxLength: 40 },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
            cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
            order: { enum: ['asc', 'desc'] },
          },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, READERS))) return reply;
      const query = await auditQueryFrom(request.query as Record<string, string>, store, {
        order: 'desc',
        limit: 100,
      });
      if (typeof query === 'string')
        return reply.code(400).send({ error: 'invalid_request', message: query });
      if ('empty' in query) return { events: [] };
      // Outcomes are committed with the next group, after their answer: a reader sees them anyway.
      await audit?.settled?.();
      const rows = await store.queryAudit(query);
      const events = rows.map(openAuditEvent);
      const last = rows[rows.length - 1];
      return {
        events,
        ...(rows.length === query.limit && last && { next_cursor: String(last.seq) }),
      };
    },
  );

  app.get(
    '/v1/sessions/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: ID_PARAM } },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, READERS))) return reply;
      const { id } = request.params as { id: string };
      await audit?.settled?.();
      const rows = await store.queryAudit({
        sessionId: auditColumn(id),
        order: 'asc',
        limit: MAX_SESSION_EVENTS,
      });
      if (rows.length === 0)
        return reply.code(404).send({ error: 'not_found', message: `no recorded session '${id}'` });
      return traceArgumentSources(
        sessionRecording(id, rows.map(openAuditEvent), rows.length === MAX_SESSION_EVENTS),
      );
    },
  );
}
