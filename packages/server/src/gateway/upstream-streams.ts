import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { classify, errorText, type Frame, RPC } from './frames.js';
import { ELICITATION_TOOL, type McpGateway, SAMPLING_TOOL } from './gateway.js';
import { readBody } from './http-relay.js';
import type { RelayCall } from './relay.js';
import type { RelaySession } from './relay-session.js';
import { type SseEvent, SseParser, sseMessage } from './sse.js';
import type { Upstream } from './upstream.js';

/** The longest answer read whole from an upstream (a JSON body, an upstream's error page). */
export const MAX_UPSTREAM_BODY = 32 * 1024 * 1024;
/** Request headers an agent's client sends that the upstream needs; the bearer token is not one. */
const FORWARDED_HEADERS = ['mcp-protocol-version', 'last-event-id', 'mcp-method', 'mcp-name'] as const;

/** An upstream's frame: plain JSON.parse (the gateway relays what it parsed, so no differential). */
export function parseUpstream(text: string): Frame {
  return classify(JSON.parse(text), text);
}

/** Headers for the upstream: the agent's protocol headers, the upstream's own session. */
export function upstreamHeaders(
  session: RelaySession,
  headers: IncomingHttpHeaders,
  accept?: string,
): Record<string, string> {
  const out: Record<string, string> = {
    accept: accept ?? 'application/json, text/event-stream',
    'content-type': 'application/json',
  };
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  // The 2026 revision's per-parameter headers (SEP-2243) travel with the body they mirror.
  for (const name in headers)
    if (name.startsWith('mcp-param-')) {
      const value = headers[name];
      if (typeof value === 'string') out[name] = value;
    }
  if (session.upstreamSessionId !== undefined) out['mcp-session-id'] = session.upstreamSessionId;
  return out;
}

/**
 * What an HTTP upstream answers, relayed to the agent's client: bodies as
 * they are, streams event by event, with the frames the gateway acts on
 * taken out (see `events`).
 */
export class UpstreamStreams {
  constructor(private readonly gateway: McpGateway) {}

