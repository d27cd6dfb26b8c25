import { DEFAULT_JSON_LIMITS, type JsonLimits } from '@gatehouse/core';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { approvalRoutes } from '../approvals/approval-routes.js';
import type { ApprovalService } from '../approvals/approval-service.js';
import type { AuditSink } from '../audit/audit-log.js';
import { auditRoutes } from '../audit/audit-routes.js';
import { catalogRoutes } from '../catalog/catalog-routes.js';
import type { ToolCatalog } from '../catalog/tool-catalog.js';
import { authzenRoutes } from '../decisions/authzen-routes.js';
import type { DecisionService } from '../decisions/decision-service.js';
import type { McpGateway } from '../gateway/gateway.js';
import { mcpRoutes } from '../gateway/mcp-routes.js';
import type { AgentAdmin } from '../identity/agent-admin.js';
import type { AuthorizationServer } from '../oauth/authorization-server.js';
import { oauthRoutes } from '../oauth/routes.js';
import type { PolicyRuntime } from '../policy/runtime.js';
import type { Store } from '../store/index.js';
import { type LogSettings, loggerOptions } from './logger.js';
import { useStrictJson } from './strict-json.js';

/** What the HTTP app serves. */
export interface HttpAppDeps {
  readonly runtime: PolicyRuntime;
  readonly store: Store;
  readonly authorizationServer: AuthorizationServer;
  readonly decisions: DecisionService;
  readonly catalog: ToolCatalog;
  readonly admin: AgentAdmin;
  readonly approvals: ApprovalService;
  /** Admin changes made through the API are recorded here. */
  readonly auditLog?: AuditSink;
  /** The public base URL, for discovery documents. */
  readonly baseUrl: string;
  /** The MCP gateway, served at `/mcp/<upstream>`. */
  readonly gateway?: McpGateway;
  /** Audiences every door accepts besides a resource of its own. */
  readonly audiences?: readonly string[];
  /** Bounds on every JSON request body (size, depth, entries, strings), checked before parsing. */
  readonly requestLimits?: JsonLimits;
  /** Reasons the process is not ready beyond the store (e.g. a stalled registry cache). */
  readonly readinessProblems?: () => string[] | Promise<string[]>;
  /** Log as JSON lines (pino): to stdout at info, or as the settings say. */
  readonly logger?: boolean | LogSettings;
}

/**
 * Requests logged at debug rather than Fastify's info: one log line per request cost 6% of the
 * decision API's CPU. A request that failed is still logged at error.
 */
class DebugRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: { method: request.method, url: request.url } }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const record = {
      req: { method: request.method, url: request.url },
      res: { statusCode: reply.statusCode },
      responseTime: reply.elapsedTime,
    };
    if (error) reply.log.error({ ...record, err: error }, 'request errored');
    else reply.log.debug(record, 'request completed');
  }
}

/**
 * The Fastify app: health endpoints, the OAuth authorization server and the
 * AuthZEN decision API, each a plugin in its own encapsulated scope. The MCP
 * gateway (`/mcp/<upstream>`) too.
 */
export async function createHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const limits = deps.requestLimits ?? DEFAULT_JSON_LIMITS;
  const app = Fastify({
    logger: deps.logger ? loggerOptions(deps.logger === true ? {} : deps.logger) : false,
    bodyLimit: limits.maxLength,
    // Behind no proxy by default; request ids echo X-Request-ID when given.
    requestIdHeader: 'x-request-id',
    logController: new DebugRequestLog(),
  });

  // Every JSON body, at every door: bounded before parsing, duplicate keys refused.
  useStrictJson(app, limits);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const problems: string[] = [];
    try {
      await deps.store.ping();
    } catch {
      problems.push('store is not answering');
    }
    problems.push(...((await deps.readinessProblems?.()) ?? []));
    const policy = deps.runtime.policy;
    const body = {
      status: problems.length === 0 ? 'ready' : 'not-ready',
      ...(problems.length > 0 && { problems }),
      policy: {
        hash: policy.hash,
        rules: policy.rules.length,
        tools: policy.tools.size,
        loadedAt: deps.runtime.loadedAt.toISOString(),
      },
      // Shown, not counted against readiness: one dead upstream must not take every other door down.
      ...(deps.gateway && deps.gateway.upstreamNames.length > 0 && { upstreams: deps.gateway.statuses() }),
    };
    return reply.code(problems.length === 0 ? 200 : 503).send(body);
  });

  await app.register(oauthRoutes, { server: deps.authorizationServer });
  await app.register(authzenRoutes, { service: deps.decisions, baseUrl: deps.baseUrl, limits });
  await app.register(catalogRoutes, {
    catalog: deps.catalog,
    runtime: deps.runtime,
    admin: deps.admin,
    ...(deps.auditLog && { audit: deps.auditLog }),
  });
  await app.register(approvalRoutes, {
    approvals: deps.approvals,
    admin: deps.admin,
    decisions: deps.decisions,
  });
  await app.register(auditRoutes, {
    store: deps.store,
    admin: deps.admin,
    ...(deps.auditLog && { audit: deps.auditLog }),
  });
  if (deps.gateway)
    await app.register(mcpRoutes, {
      gateway: deps.gateway,
      decisions: deps.decisions,
      baseUrl: deps.baseUrl,
      audiences: deps.audiences ?? [deps.baseUrl],
      limits,
    });
  return app;
}
