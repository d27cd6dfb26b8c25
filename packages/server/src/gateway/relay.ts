import type { IncomingHttpHeaders } from 'node:http';
import { GatehouseError } from '@gatehouse/core';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../decisions/decision-service.js';
import { ENFORCED_METHODS, judgedParams, metaOf, outputOf, pathCallOf, repeatable } from './enforced-call.js';
import { errorText, type Frame, RPC, type RpcId, requestText, resultText } from './frames.js';
import {
  type CallRelay,
  gatehouseSessionOf,
  type McpGateway,
  mayCall,
  PROMPT_GET_TOOL,
  RESOURCE_READ_TOOL,
} from './gateway.js';
import { readBody } from './http-relay.js';
import type { RelaySession, ReplyStream } from './relay-session.js';
import { StdioRouter } from './stdio-router.js';
import { textOfResult } from './tool-results.js';
import type { Upstream } from './upstream.js';
import { MAX_UPSTREAM_BODY, parseUpstream, UpstreamStreams, upstreamHeaders } from './upstream-streams.js';

/** The listings that pass only when the agent may use what they list. */
const LISTED_BY: Readonly<Record<string, { tool: string; empty: Record<string, unknown[]> }>> = {
  'resources/list': { tool: RESOURCE_READ_TOOL, empty: { resources: [] } },
  'resources/templates/list': { tool: RESOURCE_READ_TOOL, empty: { resourceTemplates: [] } },
  'prompts/list': { tool: PROMPT_GET_TOOL, empty: { prompts: [] } },
};

/** One POST, GET or DELETE as the relay sees it. */
export interface RelayCall {
  readonly session: RelaySession;
  readonly headers: IncomingHttpHeaders;
  readonly reply: ReplyStream;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** Authenticates the caller again (after a hold). */
  readonly recheck: () => Promise<Caller | undefined>;
}

/**
 * The data plane of `/mcp/<upstream>`: frames pass through to the upstream
 * as they are, except the few the enforcement path runs (`tools/call`,
 * `resources/read`, `prompts/get`, and the upstream's `sampling/createMessage`
 * and `elicitation/create`) and `tools/list`, which the gateway answers from
 * its pins. HTTP upstreams get each agent session's frames over the agent's
 * own upstream session; a stdio upstream is one process shared by every
 * session, its frames numbered and routed by the SDK client.
 */
export class FrameRelay {
  /** Where what a shared stdio upstream sends unasked goes. */
  readonly router: StdioRouter;
  readonly #streams: UpstreamStreams;

  constructor(
    private readonly gateway: McpGateway,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {
    this.router = new StdioRouter(gateway);
    this.#streams = new UpstreamStreams(gateway);
  }

  track(session: RelaySession): void {
    this.router.track(session);
  }

  untrack(session: RelaySession): void {
    this.router.untrack(session);
  }

  /** The upstream behind a session; it exists (the route checked). */
  #target(session: RelaySession): Upstream {
    return this.gateway.upstream(session.upstream)!;
  }

  /** One frame the agent's client POSTed. Answers on `call.reply`; never throws. */
  async post(frame: Frame, call: RelayCall): Promise<void> {
    try {
      await this.#post(frame, call);
    } catch (err) {
      const message = this.#unavailable(call.session, err);
      if (frame.kind === 'request') call.reply.final(errorText(frame.id, RPC.internalError, message));
      else call.reply.final(errorText(null, RPC.internalError, message), 502);
    }
  }