  /** An upstream's HTTP answer to the agent's client: status, type, and the body or stream. */
  async relayResponse(res: IncomingMessage, call: RelayCall): Promise<void> {
    const { session } = call;
    const status = res.statusCode ?? 502;
    const type = res.headers['content-type'];
    const head: Record<string, string> = session.id !== '' ? { 'mcp-session-id': session.id } : {};
    // The upstream forgot the session: so does the gateway, and the client starts a new one.
    if (status === 404 && session.upstreamSessionId !== undefined) session.upstreamSessionId = undefined;
    if (typeof type === 'string' && type.startsWith('text/event-stream') && status < 300) {
      const out = call.reply.res;
      out.writeHead(status, { ...head, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      out.flushHeaders();
      const onGone = () => res.destroy();
      out.once('close', onGone);
      session.open.add(out);
      try {
        await this.events(
          res,
          call,
          () => false,
          (event) => out.write(event),
        );
      } finally {
        session.open.delete(out);
        out.off('close', onGone);
        out.end();
        // A stream the client left is closed upstream too; one that ended keeps its socket.
        if (!res.complete) res.destroy();
      }
      return;
    }
    const text = this.gateway.upstream(session.upstream)!.scrubText(await readBody(res, MAX_UPSTREAM_BODY));
    const out = call.reply.res;
    if (out.writableEnded) return;
    out.writeHead(status, {
      ...head,
      ...(typeof type === 'string' && text !== '' && { 'content-type': type }),
      // With its length the body goes in one write with the head, not in chunks.
      ...(status !== 204 && status !== 304 && { 'content-length': Buffer.byteLength(text) }),
    });
    out.end(text);
  }

  /**
   * Reads an upstream's event stream in order. `take` may claim a frame (the
   * answer a path-run call waits for); the rest go to `write` (default: the
   * call's answer, switched to SSE), except what the gateway acts on: the
   * upstream's sampling and elicitation requests run the path first, and an
   * answer to a path-run request is never passed on from a relayed stream.
   */
  async events(
    res: IncomingMessage,
    call: RelayCall,
    take: (frame: Frame) => boolean,
    write: (eventText: string) => void = (text) => call.reply.raw(text),
  ): Promise<void> {
    const { session } = call;
    const upstream = this.gateway.upstream(session.upstream)!;
    const parser = new SseParser();
    // Events are handled one at a time, in order. Most are handled at once; one that must wait
    // (a server request the path runs first, whose refusal may have to reach the upstream before
    // anything after it) pauses the stream until it is done. Once `take` has its frame the rest
    // of the stream is drained, not destroyed, so the socket goes back to the keep-alive pool.
    return new Promise<void>((resolve, reject) => {
      let done = false;
      /** The event being waited for, if one is; the stream is paused meanwhile. */
      let waiting: Promise<void> | undefined;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        res.resume();
        if (err !== undefined && !call.signal.aborted) reject(err);
        else resolve();
      };
      const handle = (events: readonly SseEvent[], from: number): void => {
        for (let i = from; i < events.length && !done; i++) {
          let handled: boolean | Promise<boolean>;
          try {
            handled = this.#relayEvent(events[i]!, session, upstream, take, write);
          } catch (err) {
            finish(err);
            return;
          }
          if (handled === true) {
            finish();
            return;
          }
          if (handled === false) continue;
          res.pause();
          waiting = handled.then(
            (claimed) => {
              waiting = undefined;
              if (claimed) {
                finish();
                return;
              }
              handle(events, i + 1);
              if (!done && waiting === undefined) res.resume();
            },
            (err: unknown) => finish(err),
          );
          return;
        }
      };
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        let events: SseEvent[];
        try {
          events = parser.push(chunk);
        } catch (err) {
          finish(err);
          res.destroy();
          return;
        }
        if (events.length > 0) handle(events, 0);
      });
      const after = (then: () => void) => (waiting ? void waiting.then(then) : then());
      res.once('end', () => after(() => finish()));
      res.once('close', () => after(() => finish()));
      res.once('error', (err) => after(() => finish(err)));
    });
  }

  /** One upstream event; true when `take` claimed it. */
  #relayEvent(
    event: SseEvent,
    session: RelaySession,
    upstream: Upstream,
    take: (frame: Frame) => boolean,
    write: (eventText: string) => void,
  ): boolean | Promise<boolean> {
    if (event.data === undefined || event.data === '') {
      write(event.raw);
      return false;
    }
    const scrubbed = upstream.scrubText(event.data);
    let frame: Frame;
    try {
      frame = parseUpstream(scrubbed);
    } catch {
      // Not a frame: the client's SDK would drop it too; it is not passed on unread.
      return false;
    }
    if (take(frame)) return true;
    if (frame.kind === 'response' && session.enforced(frame.id)) return false;
    if (frame.kind === 'request' && (frame.method === SAMPLING_TOOL || frame.method === ELICITATION_TOOL))
      return this.#admitted(frame, session, upstream).then((admitted) => {
        if (admitted) write(scrubbed === event.data ? event.raw : sseMessage(scrubbed, event.id));
        return false;
      });
    write(scrubbed === event.data ? event.raw : sseMessage(scrubbed, event.id));
    return false;
  }

  /** Whether the upstream's request may reach the client; a refusal is the upstream's answer. */
  async #admitted(
    frame: Extract<Frame, { kind: 'request' }>,
    session: RelaySession,
    upstream: Upstream,
  ): Promise<boolean> {
    const refused = await this.gateway.admitServerRequest(
      session.caller,
      session.upstream,
      frame.method as typeof SAMPLING_TOOL | typeof ELICITATION_TOOL,
      frame.params ?? {},
    );
    if (!refused) return true;
    // The upstream gets the refusal as the client's answer; the client never sees the request.
    await upstream
      .http!.send('POST', upstreamHeaders(session, {}), errorText(frame.id, RPC.refused, refused))
      .then((r) => r.resume())
      .catch(() => undefined);
    return false;
  }
}
