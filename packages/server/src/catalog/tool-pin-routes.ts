import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../audit/audit-log.js';
import { approveToolPin } from '../gateway/tool-pins.js';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { Store } from '../store/index.js';

const NAME = { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,199}$' } as const;

/** What each refusal of an approval means, as a status and in words. */
const REFUSALS = {
  'nothing-pending': [
    409,
    'this tool has no changed definition waiting: someone may have approved it already',
  ],
  'unknown-tool': [404, 'no pinned tool of that name'],
  'hash-mismatch': [409, 'the held definition changed since you reviewed it; look at it again'],
} as const;

/**
 * `/v1/tools/pins`: the MCP tool definitions pinned by hash, with a changed
 * definition held beside the approved one; an admin approves the held one
 * (`POST /v1/tools/pins/:upstream/:tool/approve` with the reviewed hash).
 */
export async function toolPinRoutes(
  app: FastifyInstance,
  opts: { store: Store; admin: AgentAdmin; audit?: AuditSink },
): Promise<void> {
  const { store, admin } = opts;
  app.get('/v1/tools/pins', async (request, reply) => {
    if (!(await requireUser(request, reply, admin, []))) return reply;
    const pins = await store.listToolPins();
    return {
      pins: pins.map((p) => ({
        upstream: p.upstream,
        tool: p.tool,
        status: p.pending ? (p.pending.reason === 'suspect' ? 'held-suspect' : 'held-changed') : 'pinned',
        hash: p.hash,
        ...(p.definition !== '' && { definition: JSON.parse(p.definition) as unknown }),
        ...(p.pending && {
          held: {
            hash: p.pending.hash,
            reason: p.pending.reason,
            definition: JSON.parse(p.pending.definition) as unknown,
          },
        }),
        ...(p.approvedBy !== undefined && { approved_by: p.approvedBy }),
        updated_at: p.updatedAt.toISOString(),
      })),
    };
  });

  app.post(
    '/v1/tools/pins/:upstream/:tool/approve',
    {
      schema: {
        params: { type: 'object', properties: { upstream: NAME, tool: NAME } },
        body: {
          type: 'object',
          required: ['hash'],
          additionalProperties: false,
          properties: { hash: { type: 'string', pattern: '^[0-9a-f]{12,64}$' } },
        },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request, reply, admin, ['admin']);
      if (!user) return reply;
      const { upstream, tool } = request.params as { upstream: string; tool: string };
      const result = await approveToolPin(
        store,
        opts.audit,
        upstream,
        tool,
        user.email,
        (request.body as { hash: string }).hash,
        request.consoleUser ? 'console' : 'admin-api',
      );
      if (result === 'approved') return { upstream, tool, status: 'pinned' };
      const [status, message] = REFUSALS[result];
      return reply.code(status).send({ error: result, message });
    },
  );
}
