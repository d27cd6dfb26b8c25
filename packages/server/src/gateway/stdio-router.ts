import { McpError, type Notification, type Request } from '@modelcontextprotocol/sdk/types.js';
import { RPC, requestText } from './frames.js';
import { ELICITATION_TOOL, type McpGateway, SAMPLING_TOOL, type StdioEvents } from './gateway.js';
import type { RelaySession, ReplyStream } from './relay-session.js';

/**
 * What a stdio upstream sends unasked, routed to agent sessions. The
 * upstream is one process shared by every session: progress goes to the call
 * that asked (by a token of the gateway's), resource updates to the sessions
 * that subscribed, other notifications to every session, and a request (a
 * sampling, an elicitation, roots) to the session with a call in flight.
 */
export class StdioRouter implements StdioEvents {
  /** Live sessions by upstream. */
  readonly #byUpstream = new Map<string, Set<RelaySession>>();
  #asked = 0;
  /** Progress tokens given to a stdio upstream → the answer the progress goes to, and the client's token. */
  readonly #progress = new Map<string, { reply: ReplyStream; token: string | number }>();
  #progressSeq = 0;

  constructor(private readonly gateway: McpGateway) {}

  track(session: RelaySession): void {
    let set = this.#byUpstream.get(session.upstream);
    if (!set) {
      set = new Set();
      this.#byUpstream.set(session.upstream, set);
    }
    set.add(session);
  }

  untrack(session: RelaySession): void {
    this.#byUpstream.get(session.upstream)?.delete(session);
    session.close();
  }

  /**
   * A stdio upstream is shared, so the progress tokens of agents' clients could collide:
   * each request with one gets a token of the gateway's, mapped back to the client's.
   */
  withProgress(
    params: Record<string, unknown> | undefined,
    reply: ReplyStream,
  ): { sent: Record<string, unknown> | undefined; release: () => void } {
    const meta = params?._meta as Record<string, unknown> | undefined;
    const token = meta?.progressToken;
    if (typeof token !== 'string' && typeof token !== 'number')
      return { sent: params, release: () => undefined };
    const own = `gatehouse-progress-${++this.#progressSeq}`;
    this.#progress.set(own, { reply, token });
    return {
      sent: { ...params, _meta: { ...meta, progressToken: own } },
      release: () => this.#progress.delete(own),
    };
  }

  notification(upstream: string, notification: Notification): void {
    if (notification.method === 'notifications/progress') {
      const params = notification.params as Record<string, unknown> | undefined;
      const asked = this.#progress.get(String(params?.progressToken));
      asked?.reply.event(
        requestText(undefined, notification.method, { ...params, progressToken: asked.token }),
      );
      return;
    }
    const sessions = this.#byUpstream.get(upstream);
    if (!sessions || notification.method === 'notifications/cancelled') return;
    const text = this.gateway
      .upstream(upstream)!
      .scrubText(requestText(undefined, notification.method, notification.params));
    const uri = notification.params?.uri;
    for (const session of sessions) {
      // An update goes to the sessions that subscribed to that resource; the rest to every session.
      if (
        notification.method === 'notifications/resources/updated' &&
        !(typeof uri === 'string' && session.subscriptions.has(uri))
      )
        continue;
      session.push(text);
    }
  }

  async request(upstream: string, request: Request, signal: AbortSignal): Promise<Record<string, unknown>> {
    // Over stdio nothing says which agent's call an upstream's request belongs to: the most recently
    // active session with a call in flight asks, else the most recent one with a stream open.
    const sessions = [...(this.#byUpstream.get(upstream) ?? [])].sort((a, b) => b.lastUsed - a.lastUsed);
    const session =
      sessions.find((s) => s.inFlight.size > 0) ?? sessions.find((s) => s.stream && !s.stream.writableEnded);
    if (!session)
      throw new McpError(RPC.internalError, 'no agent session of the gateway is open to answer this request');
    if (request.method === SAMPLING_TOOL || request.method === ELICITATION_TOOL) {
      const refused = await this.gateway.admitServerRequest(
        session.caller,
        upstream,
        request.method,
        (request.params ?? {}) as Record<string, unknown>,
      );
      if (refused) throw new McpError(RPC.refused, refused);
    }
    const id = `gatehouse-${++this.#asked}`;
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const fail = (e: { code: number; message: string; data?: unknown }) =>
        reject(new McpError(e.code, e.message, e.data));
      session.asked.set(id, { resolve, reject: fail });
      signal.addEventListener(
        'abort',
        () => {
          if (session.asked.delete(id)) fail({ code: -32000, message: 'the upstream cancelled its request' });
        },
        { once: true },
      );
      const sent = session.push(
        requestText(id, request.method, request.params as Record<string, unknown> | undefined),
      );
      if (!sent) {
        session.asked.delete(id);
        fail({ code: RPC.internalError, message: 'the agent has no open stream to take this request' });
      }
    });
  }
}