  async #post(frame: Frame, call: RelayCall): Promise<void> {
    const { session } = call;
    const upstream = this.#target(session);
    if (frame.kind === 'response') return this.#answer(frame, call, upstream);
    if (frame.kind === 'notification') {
      // A call sent without an id would still run on an upstream that acts on it: it must be a
      // request, so that the path runs it.
      if (ENFORCED_METHODS.has(frame.method))
        return call.reply.final(
          errorText(
            null,
            RPC.invalidRequest,
            `invalid request: ${frame.method} must be a request with an id`,
          ),
          400,
        );
      if (frame.method === 'notifications/cancelled') {
        const id = frame.params?.requestId;
        if (typeof id === 'string' || typeof id === 'number') session.inFlight.get(id)?.abort();
      }
      if (!upstream.http) {
        // The gateway's own connection was initialized once; the SDK client cancels for itself.
        if (frame.method !== 'notifications/initialized' && frame.method !== 'notifications/cancelled')
          await upstream.notify(frame.method, frame.params as Record<string, unknown> | undefined);
        return call.reply.accepted();
      }
      return this.#forward(frame, call);
    }
    switch (frame.method) {
      case 'initialize':
        return upstream.http ? this.#forward(frame, call, true) : this.#initializeStdio(frame, call);
      case 'tools/list':
        return this.#listTools(frame.id, call);
      case 'tools/call':
      case 'resources/read':
      case 'prompts/get':
        // A task-augmented call answers with a task, and its output comes later from
        // `tasks/result`, which the path would not inspect: such calls are refused.
        if (frame.params?.task !== undefined)
          return call.reply.final(
            errorText(
              frame.id,
              RPC.invalidParams,
              `Gatehouse runs ${frame.method} along its path and cannot inspect a task's later result; call it without 'task'`,
            ),
          );
        return this.#enforce(frame, call);
      case 'tasks/result':
        return call.reply.final(
          errorText(
            frame.id,
            RPC.invalidRequest,
            'Gatehouse relays no task results: tasks are not run through it',
          ),
        );
    }
    const listed = LISTED_BY[frame.method];
    if (listed) {
      if (!mayCall(session.caller, `${session.upstream}.${listed.tool}`))
        return call.reply.final(resultText(frame.id, listed.empty));
      const refused = await this.gateway.admitListing(session.caller, session.upstream, frame.method);
      if (refused)
        return call.reply.final(
          errorText(frame.id, RPC.invalidRequest, `Gatehouse refused ${frame.method}: ${refused}`),
        );
    }
    if (frame.method === 'resources/subscribe' || frame.method === 'resources/unsubscribe') {
      // An update tells what changed in a resource: only for an agent that may read it.
      if (!mayCall(session.caller, `${session.upstream}.${RESOURCE_READ_TOOL}`))
        return call.reply.final(
          errorText(
            frame.id,
            RPC.invalidRequest,
            `Gatehouse refused ${frame.method}: the agent may not read resources`,
          ),
        );
      const uri = frame.params?.uri;
      if (typeof uri === 'string') {
        if (frame.method === 'resources/subscribe') session.subscriptions.add(uri);
        else session.subscriptions.delete(uri);
      }
    }
    if (upstream.http) return this.#forward(frame, call);
    return this.#relayStdio(frame, call, upstream);
  }

  /** The client answers a request the upstream sent it. */
  async #answer(
    frame: Extract<Frame, { kind: 'response' }>,
    call: RelayCall,
    upstream: Upstream,
  ): Promise<void> {
    if (upstream.http) return this.#forward(frame, call);
    const asked = call.session.asked.get(frame.id);
    if (!asked)
      return call.reply.final(
        errorText(
          null,
          RPC.invalidRequest,
          'invalid request: no request of this id is waiting for an answer',
        ),
        400,
      );
    call.session.asked.delete(frame.id);
    if (frame.error) asked.reject(frame.error);
    else asked.resolve(frame.result ?? {});
    call.reply.accepted();
  }

  /** A stdio upstream was initialized by the gateway: the agent's client gets what it said then. */
  async #initializeStdio(frame: Extract<Frame, { kind: 'request' }>, call: RelayCall): Promise<void> {
    // An upstream that cannot start now still gets its session: each call then fails with why.
    const info = await this.#target(call.session)
      .serverInfo()
      .catch(() => ({
        capabilities: { tools: {}, resources: {}, prompts: {} },
        serverInfo: { name: `gatehouse-${call.session.upstream}`, version: '0' },
      }));
    const asked = frame.params?.protocolVersion;
    const protocolVersion =
      typeof asked === 'string' && SUPPORTED_VERSIONS.has(asked) ? asked : LATEST_VERSION;
    call.reply.final(resultText(frame.id, { protocolVersion, ...info }));
  }

  async #listTools(id: RpcId, call: RelayCall): Promise<void> {
    const { session } = call;
    const refused = await this.gateway.admitListing(session.caller, session.upstream, 'tools/list');
    if (refused)
      return call.reply.final(errorText(id, RPC.invalidRequest, `Gatehouse refused tools/list: ${refused}`));
    const tools = await this.gateway.listTools(session.caller, session.upstream, call.signal);
    call.reply.final(resultText(id, { tools }));
  }

  /** `tools/call`, `resources/read`, `prompts/get`: along the enforcement path, the upstream as the executor. */
  async #enforce(frame: Extract<Frame, { kind: 'request' }>, call: RelayCall): Promise<void> {
    const { session } = call;
    const params = frame.params ?? {};
    const asked = pathCallOf(frame, call.headers);
    if ('refusal' in asked) return call.reply.final(asked.refusal);
    const controller = new AbortController();
    const onClientGone = () => controller.abort();
    call.signal.addEventListener('abort', onClientGone, { once: true });
    session.inFlight.set(frame.id, controller);
    session.enforce(frame.id);
    const relay: CallRelay = (judged) => {
      const sent = judgedParams(frame.method, params, judged);
      return this.#target(session).http
        ? this.#callHttp(frame.id, frame.method, sent, call, controller.signal)
        : this.#callStdio(frame.method, sent, call, controller.signal);
    };
    try {
      const result = await this.gateway.callTool(
        session.caller,
        session.upstream,
        asked.tool,
        asked.args,
        gatehouseSessionOf(session.caller),
        metaOf(params._meta),
        controller.signal,
        call.recheck,
        relay,
      );
      // A cancelled request gets no answer (MCP cancellation: the receiver sends none).
      if (controller.signal.aborted && !call.signal.aborted) return call.reply.accepted(200);
      if (frame.method !== 'tools/call' && result.isError)
        return call.reply.final(errorText(frame.id, RPC.invalidRequest, textOfResult(result)));
      call.reply.final(resultText(frame.id, result));
    } finally {
      session.inFlight.delete(frame.id);
      call.signal.removeEventListener('abort', onClientGone);
    }
  }

  /** One path-run request over the agent's own session to an HTTP upstream; its answer is the output. */
  async #callHttp(
    id: RpcId,
    method: string,
    params: Record<string, unknown>,
    call: RelayCall,
    signal: AbortSignal,
  ): Promise<unknown> {
    const upstream = this.#target(call.session);
    const res = await upstream.http!.send(
      'POST',
      upstreamHeaders(call.session, call.headers),
      requestText(id, method, params),
      signal,
    );
    const type = res.headers['content-type'] ?? '';
    if (!type.startsWith('text/event-stream')) {
      const text = await readBody(res, MAX_UPSTREAM_BODY);
      return outputOf(parseUpstream(upstream.scrubText(text)), id, res.statusCode ?? 502);
    }
    // Streamed answers are answered as streams: what the client sees keeps the upstream's shape.
    call.reply.sse();
    let answer: unknown;
    let answered = false;
    await this.#streams.events(res, call, (frame) => {
      if (frame.kind !== 'response' || frame.id !== id) return false;
      answer = outputOf(frame, id, 200);
      answered = true;
      return true;
    });
    if (!answered)
      throw new GatehouseError('GH_UPSTREAM', 'the upstream closed its stream before it answered');
    return answer;
  }

  /** One path-run request to a stdio upstream; its progress goes to the agent's client. */
  #callStdio(
    method: string,
    params: Record<string, unknown>,
    call: RelayCall,
    signal: AbortSignal,
  ): Promise<unknown> {
    const { sent, release } = this.router.withProgress(params, call.reply);
    return this.#target(call.session).relay(method, sent, { signal }).finally(release);
  }

  /** Any other request to a stdio upstream: relayed over the shared connection, answered as it answers. */
  async #relayStdio(
    frame: Extract<Frame, { kind: 'request' }>,
    call: RelayCall,
    upstream: Upstream,
  ): Promise<void> {
    const controller = new AbortController();
    const onClientGone = () => controller.abort();
    call.signal.addEventListener('abort', onClientGone, { once: true });
    call.session.inFlight.set(frame.id, controller);
    try {
      const { sent, release } = this.router.withProgress(
        frame.params as Record<string, unknown> | undefined,
        call.reply,
      );
      const result = await upstream.relay(frame.method, sent, { signal: controller.signal }).finally(release);
      call.reply.final(resultText(frame.id, result));
    } catch (err) {
      if (controller.signal.aborted) return call.reply.accepted(200);
      if (err instanceof McpError)
        return call.reply.final(
          errorText(frame.id, err.code, err.message.replace(/^MCP error -?\d+: /, ''), err.data),
        );
      throw err;
    } finally {
      call.session.inFlight.delete(frame.id);
      call.signal.removeEventListener('abort', onClientGone);
    }
  }

  /**
   * Forwards a frame as its bytes to an HTTP upstream and relays the answer:
   * a JSON body as it is, a stream event by event (see `#events`).
   * `initialize` maps the upstream's session to the agent's.
   */
  async #forward(frame: Frame, call: RelayCall, initialize = false): Promise<void> {
    const upstream = this.#target(call.session);
    const res = await upstream.http!.send(
      'POST',
      upstreamHeaders(call.session, call.headers),
      frame.text,
      call.signal,
      repeatable(frame),
    );
    if (initialize) {
      const given = res.headers['mcp-session-id'];
      if (typeof given === 'string') call.session.upstreamSessionId = given;
    }
    await this.#streams.relayResponse(res, call);
  }

  /** The agent's GET stream: the upstream's (HTTP), or the gateway's own for a shared stdio upstream. */
  async stream(call: RelayCall): Promise<void> {
    const { session } = call;
    const upstream = this.#target(session);
    if (upstream.http) {
      try {
        const res = await upstream.http.send(
          'GET',
          upstreamHeaders(session, call.headers, 'text/event-stream'),
          undefined,
          call.signal,
          // Opening a stream changes nothing upstream.
          true,
        );
        await this.#streams.relayResponse(res, call);
      } catch (err) {
        if (!call.signal.aborted)
          call.reply.final(errorText(null, RPC.internalError, this.#unavailable(session, err)), 502);
      }
      return;
    }
    const res = call.reply.res;
    if (session.stream && !session.stream.writableEnded) session.stream.end();
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'mcp-session-id': session.id,
    });
    res.flushHeaders();
    session.stream = res;
    await new Promise<void>((resolve) => {
      res.once('close', resolve);
      res.once('finish', resolve);
    });
    if (session.stream === res) session.stream = undefined;
  }

  /** DELETE: ends the agent's session here and its upstream session. */
  async end(call: RelayCall): Promise<void> {
    const { session } = call;
    const upstream = this.#target(session);
    if (upstream.http && session.upstreamSessionId !== undefined) {
      try {
        const res = await upstream.http.send(
          'DELETE',
          upstreamHeaders(session, call.headers),
          undefined,
          call.signal,
          // Ending a session twice ends it once.
          true,
        );
        res.resume();
      } catch {
        // The upstream's session ends on its own timeout; this one is gone either way.
      }
    }
    call.reply.final('', 200);
  }

  /** What the agent is told when the upstream failed; the cause (paths, hosts) goes to the log. */
  #unavailable(session: RelaySession, err: unknown): string {
    this.log.warn(
      { upstream: session.upstream, err: err instanceof Error ? err.message : String(err) },
      'upstream request failed',
    );
    return `upstream '${session.upstream}' is unavailable; try again later`;
  }
}

/** Protocol revisions a stdio upstream's agents may ask for (the gateway speaks to the child in its own). */
const SUPPORTED_VERSIONS: ReadonlySet<string> = new Set([
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
]);
const LATEST_VERSION = '2025-11-25';
