import type { ServerResponse } from 'node:http';
import type { Caller } from '../decisions/decision-service.js';
import type { RpcId } from './frames.js';
import { sseMessage } from './sse.js';

/** Ids of recent path-run requests a session keeps: their answers come only from the path. */
const RECENT_ENFORCED = 256;

/** A request the upstream sent the agent's client (stdio), waiting for the client's answer. */
export interface AskedRequest {
  resolve(result: Record<string, unknown>): void;
  reject(error: { code: number; message: string; data?: unknown }): void;
}

/**
 * One agent's MCP session at `/mcp/<upstream>`: bound to the agent that
 * opened it, mapped to the upstream's own session (HTTP), with what is in
 * flight on it.
 */
export class RelaySession {
  /** The upstream's `Mcp-Session-Id` (HTTP upstreams that keep sessions). */
  upstreamSessionId: string | undefined;
  /** The caller of the latest request: tokens refresh, so it is replaced per request. */
  caller: Caller;
  /** That request's Authorization header, to authenticate again after a hold. */
  authorization: string | undefined;
  lastUsed = Date.now();
  /** Requests in flight by the client's id: a cancellation aborts one. */
  readonly inFlight = new Map<RpcId, AbortController>();
  /** Answers being written to POSTs, oldest first: a stdio upstream's frames go to the newest. */
  readonly replies = new Set<ReplyStream>();
  /** The client's GET stream, when one is open (stdio upstreams: the gateway's own). */
  stream: ServerResponse | undefined;
  /** Every stream being written to this client: ended when the session closes. */
  readonly open = new Set<ServerResponse>();
  /** Resources this session subscribed to (stdio: updates are routed by them). */
  readonly subscriptions = new Set<string>();
  /** Requests of a stdio upstream sent to this client, by the id the client saw. */
  readonly asked = new Map<RpcId, AskedRequest>();
  readonly #enforced: RpcId[] = [];

  constructor(
    /** The gateway's id for it, sent as `Mcp-Session-Id`; empty for a stateless request. */
    readonly id: string,
    readonly agentId: string,
    readonly upstream: string,
    caller: Caller,
  ) {
    this.caller = caller;
  }

  /** Marks a request as run by the path: an answer to it in a relayed stream is not passed on. */
  enforce(id: RpcId): void {
    this.#enforced.push(id);
    if (this.#enforced.length > RECENT_ENFORCED) this.#enforced.shift();
  }

  /** Whether the path runs (or ran) the request of this id. */
  enforced(id: RpcId): boolean {
    return this.#enforced.includes(id);
  }

  /**
   * Sends a frame the upstream sent unasked: on the GET stream, else on the
   * newest open answer. False when the client has no open stream to take it.
   */
  push(frameText: string): boolean {
    if (this.stream && !this.stream.writableEnded) {
      this.stream.write(sseMessage(frameText));
      return true;
    }
    const newest = [...this.replies].at(-1);
    if (!newest) return false;
    newest.event(frameText);
    return true;
  }

  /** Ends what is open: the GET stream, and every asked request, refused. */
  close(): void {
    if (this.stream && !this.stream.writableEnded) this.stream.end();
    this.stream = undefined;
    for (const res of this.open) res.end();
    this.open.clear();
    for (const controller of this.inFlight.values()) controller.abort();
    for (const asked of this.asked.values())
      asked.reject({ code: -32000, message: 'the client session closed before it answered' });
    this.asked.clear();
  }
}

/**
 * The answer to one POST: JSON when it is a single frame, switched to an SSE
 * stream as soon as a frame comes before the answer (progress, a log line, a
 * request of the upstream), as Streamable HTTP allows.
 *
 * An answer written whole carries its length: Node would otherwise frame it
 * in chunks after `writeHead`, a gathered write of four pieces where one
 * write of head and body does.
 */
export class ReplyStream {
  /** Answering as a stream (the upstream streamed, or a frame came first). */
  #sse = false;
  /** The stream's head is written: what follows goes in chunks. */
  #open = false;

  constructor(
    readonly res: ServerResponse,
    /** Headers every answer carries (the session id). */
    private readonly headers: Readonly<Record<string, string>>,
  ) {}

  get ended(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  /** One frame before the answer. */
  event(frameText: string, id?: string): void {
    this.raw(sseMessage(frameText, id));
  }

  /** One event as the upstream wrote it. */
  raw(eventText: string): void {
    this.#openStream();
    if (!this.ended) this.res.write(eventText);
  }

  /**
   * Answers as a stream from now on (an upstream that streams its answer is answered alike). The
   * head waits for the first event: an answer with nothing before it goes whole, with its length.
   */
  sse(): void {
    if (this.ended) return;
    this.#sse = true;
  }

  #openStream(): void {
    if (this.ended || this.#open) return;
    this.res.writeHead(200, { ...this.headers, ...SSE_HEAD });
    this.#sse = true;
    this.#open = true;
  }

  /** The answer, and the end. */
  final(frameText: string, status = 200): void {
    if (this.ended) return;
    if (this.#open) {
      this.res.end(sseMessage(frameText));
      return;
    }
    const body = this.#sse ? sseMessage(frameText) : frameText;
    this.res.writeHead(this.#sse ? 200 : status, {
      ...this.headers,
      ...(this.#sse ? SSE_HEAD : JSON_HEAD),
      'content-length': Buffer.byteLength(body),
    });
    this.res.end(body);
  }

  /** No answer to give (a notification or a response was accepted). */
  accepted(status = 202): void {
    if (this.ended) return;
    // A stream the upstream opened ends empty, as it did when its head went out at once.
    if (this.#sse) this.#openStream();
    if (this.#open) this.res.end();
    else this.res.writeHead(status, { ...this.headers, 'content-length': 0 }).end();
  }
}

const SSE_HEAD = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } as const;
const JSON_HEAD = { 'content-type': 'application/json' } as const;
