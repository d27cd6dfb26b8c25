import { DEFAULT_JSON_LIMITS, type JsonLimits } from '@gatehouse/core';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { approvalHistoryRoutes } from '../approvals/approval-history-routes.js';
import { approvalRoutes } from '../approvals/approval-routes.js';
import type { ApprovalService } from '../approvals/approval-service.js';
import { auditExportRoutes } from '../audit/audit-export-routes.js';
import type { AuditSink } from '../audit/audit-log.js';
import { auditRoutes } from '../audit/audit-routes.js';
import { overviewRoutes } from '../audit/overview-routes.js';
import { catalogRoutes } from '../catalog/catalog-routes.js';
import type { ToolCatalog } from '../catalog/tool-catalog.js';
import { toolPinRoutes } from '../catalog/tool-pin-routes.js';
import type { ConsoleConfig } from '../config/load.js';
import { consoleAssetRoutes } from '../console/console-assets.js';
import { type ConsoleSessions, installConsoleSessions } from '../console/console-sessions.js';
import type { LiveFeed } from '../console/live-feed.js';
import { liveRoutes } from '../console/live-routes.js';
import type { RelyingParty } from '../console/passkey-routes.js';
import { authzenRoutes } from '../decisions/authzen-routes.js';
import type { DecisionService } from '../decisions/decision-service.js';
import type { McpGateway } from '../gateway/gateway.js';
import { mcpRoutes } from '../gateway/mcp-routes.js';
import { AgentAdmin } from '../identity/agent-admin.js';
import { agentRoutes } from '../identity/agent-routes.js';
import type { AuthorizationServer } from '../oauth/authorization-server.js';
import { oauthRoutes } from '../oauth/routes.js';
import { draftRoutes } from '../policy/draft-routes.js';
import { policyRoutes } from '../policy/policy-routes.js';
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
  /** People's sign-in to the web console (cookie sessions, passkeys); without it only tokens work. */
  readonly console?: {
    readonly sessions: ConsoleSessions;
    readonly rp: RelyingParty;
    readonly feed?: LiveFeed;
    /** The origin people open the console at (WebAuthn's relying party, the SSO redirect). */
    readonly url: string;
    /** Single sign-on, when `console.oidc` is configured. */
    readonly oidc?: ConsoleConfig['oidc'];
  };
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
  // Before every route: a console session cookie speaks for its person on any `/v1` route.
  if (deps.console) await installConsoleSessions(app, deps.console.sessions, deps.auditLog);

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
  await app.register(auditExportRoutes, { store: deps.store, admin: deps.admin });
  await app.register(overviewRoutes, { store: deps.store, admin: deps.admin });
  await app.register(approvalHistoryRoutes, {
    approvals: deps.approvals,
    admin: deps.admin,
    store: deps.store,
  });
  await app.register(agentRoutes, {
    store: deps.store,
    admin: deps.admin,
    ...(deps.auditLog && { audit: deps.auditLog }),
  });
  await app.register(toolPinRoutes, {
    store: deps.store,
    admin: deps.admin,
    ...(deps.auditLog && { audit: deps.auditLog }),
  });
  await app.register(policyRoutes, { runtime: deps.runtime, store: deps.store, admin: deps.admin });
  await app.register(draftRoutes, {
    runtime: deps.runtime,
    admin: deps.admin,
    ...(deps.auditLog && { audit: deps.auditLog }),
  });
  await app.register(consoleAssetRoutes, deps.console ? { origin: deps.console.url } : {});
  if (deps.console?.feed) await app.register(liveRoutes, { feed: deps.console.feed, admin: deps.admin });
  // Sign-in's libraries (WebAuthn, OpenID Connect) load only in a server that serves the console,
  // not in every CLI command that imports this module.
  if (deps.console) {
    const { passkeyRoutes } = await import('../console/passkey-routes.js');
    await app.register(passkeyRoutes, {
      sessions: deps.console.sessions,
      rp: deps.console.rp,
      sso: deps.console.oidc !== undefined,
      ...(deps.auditLog && { audit: deps.auditLog }),
    });
  }
  if (deps.console?.oidc) {
    const { oidcRoutes } = await import('../console/oidc-routes.js');
    await app.register(oidcRoutes, {
      sessions: deps.console.sessions,
      config: deps.console.oidc,
      baseUrl: deps.console.url,
      store: deps.store,
      // People enrolled by a mapped group are recorded as created by single sign-on.
      admin: new AgentAdmin(
        deps.store,
        deps.auditLog && { sink: deps.auditLog, door: 'console', actor: `sso:${deps.console.oidc.issuer}` },
      ),
      ...(deps.auditLog && { audit: deps.auditLog }),
    });
  }
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
