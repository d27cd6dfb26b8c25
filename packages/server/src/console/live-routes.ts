import type { FastifyInstance } from 'fastify';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { LiveChange, LiveFeed } from './live-feed.js';

/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** Events queued for a reader that does not keep up; past this the stream ends and the page reloads. */
const MAX_BACKLOG = 1000;

/**
 * `GET /v1/events/stream?kinds=approval,audit`: server-sent events for live
 * pages. `approval` (an id to reload) is for every signed-in person; `audit`
 * carries whole events and needs the auditor or admin role, like the log.
 */
export async function liveRoutes(
  app: FastifyInstance,
  opts: { feed: LiveFeed; admin: AgentAdmin },
): Promise<void> {
  app.get(
    '/v1/events/stream',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { kinds: { type: 'string', pattern: '^(approval|audit)(,(approval|audit))?$' } },
        },
      },
    },
    async (request, reply) => {
      const kinds = new Set(((request.query as { kinds?: string }).kinds ?? 'approval').split(','));
      const readers = kinds.has('audit') ? (['auditor', 'admin'] as const) : ([] as const);
      if (!(await requireUser(request, reply, opts.admin, readers))) return reply;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      raw.write(': live\n\n');
      let backlog = 0;
      const unsubscribe = opts.feed.subscribe((change: LiveChange) => {
        if (!kinds.has(change.kind)) return;
        const data =
          change.kind === 'approval'
            ? { seq: change.seq, approval_id: change.event.approval_id }
            : change.event;
        if (!raw.write(`id: ${change.seq}\nevent: ${change.kind}\ndata: ${JSON.stringify(data)}\n\n`)) {
          backlog++;
          if (backlog > MAX_BACKLOG) raw.end();
        }
      });
      raw.on('drain', () => {
        backlog = 0;
      });
      const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      request.raw.once('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  );
}
