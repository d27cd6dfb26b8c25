import { createHash, randomUUID } from 'node:crypto';
import { DEFAULT_JSON_LIMITS, type JsonInputError, type JsonLimits } from '@gatehouse/core';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type RequestMeta,
} from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Caller, type DecisionService, GATEWAY_SESSION_PREFIX } from '../decisions/decision-service.js';
import { useStrictJson } from '../http/strict-json.js';
import {
  DECISION_META_KEY,
  type GatewayCallMeta,
  type McpGateway,
  mayCall,
  PROMPT_GET_TOOL,
  RESOURCE_READ_TOOL,
} from './gateway.js';

/** Sessions one agent may hold open on one node; the least recently used goes first. */
const MAX_SESSIONS_PER_AGENT = 64;
const MAX_SESSIONS = 10_000;
/** A session unused this long is closed; its client starts a new one on the 404. */
const SESSION_IDLE_MS = 30 * 60_000;
/** MCP tool names: letters, digits, `_`, `-`, `.` (so a name can never reach `resources/read`). */
const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** A body refused before parsing: malformed, over the request limits, or with duplicate keys. */
class RejectedBody {
  constructor(readonly error: JsonInputError) {}
}

interface McpSession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: Server;
  readonly agentId: string;
  readonly upstream: string;
  /** The caller of the request being handled: tokens refresh, so it is replaced per request. */
  caller: Caller;
  /** That request's Authorization header, to authenticate again after a hold. */
  authorization: string | undefined;
  lastUsed: number;
}

/**
 * The MCP front door: `/mcp/<upstream>` speaks Streamable HTTP to agents, who
 * authenticate with Gatehouse access tokens. As an OAuth protected resource it
 * serves RFC 9728 metadata and answers 401/403 with the challenges of the MCP
 * authorization spec. The agent's token never goes upstream.
 */
