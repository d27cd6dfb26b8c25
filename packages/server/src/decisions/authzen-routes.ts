import { DEFAULT_JSON_LIMITS, type JsonLimits } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { challengeText } from '../http/challenge.js';
import type { Caller, DecisionService, Evaluation, EvaluationResult } from './decision-service.js';

/** Most evaluations in one batch. */
const MAX_EVALUATIONS = 100;

const entity = { type: 'object', properties: { type: { type: 'string' }, id: { type: 'string' } } };
/** The body of one AuthZEN evaluation request (also the bench's echo server's, so both validate the same). */
export const evaluationSchema = {
  type: 'object',
  properties: {
    subject: entity,
    action: { type: 'object', properties: { name: { type: 'string' } } },
    resource: {
      type: 'object',
      properties: { type: { type: 'string' }, id: { type: 'string' }, properties: { type: 'object' } },
    },
    context: { type: 'object' },
  },
} as const;

/**
 * The AuthZEN Authorization API 1.0 (access evaluation and batches) and the
 * outcome report, as a Fastify plugin. Subject: the agent of the bearer
 * token; action `tools/call`; resource `{ type: "tool", id }`.
 */
export async function authzenRoutes(
  app: FastifyInstance,
  opts: { service: DecisionService; baseUrl: string; limits?: JsonLimits },
): Promise<void> {
  const { service, baseUrl } = opts;
  // Tool arguments can be documents, not archives: the request limits bound the body.
  const DECISION_BODY_LIMIT = (opts.limits ?? DEFAULT_JSON_LIMITS).maxLength;

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(
    (error: { statusCode?: number; message: string; validation?: unknown }, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status === 413)
        return reply.code(413).send({ error: 'invalid_request', message: 'request body too large' });
      if (status >= 400 && status < 500)
        return reply.code(status).send({ error: 'invalid_request', message: error.message });
      reply.log.error({ err: error }, 'decision endpoint failed');
      return reply
        .code(500)
        .send({ error: 'server_error', message: 'the decision failed; the call must not proceed' });
    },
  );

  app.get('/.well-known/authzen-configuration', async () => ({
    policy_decision_point: baseUrl,
    access_evaluation_endpoint: `${baseUrl}/access/v1/evaluation`,
    access_evaluations_endpoint: `${baseUrl}/access/v1/evaluations`,
  }));

  const authenticated = async (request: FastifyRequest, reply: FastifyReply): Promise<Caller | undefined> => {
    const caller = await service.authenticate(request.headers.authorization);
    if ('agent' in caller) return caller;
    // RFC 6750 §3: the challenge says what is wrong, never echoes the token.
    reply
      .code(401)
      .header(
        'www-authenticate',
        `Bearer realm="gatehouse", error="${caller.error}", error_description="${challengeText(caller.description)}"`,
      )
      .send({ error: caller.error, message: caller.description });
    return undefined;
  };

  app.post(
    '/access/v1/evaluation',
    { bodyLimit: DECISION_BODY_LIMIT, schema: { body: evaluationSchema } },
    async (request, reply) => {
      const caller = await authenticated(request, reply);
      if (!caller) return reply;
      return service.evaluate(caller, request.body as Evaluation, traceOf(request));
    },
  );

  app.post(
    '/access/v1/evaluations',
    {
      bodyLimit: DECISION_BODY_LIMIT,
      schema: {
        body: {
          type: 'object',
          required: ['evaluations'],
          properties: {
            ...evaluationSchema.properties,
            evaluations: { type: 'array', items: evaluationSchema, maxItems: MAX_EVALUATIONS },
            options: {
              type: 'object',
              properties: {
                evaluations_semantic: {
                  enum: ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'],
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const caller = await authenticated(request, reply);
      if (!caller) return reply;
      const body = request.body as Evaluation & {
        evaluations: Evaluation[];
        options?: { evaluations_semantic?: string };
      };
      const semantic = body.options?.evaluations_semantic ?? 'execute_all';
      const results: EvaluationResult[] = [];
      // Evaluations run in order: each may depend on the session state the previous one left.
      for (const item of body.evaluations) {
        const merged: Evaluation = {
          ...((item.subject ?? body.subject) ? { subject: item.subject ?? body.subject } : {}),
          ...((item.action ?? body.action) ? { action: item.action ?? body.action } : {}),
          ...((item.resource ?? body.resource) ? { resource: item.resource ?? body.resource } : {}),
          ...((item.context ?? body.context) ? { context: { ...body.context, ...item.context } } : {}),
        };
        const result = await service.evaluate(caller, merged, traceOf(request));
        results.push(result);
        if (semantic === 'deny_on_first_deny' && !result.decision) break;
        if (semantic === 'permit_on_first_permit' && result.decision) break;
      }
      return { evaluations: results };
    },
  );

  app.post(
    '/v1/decisions/:id/outcome',
    {
      bodyLimit: DECISION_BODY_LIMIT,
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', pattern: '^dec_[A-Za-z0-9]{1,64}$' } },
        },
        body: {
          type: 'object',
          required: ['output'],
          properties: { output: {}, status: { enum: ['succeeded', 'failed'] } },
        },
      },
    },
    async (request, reply) => {
      const caller = await authenticated(request, reply);
      if (!caller) return reply;
      const { id } = request.params as { id: string };
      const report = request.body as { output: unknown; status?: 'succeeded' | 'failed' };
      const { status, body } = await service.outcome(
        caller,
        id,
        report.output,
        report.status === 'failed',
        traceOf(request),
      );
      return reply.code(status).send(body);
    },
  );
}

/**
 * The trace an evaluation belongs to, for the audit: the W3C `traceparent`
 * trace id when the PEP sends one, else the request id (X-Request-ID).
 */
function traceOf(request: { headers: Record<string, unknown>; id: string }): string {
  const parent = request.headers.traceparent;
  const match =
    typeof parent === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(parent) : null;
  return match?.[1] ?? String(request.id).slice(0, 128);
}
