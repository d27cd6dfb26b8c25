import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { DEFAULT_JSON_LIMITS, type JsonLimits } from '@gatehouse/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller, DecisionService } from '../decisions/decision-service.js';
import { challengeText } from '../http/challenge.js';
import { errorText, type Frame, FrameError, parseFrame, RPC } from './frames.js';
import type { McpGateway } from './gateway.js';
import { FrameRelay, type RelayCall } from './relay.js';
import { RelaySession, ReplyStream } from './relay-session.js';

/** Sessions one agent may hold open on one node; the least recently used goes first. */
const MAX_SESSIONS_PER_AGENT = 64;
const MAX_SESSIONS = 10_000;
/** A session unused this long is closed; its client starts a new one on the 404. */
const SESSION_IDLE_MS = 30 * 60_000;
/** At shutdown, how long requests in flight may finish before the remaining connections are closed. */
const CLOSE_GRACE_MS = 2000;

/**
 * The MCP front door: `/mcp/<upstream>` speaks Streamable HTTP to agents, who
 * authenticate with Gatehouse access tokens. As an OAuth protected resource it
 * serves RFC 9728 metadata and answers 401/403 with the challenges of the MCP
 * authorization spec. The agent's token never goes upstream. Behind the door,
 * frames are relayed (see `FrameRelay`).
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
  const sessions = new Map<string, RelaySession>();
  /** The connections of MCP clients: a relayed stream can stay open for as long as its client wants. */
  const sockets = new Set<Socket>();
  const relay = new FrameRelay(gateway, app.log);
  gateway.events = relay.router;
  const resourceOf = (upstream: string) => `${baseUrl}/mcp/${upstream}`;
  /** The audiences a token for `/mcp/<upstream>` may name: made once per upstream, not per request. */
  const audiences = new Map<string, readonly string[]>();
  const audiencesOf = (upstream: string): readonly string[] => {
    let list = audiences.get(upstream);
    if (list === undefined) {
      list = [resourceOf(upstream), ...opts.audiences];
      // Only configured upstreams are kept: a made-up name in a URL must not grow the map.
      if (gateway.upstream(upstream)) audiences.set(upstream, list);
    }
    return list;
  };
  const metadataUrlOf = (upstream: string) =>
    `${baseUrl}/.well-known/oauth-protected-resource/mcp/${upstream}`;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of sessions) if (now - s.lastUsed > SESSION_IDLE_MS) close(id);
  }, 60_000);
  sweep.unref();
  // Before the server stops listening: open streams would otherwise keep it from closing.
  app.addHook('preClose', async () => {
    clearInterval(sweep);
    if (gateway.events === relay.router) gateway.events = undefined;
    for (const id of [...sessions.keys()]) close(id);
    // Sockets of MCP clients: streams, and keep-alive sockets that turn idle after the server
    // stopped listening, would hold the close until their timeout.
    for (const socket of sockets) socket.destroy();
    // Clients of relayed streams may hold other connections of theirs open (keep-alive sockets
    // that turn idle only after the server stopped listening): after a grace for requests in
    // flight, what is left is closed, so a shutdown cannot hang on an MCP client.
    setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS).unref();
  });

  function close(id: string): void {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    relay.untrack(session);
  }

  // The body is kept as its text: relayed frames go upstream as the bytes the client sent, and
  // the frame is parsed once, strictly, by the route (a duplicate key would let the upstream run
  // on a value the policy never judged).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: limits.maxLength },
    (_request, body, done) => done(null, body),
  );

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
    const authenticated = await decisions.authenticate(request.headers.authorization, audiencesOf(upstream));
    if ('error' in authenticated) {
      const challenge =
        authenticated.error === 'invalid_request' && request.headers.authorization === undefined
          ? `Bearer resource_metadata="${metadataUrlOf(upstream)}"`
          : `Bearer error="invalid_token", error_description="${challengeText(authenticated.description)}", resource_metadata="${metadataUrlOf(upstream)}"`;
      return reply
        .code(401)
        .header('www-authenticate', challenge)
        .send(rpcError(RPC.unauthorized, `unauthorized: ${authenticated.description}`));
    }
    const caller = authenticated;
    if (!gateway.upstream(upstream))
      return reply.code(404).send(rpcError(RPC.methodNotFound, `no upstream named '${upstream}'`));
    if (!reaches(caller.agent.grants, upstream) || !reaches(caller.token.scopes, upstream)) {
      return reply
        .code(403)
        .header(
          'www-authenticate',
          `Bearer error="insufficient_scope", scope="${upstream}.*", resource_metadata="${metadataUrlOf(upstream)}", error_description="neither the agent's grants nor its token's scopes cover a tool of ${upstream}"`,
        )
        .send(rpcError(RPC.refused, `forbidden: the agent may call no tool of '${upstream}'`));
    }

    let frame: Frame | undefined;
    if (request.method === 'POST') {
      const body = request.body;
      if (typeof body !== 'string')
        return reply.code(415).send(rpcError(RPC.invalidRequest, 'invalid request: send application/json'));
      try {
        frame = parseFrame(body, limits);
      } catch (err) {
        if (!(err instanceof FrameError)) throw err;
        return reply.code(err.status).send(rpcError(err.rpcCode, err.message));
      }
    }

    const sessionId = request.headers['mcp-session-id'];
    let session: RelaySession;
    if (typeof sessionId === 'string') {
      const found = sessions.get(sessionId);
      // Another agent's session is as unknown as a closed one: its existence is not revealed.
      if (!found || found.agentId !== caller.agent.id || found.upstream !== upstream)
        return reply.code(404).send(rpcError(-32001, 'session not found; initialize a new one'));
      session = found;
    } else if (frame?.kind === 'request' && frame.method === 'initialize') {
      evict(caller.agent.id);
      session = new RelaySession(randomUUID(), caller.agent.id, upstream, caller);
    } else if (frame && typeof request.headers['mcp-protocol-version'] === 'string') {
      // A stateless request (revisions that allow them): relayed without a session of either side.
      session = new RelaySession('', caller.agent.id, upstream, caller);
    } else {
      return reply
        .code(400)
        .send(
          rpcError(
            RPC.invalidRequest,
            'invalid request: send initialize first, then the Mcp-Session-Id it returns',
          ),
        );
    }
    session.caller = caller;
    session.authorization = request.headers.authorization;
    session.lastUsed = Date.now();

    // From here the relay writes the answer itself: no Web Request/Response, no serializer.
    reply.hijack();
    const res = reply.raw;
    const gone = new AbortController();
    const socket = res.socket;
    if (socket && !sockets.has(socket)) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const opened = frame?.kind === 'request' && frame.method === 'initialize';
    const answer = new ReplyStream(res, session.id !== '' && !opened ? { 'mcp-session-id': session.id } : {});
    const call: RelayCall = {
      session,
      headers: request.headers,
      reply: answer,
      signal: gone.signal,
      // A call held for a person runs only if the same token still authenticates the same agent.
      recheck: async (): Promise<Caller | undefined> => {
        const again = await decisions.authenticate(session.authorization, audiencesOf(upstream));
        return 'error' in again || again.agent.id !== session.agentId ? undefined : again;
      },
    };
    try {
      if (request.method === 'GET') await relay.stream(call);
      else if (request.method === 'DELETE') {
        await relay.end(call);
        close(session.id);
      } else if (opened) {
        // Registered before the answer is sent: the client's next request names it at once.
        sessions.set(session.id, session);
        relay.track(session);
        res.setHeader('mcp-session-id', session.id);
        await relay.post(frame!, call);
        if (res.statusCode >= 300) close(session.id);
      } else {
        answer.res.once('close', () => session.replies.delete(answer));
        session.replies.add(answer);
        await relay.post(frame!, call);
      }
    } catch (err) {
      app.log.warn({ upstream, err: err instanceof Error ? err.message : String(err) }, 'MCP relay failed');
      if (!res.headersSent)
        answer.final(errorText(null, RPC.internalError, 'the gateway failed to relay this message'), 502);
      else res.end();
    } finally {
      session.replies.delete(answer);
    }
  };

  function evict(agentId: string): void {
    const own = [...sessions].filter(([, s]) => s.agentId === agentId);
    if (own.length >= MAX_SESSIONS_PER_AGENT || sessions.size >= MAX_SESSIONS) {
      const pool = own.length >= MAX_SESSIONS_PER_AGENT ? own : [...sessions];
      const oldest = pool.reduce((a, b) => (a[1].lastUsed <= b[1].lastUsed ? a : b));
      close(oldest[0]);
    }
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
    const literal = pattern.slice(0, literalEnd(pattern));
    return literal.length < pattern.length
      ? prefix.startsWith(literal) || literal.startsWith(prefix)
      : pattern.startsWith(prefix);
  });
}

/** Where a grant pattern's first wildcard is (its length if none): asked on every request. */
function literalEnd(pattern: string): number {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 42 /* * */ || c === 63 /* ? */) return i;
  }
  return pattern.length;
}

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}