export async function mcpRoutes(
  app: FastifyInstance,
  opts: {
    gateway: McpGateway;
    decisions: DecisionService;
    baseUrl: string;
    /** Audiences every door accepts (the issuer and configured ones). */
    audiences: readonly string[];
    /** Bounds on a request body, checked before parsing. */
    limits?: JsonLimits;
  },
): Promise<void> {
  const limits = opts.limits ?? DEFAULT_JSON_LIMITS;
  const { gateway, decisions, baseUrl } = opts;
  const sessions = new Map<string, McpSession>();
  const resourceOf = (upstream: string) => `${baseUrl}/mcp/${upstream}`;
  const metadataUrlOf = (upstream: string) =>
    `${baseUrl}/.well-known/oauth-protected-resource/mcp/${upstream}`;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of sessions) if (now - s.lastUsed > SESSION_IDLE_MS) void close(id);
  }, 60_000);
  sweep.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    await Promise.all([...sessions.keys()].map(close));
  });

  async function close(id: string): Promise<void> {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.server.close().catch(() => undefined);
  }

  // The MCP routes parse their own JSON, so a refused body gets a JSON-RPC error. Strictly:
  // a duplicate key would let the upstream run on a value the policy never judged.
  useStrictJson(app, limits, (error) => new RejectedBody(error));

  app.get<{ Params: { upstream: string } }>(
    '/.well-known/oauth-protected-resource/mcp/:upstream',
    async (request, reply) => {
      const { upstream } = request.params;
      if (!gateway.upstream(upstream))
        return reply.code(404).send({ error: 'not_found', message: `no upstream named '${upstream}'` });
      return {
        resource: resourceOf(upstream),
        authorization_servers: [baseUrl],
        bearer_methods_supported: ['header'],
        scopes_supported: [`${upstream}.*`],
        resource_name: `Gatehouse MCP gateway: ${upstream}`,
      };
    },
  );

  const handle = async (request: FastifyRequest<{ Params: { upstream: string } }>, reply: FastifyReply) => {
    const { upstream } = request.params;
    // Authenticate first: which upstreams exist is not told to callers without a token.
    // A Gatehouse token for this resource (or the issuer, or a configured audience) is accepted.
    const authenticated = await decisions.authenticate(request.headers.authorization, [
      resourceOf(upstream),
      ...opts.audiences,
    ]);
    if ('error' in authenticated) {
      const challenge =
        authenticated.error === 'invalid_request' && request.headers.authorization === undefined
          ? `Bearer resource_metadata="${metadataUrlOf(upstream)}"`
          : `Bearer error="invalid_token", error_description="${quoted(authenticated.description)}", resource_metadata="${metadataUrlOf(upstream)}"`;
      return reply
        .code(401)
        .header('www-authenticate', challenge)
        .send(rpcError(-32001, `unauthorized: ${authenticated.description}`));
    }
    const caller = authenticated;
    if (!gateway.upstream(upstream))
      return reply.code(404).send(rpcError(-32601, `no upstream named '${upstream}'`));
    if (!reaches(caller.agent.grants, upstream) || !reaches(caller.token.scopes, upstream)) {
      return reply
        .code(403)
        .header(
          'www-authenticate',
          `Bearer error="insufficient_scope", scope="${upstream}.*", resource_metadata="${metadataUrlOf(upstream)}", error_description="neither the agent's grants nor its token's scopes cover a tool of ${upstream}"`,
        )
        .send(rpcError(-32003, `forbidden: the agent may call no tool of '${upstream}'`));
    }

    if (request.method === 'GET')
      // No server-initiated stream: the gateway sends no notifications of its own.
      return reply.code(405).header('allow', 'POST, DELETE').send(rpcError(-32000, 'method not allowed'));

    const body = request.body;
    if (body instanceof RejectedBody)
      return reply
        .code(body.error.status)
        .send(
          body.error.problem === 'malformed'
            ? rpcError(-32700, 'parse error: the body is not JSON')
            : rpcError(-32600, `invalid request: ${body.error.message}`),
        );
    if (Array.isArray(body))
      return reply.code(400).send(rpcError(-32600, 'invalid request: JSON-RPC batches are not accepted'));

    const sessionId = request.headers['mcp-session-id'];
    let session: McpSession | undefined;
    if (typeof sessionId === 'string') {
      session = sessions.get(sessionId);
      // Another agent's session is as unknown as a closed one: its existence is not revealed.
      if (!session || session.agentId !== caller.agent.id || session.upstream !== upstream)
        return reply.code(404).send(rpcError(-32001, 'session not found; initialize a new one'));
    } else if (request.method === 'POST' && isInitialize(body)) {
      session = await open(upstream, caller);
    } else {
      return reply
        .code(400)
        .send(rpcError(-32600, 'invalid request: send initialize first, then the Mcp-Session-Id it returns'));
    }
    session.caller = caller;
    session.authorization = request.headers.authorization;
    session.lastUsed = Date.now();

    const headers = new Headers();
    for (const name of [
      'accept',
      'content-type',
      'mcp-session-id',
      'mcp-protocol-version',
      'last-event-id',
    ]) {
      const value = request.headers[name];
      if (typeof value === 'string') headers.set(name, value);
    }
    const webRequest = new Request(`${baseUrl}${request.url}`, { method: request.method, headers });
    const response = await session.transport.handleRequest(webRequest, {
      parsedBody: body,
      // The token itself stays here: handlers get the caller, never the bearer string.
      authInfo: { token: '', clientId: caller.agent.id, scopes: [...caller.token.scopes] },
    });
    reply.code(response.status);
    response.headers.forEach((value, name) => {
      reply.header(name, value);
    });
    const text = response.body ? await response.text() : undefined;
    if (request.method === 'DELETE' && typeof sessionId === 'string') await close(sessionId);
    // An initialize that failed leaves a session nobody can name: close it now.
    if (typeof sessionId !== 'string' && session.transport.sessionId === undefined)
      await session.server.close().catch(() => undefined);
    return reply.send(text);
  };

  async function open(upstream: string, caller: Caller): Promise<McpSession> {
    evict(caller.agent.id);
    const server = new Server(
      { name: `gatehouse-${upstream}`, version: '0.1.0' },
      { capabilities: { tools: {}, resources: {}, prompts: {} } },
    );
    const session: McpSession = {
      transport: new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          sessions.set(id, session);
        },
      }),
      server,
      agentId: caller.agent.id,
      upstream,
      caller,
      authorization: undefined,
      lastUsed: Date.now(),
    };
    registerHandlers(server, session);
    await server.connect(session.transport);
    return session;
  }

  function evict(agentId: string): void {
    const own = [...sessions].filter(([, s]) => s.agentId === agentId);
    if (own.length >= MAX_SESSIONS_PER_AGENT || sessions.size >= MAX_SESSIONS) {
      const pool = own.length >= MAX_SESSIONS_PER_AGENT ? own : [...sessions];
      const oldest = pool.reduce((a, b) => (a[1].lastUsed <= b[1].lastUsed ? a : b));
      void close(oldest[0]);
    }
  }

  function registerHandlers(server: Server, session: McpSession): void {
    const { upstream } = session;
    const target = gateway.upstream(upstream)!;
    const may = (tool: string) => mayCall(session.caller, `${upstream}.${tool}`);
    // The agent learns that the upstream failed; the cause (paths, hosts) is in the log.
    const upstreamError = (err: unknown) => {
      app.log.warn(
        { upstream, err: err instanceof Error ? err.message : String(err) },
        'upstream request failed',
      );
      return new McpError(ErrorCode.InternalError, `upstream '${upstream}' is unavailable; try again later`);
    };
    const listing = async <T>(method: string, list: () => Promise<T>): Promise<T> => {
      const refused = await gateway.admitListing(session.caller, upstream, method);
      if (refused) throw new McpError(ErrorCode.InvalidRequest, `Gatehouse refused ${method}: ${refused}`);
      try {
        return await list();
      } catch (err) {
        throw upstreamError(err);
      }
    };
    // A call held for a person runs only if the same token still authenticates the same agent.
    const recheck = async (): Promise<Caller | undefined> => {
      const again = await decisions.authenticate(session.authorization, [
        resourceOf(upstream),
        ...opts.audiences,
      ]);
      return 'error' in again || again.agent.id !== session.agentId ? undefined : again;
    };
    const call = (
      name: string,
      args: Record<string, unknown>,
      meta: RequestMeta | undefined,
      signal: AbortSignal,
    ) =>
      gateway.callTool(
        session.caller,
        upstream,
        name,
        args,
        gatehouseSessionOf(session.caller),
        metaOf(meta),
        signal,
        recheck,
      );

    server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) =>
      listing('tools/list', async () => ({
        tools: await gateway.listTools(session.caller, upstream, extra.signal),
      })),
    );
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const { name, arguments: args = {} } = request.params;
      if (!MCP_TOOL_NAME.test(name))
        return {
          isError: true,
          content: [
            { type: 'text', text: `Gatehouse denied this call: '${name.slice(0, 130)}' is not a tool name` },
          ],
          _meta: { [DECISION_META_KEY]: { code: 'invalid-tool-name' } },
        };
      return call(name, args, request.params._meta, extra.signal);
    });
    // Resources and prompts pass through; reading one runs the path as a pseudo-tool, so it is
    // granted, decided, audited and its content labels the session like any tool output.
    server.setRequestHandler(ListResourcesRequestSchema, async (request, extra) => {
      if (!may(RESOURCE_READ_TOOL)) return { resources: [] };
      return listing('resources/list', () => target.listResources(request.params, extra.signal));
    });
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async (request, extra) => {
      if (!may(RESOURCE_READ_TOOL)) return { resourceTemplates: [] };
      return listing('resources/templates/list', () =>
        target.listResourceTemplates(request.params, extra.signal),
      );
    });
    server.setRequestHandler(ListPromptsRequestSchema, async (request, extra) => {
      if (!may(PROMPT_GET_TOOL)) return { prompts: [] };
      return listing('prompts/list', () => target.listPrompts(request.params, extra.signal));
    });
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const result = await call(
        RESOURCE_READ_TOOL,
        { uri: request.params.uri },
        request.params._meta,
        extra.signal,
      );
      if (result.isError) throw new McpError(ErrorCode.InvalidRequest, textOf(result));
      return result as never;
    });
    server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
      const result = await call(
        PROMPT_GET_TOOL,
        { name: request.params.name, arguments: request.params.arguments ?? {} },
        request.params._meta,
        extra.signal,
      );
      if (result.isError) throw new McpError(ErrorCode.InvalidRequest, textOf(result));
      return result as never;
    });
  }

  // Every call is in the audit log; a request log line each would only repeat it, at a cost
  // per call. Warnings and errors are still logged.
  const quiet = { logLevel: 'warn' as const };
  app.post('/mcp/:upstream', quiet, handle);
  app.get('/mcp/:upstream', quiet, handle);
  app.delete('/mcp/:upstream', quiet, handle);
}

