import type { AgentStatus } from '@gatehouse/core';
import { GatehouseError } from '@gatehouse/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditSink } from '../audit/audit-log.js';
import { requireUser } from '../http/user-auth.js';
import type { Store } from '../store/index.js';
import { AgentAdmin } from './agent-admin.js';
import type { AgentRecord, UserRecord } from './identity-store.js';

const ID_PARAM = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' } },
} as const;

/** The status each lifecycle action moves an agent to. */
const LIFECYCLE: Readonly<Record<string, AgentStatus>> = {
  suspend: 'suspended',
  resume: 'active',
  quarantine: 'quarantined',
};

/** An agent as people read it: never a credential. */
export function agentView(agent: AgentRecord) {
  return {
    id: agent.id,
    name: agent.name,
    ...(agent.description !== undefined && { description: agent.description }),
    owner: agent.owner,
    classification: agent.classification,
    labels: agent.labels,
    grants: agent.grants,
    status: agent.status,
    source: agent.source,
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
    ...(agent.lastSeenAt && { last_seen_at: agent.lastSeenAt.toISOString() }),
  };
}

/**
 * `/v1/agents`: the inventory (policy-declared and registered agents in one
 * list) for any signed-in person, and the lifecycle — suspend, resume,
 * quarantine, rotate — for admins. Changes are audited as the person, through
 * the door they used (`console` for a browser session, `admin-api` for a token).
 */
export async function agentRoutes(
  app: FastifyInstance,
  opts: { store: Store; admin: AgentAdmin; audit?: AuditSink },
): Promise<void> {
  const { store, admin } = opts;
  const adminAs = (request: FastifyRequest, user: UserRecord) =>
    new AgentAdmin(
      store,
      opts.audit && {
        sink: opts.audit,
        door: request.consoleUser ? 'console' : 'admin-api',
        actor: user.email,
      },
    );

  app.setErrorHandler((error: { statusCode?: number; status?: number; message: string }, _request, reply) => {
    const status = error instanceof GatehouseError ? error.status : (error.statusCode ?? 500);
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: 'invalid_request', message: error.message });
    reply.log.error({ err: error }, 'agent endpoint failed');
    return reply
      .code(503)
      .send({ error: 'server_error', message: 'the agent registry could not be read or changed' });
  });

  app.get('/v1/agents', async (request, reply) => {
    if (!(await requireUser(request, reply, admin, []))) return reply;
    const agents = await store.listAgents();
    return { agents: agents.sort((a, b) => a.name.localeCompare(b.name)).map(agentView) };
  });

  app.get('/v1/agents/:id', { schema: { params: ID_PARAM } }, async (request, reply) => {
    if (!(await requireUser(request, reply, admin, []))) return reply;
    const agent = await store.findAgent((request.params as { id: string }).id);
    if (!agent) return reply.code(404).send({ error: 'not_found', message: 'no such agent' });
    return agentView(agent);
  });

  for (const [action, status] of Object.entries(LIFECYCLE)) {
    app.post(`/v1/agents/:id/${action}`, { schema: { params: ID_PARAM } }, async (request, reply) => {
      const user = await requireUser(request, reply, admin, ['admin']);
      if (!user) return reply;
      const changed = await adminAs(request, user).setStatus((request.params as { id: string }).id, status);
      return agentView(changed);
    });
  }

  app.post('/v1/agents/:id/rotate', { schema: { params: ID_PARAM } }, async (request, reply) => {
    const user = await requireUser(request, reply, admin, ['admin']);
    if (!user) return reply;
    const rotated = await adminAs(request, user).rotateSecret((request.params as { id: string }).id);
    // The new secret is shown once, to the admin who asked; it is never stored or logged in clear.
    return {
      agent: agentView(rotated.agent),
      client_secret: rotated.clientSecret,
      previous_secret_expires_at: rotated.previousExpireAt.toISOString(),
    };
  });
}
