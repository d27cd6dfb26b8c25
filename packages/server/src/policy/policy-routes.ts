import { type DecisionRequestInput, explain, runPolicyTests } from '@gatehouse/core';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../http/user-auth.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { Store } from '../store/index.js';
import type { PolicyRuntime } from './runtime.js';

const LABELS = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 64 } } as const;

/**
 * `/v1/policy`: the active policy (rules, test results), its history (every
 * activated version and its files), and an explain playground — the decision
 * for a hypothetical call, with every rule's verdict. Read-only: the policy
 * changes through its files, which `gatehouse serve` watches.
 */
export async function policyRoutes(
  app: FastifyInstance,
  opts: { runtime: PolicyRuntime; store: Store; admin: AgentAdmin },
): Promise<void> {
  const { runtime, store, admin } = opts;

  app.get('/v1/policy', async (request, reply) => {
    if (!(await requireUser(request, reply, admin, []))) return reply;
    const policy = runtime.policy;
    const tests = runPolicyTests(policy);
    return {
      hash: policy.hash,
      loaded_at: runtime.loadedAt.toISOString(),
      rules: policy.rules.map((r) => ({
        id: r.id,
        effect: r.effect,
        ...(r.description !== undefined && { description: r.description }),
        location: r.location,
      })),
      agents: [...policy.agents.values()].map((a) => a.name),
      tools: [...policy.tools.keys()].sort(),
      tests: tests.map((t) => ({
        name: t.name,
        passed: t.passed,
        expected: t.expected,
        actual: t.actual,
        ...(t.failure !== undefined && { failure: t.failure }),
      })),
      warnings: policy.warnings.length,
    };
  });

  app.get(
    '/v1/policy/versions',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 200 } },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, []))) return reply;
      const versions = await store.listPolicyVersions({
        limit: (request.query as { limit?: number }).limit ?? 50,
      });
      return {
        versions: versions.map((v) => ({
          id: v.id,
          hash: v.hash,
          activated_at: v.loadedAt.toISOString(),
          // The server activates a version when its files change; the files say who wrote them.
          activated_by: 'gatehouse serve (policy files changed)',
          files: v.sources.map((s) => s.name),
          active: v.hash === runtime.policy.hash,
        })),
      };
    },
  );

  app.get(
    '/v1/policy/versions/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } } } },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, []))) return reply;
      const id = (request.params as { id: number }).id;
      const version = (await store.listPolicyVersions({ limit: 1000 })).find((v) => v.id === id);
      if (!version) return reply.code(404).send({ error: 'not_found', message: `no policy version ${id}` });
      return {
        id: version.id,
        hash: version.hash,
        activated_at: version.loadedAt.toISOString(),
        sources: version.sources,
      };
    },
  );

  app.post(
    '/v1/policy/explain',
    {
      bodyLimit: 256 * 1024,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['agent', 'tool'],
          properties: {
            agent: { type: 'string', minLength: 1, maxLength: 200 },
            tool: { type: 'string', minLength: 1, maxLength: 200 },
            args: { type: 'object' },
            resource: { type: 'object' },
            context: { type: 'object' },
            session_labels: LABELS,
            provenance: { type: 'object', additionalProperties: LABELS },
          },
        },
      },
    },
    async (request, reply) => {
      if (!(await requireUser(request, reply, admin, []))) return reply;
      const body = request.body as {
        agent: string;
        tool: string;
        args?: Record<string, unknown>;
        resource?: Record<string, unknown>;
        context?: Record<string, unknown>;
        session_labels?: string[];
        provenance?: Record<string, string[]>;
      };
      const policy = runtime.policy;
      // A policy-declared agent by name; else one registered through the CLI or API, as the registry has it.
      const declared = [...policy.agents.values()].some((a) => a.name === body.agent);
      const registered = declared ? undefined : await store.findAgent(body.agent);
      const input: DecisionRequestInput = {
        agent: registered
          ? {
              id: registered.id,
              name: registered.name,
              owner: registered.owner,
              status: registered.status,
              grants: registered.grants,
              classification: registered.classification,
              labels: registered.labels,
            }
          : body.agent,
        tool: body.tool,
        ...(body.args && { args: body.args }),
        ...(body.resource && { resource: body.resource }),
        ...(body.context && { context: body.context }),
        ...(body.session_labels && { session: { labels: body.session_labels } }),
        ...(body.provenance && { provenance: body.provenance }),
      };
      return explain(policy, input);
    },
  );
}