/** Whether any of the patterns could cover a tool of the upstream. */
function reaches(patterns: readonly string[], upstream: string): boolean {
  const prefix = `${upstream}.`;
  return patterns.some((pattern) => {
    const literal = pattern.split(/[*?]/, 1)[0]!;
    return literal.length < pattern.length
      ? prefix.startsWith(literal) || literal.startsWith(prefix)
      : pattern.startsWith(prefix);
  });
}

function isInitialize(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';
}

/**
 * The Gatehouse session a call belongs to. An agent's calls through every
 * upstream share one session per user, so that what it read from one server
 * is provenance for what it sends to another. The agent cannot pick another
 * (a fresh session would have no labels and no provenance), and other doors
 * cannot name this one: `ses_gw_` ids are refused there.
 */
export function gatehouseSessionOf(caller: Caller): string {
  const digest = createHash('sha256')
    .update(`${caller.agent.id}\0${caller.token.userSubject ?? ''}`)
    .digest('hex');
  return `${GATEWAY_SESSION_PREFIX}${digest.slice(0, 32)}`;
}

function metaOf(meta: RequestMeta | undefined): GatewayCallMeta {
  const text = (key: string) => {
    const value = meta?.[key];
    return typeof value === 'string' && value.length <= 4096 ? value : undefined;
  };
  const reasoning = text('gatehouse/reasoning');
  const intent = text('gatehouse/intent');
  const traceId = text('gatehouse/trace_id');
  return {
    ...(reasoning !== undefined && { reasoning }),
    ...(intent !== undefined && { intent }),
    ...(traceId !== undefined && { traceId }),
  };
}

function textOf(result: { content?: unknown }): string {
  const content = Array.isArray(result.content) ? result.content : [];
  return content
    .map((c: { type?: string; text?: string }) => (c.type === 'text' ? c.text : ''))
    .join('\n')
    .slice(0, 2000);
}

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

/** A value inside a quoted-string of an HTTP header: no quotes, backslashes or control characters. */
function quoted(text: string): string {
  let out = '';
  for (const c of text.slice(0, 200)) {
    const code = c.charCodeAt(0);
    out += c === '"' || c === '\\' || code < 0x20 || code === 0x7f ? ' ' : c;
  }
  return out;
}
