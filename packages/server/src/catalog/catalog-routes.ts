import { formatDiagnostic, TOOL_CATEGORIES } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../audit/audit-log.js';
import { actionDraft } from '../audit/drafts.js';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { PolicyRuntime } from '../policy/runtime.js';
import type { ToolCatalog, ToolRegistration } from './tool-catalog.js';

const registrationSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    description: { type: 'string', maxLength: 10_000 },
    server: { type: 'string', maxLength: 200 },
    categories: { type: 'array', items: { enum: TOOL_CATEGORIES }, uniqueItems: true },
    annotations: {
      type: 'object',
      properties: {
        readOnlyHint: { type: 'boolean' },
        destructiveHint: { type: 'boolean' },
        idempotentHint: { type: 'boolean' },
        openWorldHint: { type: 'boolean' },
        title: { type: 'string' },
      },
    },
    labels: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
      uniqueItems: true,
    },
    resource: { type: 'object' },
    schema: { type: 'object' },
    risk: { enum: ['low', 'medium', 'high', 'critical'] },
  },
} as const;

/** `/v1/tools`: the catalog, and registration of tools by admins. */
/** Catalog changes are admin events in the audit log. */
function recorder(audit: AuditSink | undefined) {
  return async (person: string, action: string, extra: Record<string, unknown>) => {
    await audit?.append(
      actionDraft({ type: 'admin', action, outcome: 'succeeded', who: { person }, door: 'admin-api', extra }),
    );
  };
}

export async function catalogRoutes(
  app: FastifyInstance,
  opts: { catalog: ToolCatalog; runtime: PolicyRuntime; admin: AgentAdmin; audit?: AuditSink },
): Promise<void> {
  const { catalog, runtime, admin } = opts;
  const record = recorder(opts.audit);
  const nameParam = {
    type: 'object',
    properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,199}$' } },
  };

  app.get('/v1/tools', async (request, reply) => {
    if (!(await requireUser(request, reply, admin, []))) return reply;
    return {
      tools: [...runtime.policy.tools.values()].map((t) => ({
        name: t.name,
        categories: t.categories,
        labels: t.labels,
        ...(t.description !== undefined && { description: t.description }),
        source: catalog.isRegistered(t.name) ? 'api' : 'policy',
      })),
    };
  });

  app.put(
    '/v1/tools/:name',
    { schema: { params: nameParam, body: registrationSchema } },
    async (request, reply) => {
      const user = await requireUser(request, reply, admin, ['admin']);
      if (!user) return reply;
      const { name } = request.params as { name: string };
      const result = await catalog.register(name, request.body as ToolRegistration);
      if (!result.ok) {
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        return reply.code(409).send({
          error: 'conflict',
          message: 'the policy would not compile with this tool',
          diagnostics: errors.map(formatDiagnostic),
        });
      }
      await record(user.email, 'tool.registered', { name, ...result.definition });
      return { name, ...result.definition };
    },
  );

  app.delete('/v1/tools/:name', { schema: { params: nameParam } }, async (request, reply) => {
    const user = await requireUser(request, reply, admin, ['admin']);
    if (!user) return reply;
    const { name } = request.params as { name: string };
    if (!(await catalog.unregister(name)))
      return reply
        .code(404)
        .send({ error: 'not_found', message: `no tool '${name}' was registered through the API` });
    await record(user.email, 'tool.removed', { name });
    return reply.code(204).send();
  });
}
