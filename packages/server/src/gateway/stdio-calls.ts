import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { deserializeMessage, STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, McpError } from '@modelcontextprotocol/sdk/types.js';

/** Ids of the relay's own requests to a stdio upstream: strings, so never one the SDK client numbered. */
const ID_PREFIX = 'gh-relay-';

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (err: unknown) => void;
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/**
 * The requests the relay sends a stdio upstream on behalf of agents (path-run calls, and
 * every other request it passes through), written as frames on the child's stdin and
 * matched to their answers by id, beside the SDK client that owns the connection (its
 * start, listings, notifications and the upstream's own requests).
 *
 * Why not the SDK client's `request`: per call it armed a timer, kept handlers in three
 * maps and validated the result a second time, on every call of the data plane. Here a
 * call costs a map entry; one timer watches the oldest deadline (all calls share one
 * timeout, so the oldest call's deadline is the earliest), and the frames that calls
 * resolved together send (one group commit lets many through at once) go out in one
 * write to the child's pipe.
 *
 * The answers arrive through the SDK transport, which has already parsed and validated
 * each line as a JSON-RPC message (see `take`).
 */
export class StdioCalls {
  #next = 0;
  /** In send order, so the first entry holds the earliest deadline. */
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;
  #corked = false;
  #closed: Error | undefined;

  constructor(
    private readonly stdin: Writable,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Sends one request and resolves with its result, or rejects with the upstream's error
   * (an `McpError` with its code), a timeout, or `signal`'s reason, as the SDK client did:
   * on a timeout or an abort the child is told the request is cancelled.
   */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = `${ID_PREFIX}${++this.#next}`;
    return new Promise((resolve, reject) => {
      const onAbort = signal ? () => this.#cancel(id, signal.reason) : undefined;
      if (signal) signal.addEventListener('abort', onAbort!, { once: true });
      this.#pending.set(id, { resolve, reject, deadline: Date.now() + this.timeoutMs, signal, onAbort });
      this.#timer ??= this.#arm(this.timeoutMs);
      this.#write(
        params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params },
      );
    });
  }

  /**
   * Settles the request a message answers, if it is one of these calls'; false for any other
   * message, which then goes to the SDK client. The message is checked against the shape the
   * SDK's schema gives a response (`FrameReader` hands these over unvalidated): an answer of
   * ours in another shape fails its call rather than resolve it with what the policy's path
   * would then take for a result.
   */
  take(message: unknown): boolean {
    if (typeof message !== 'object' || message === null) return false;
    const m = message as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown };
    if (typeof m.id !== 'string' || !m.id.startsWith(ID_PREFIX)) return false;
    if (m.result === undefined && m.error === undefined) return false;
    const pending = this.#settle(m.id);
    // An answer to a call that timed out or was cancelled is dropped, as the SDK did.
    if (!pending) return true;
    if (!isResponse(m)) {
      pending.reject(
        new McpError(ErrorCode.InternalError, 'the upstream answered with a malformed JSON-RPC response'),
      );
      return true;
    }
    if (m.error !== undefined) {
      const e = m.error as { code: number; message: string; data?: unknown };
      pending.reject(McpError.fromError(e.code, e.message, e.data));
    } else pending.resolve(m.result as Record<string, unknown>);
    return true;
  }

  /** The connection is gone: every call in flight fails, and later ones at once. */
  close(): void {
    this.#closed = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = [...this.#pending.keys()];
    for (const id of pending) this.#settle(id)?.reject(this.#closed);
  }

  #settle(id: string): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    if (pending.onAbort) pending.signal!.removeEventListener('abort', pending.onAbort);
    return pending;
  }

  /** Fails a call and tells the child to stop working on it. */
  #cancel(id: string, reason: unknown): void {
    const pending = this.#settle(id);
    if (!pending) return;
    this.#write({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: id, reason: String(reason) },
    });
    pending.reject(
      reason instanceof McpError ? reason : new McpError(ErrorCode.RequestTimeout, String(reason)),
    );
  }

  #arm(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.#expire(), Math.max(ms, 1));
    timer.unref();
    return timer;
  }

  /** Times out every call past its deadline, then watches the next oldest. */
  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const [id, pending] of this.#pending) {
      if (pending.deadline > now) {
        this.#timer = this.#arm(pending.deadline - now);
        return;
      }
      this.#cancel(
        id,
        McpError.fromError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: this.timeoutMs }),
      );
    }
  }

  /**
   * Writes one frame. Frames written in one turn of the event loop leave together: the pipe is
   * corked until the turn's callbacks and promise reactions have run.
   */
  #write(frame: object): void {
    if (!this.#corked) {
      this.#corked = true;
      this.stdin.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.stdin.uncork();
      });
    }
    this.stdin.write(`${JSON.stringify(frame)}\n`);
  }
}

/**
 * A JSON-RPC response as the SDK's schemas take one: `jsonrpc`, `id` and exactly one of a
 * `result` object (its `_meta`, if any, an object) or an `error` with an integer `code` and a
 * string `message`; no other member.
 */
function isResponse(m: Record<string, unknown>): boolean {
  if (m.jsonrpc !== '2.0') return false;
  let members = 0;
  for (const _ in m) members++;
  if (members !== 3) return false;
  if (m.result !== undefined) {
    const meta = isObject(m.result) ? m.result._meta : null;
    return meta === undefined || isObject(meta);
  }
  const e = m.error;
  return isObject(e) && Number.isInteger(e.code) && typeof e.message === 'string';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a stdio upstream's output into messages, in place of the SDK transport's own reader:
 * each line is parsed once, the answers to the relay's calls go straight to them, and every
 * other message is validated by the SDK's schema, as its reader did, before the SDK client
 * sees it. Unlike that reader, a chunk that ends on a line break leaves nothing behind, so
 * the next chunk is not copied onto an empty remainder.
 */
export class FrameReader {
  #buffer: Buffer | undefined;
  /** Where the relay's answers go, once the connection is up (none can come before). */
  calls: StdioCalls | undefined;

  constructor(private readonly maxBufferSize: number = STDIO_DEFAULT_MAX_BUFFER_SIZE) {}

  append(chunk: Buffer): void {
    const size = (this.#buffer?.length ?? 0) + chunk.length;
    if (size > this.maxBufferSize) {
      this.clear();
      throw new Error(`ReadBuffer exceeded maximum size of ${this.maxBufferSize} bytes`);
    }
    this.#buffer = this.#buffer ? Buffer.concat([this.#buffer, chunk]) : chunk;
  }

  /** The next message for the SDK client, or null when no whole line is left. Throws on a bad line, which is dropped. */
  readMessage(): JSONRPCMessage | null {
    for (;;) {
      const buffer = this.#buffer;
      if (!buffer) return null;
      const index = buffer.indexOf(10);
      if (index === -1) return null;
      const end = index > 0 && buffer[index - 1] === 13 ? index - 1 : index;
      const line = buffer.toString('utf8', 0, end);
      this.#buffer = index + 1 < buffer.length ? buffer.subarray(index + 1) : undefined;
      // The relay's answers are the most of what a busy upstream writes: a cheap look at the
      // text tells them from the rest before anything else is parsed twice.
      if (this.calls && line.includes(ID_PREFIX)) {
        const value: unknown = JSON.parse(line);
        if (this.calls.take(value)) continue;
        return deserializeMessage(line);
      }
      return deserializeMessage(line);
    }
  }

  clear(): void {
    this.#buffer = undefined;
  }
}

/**
 * The relay's own requests over a client's stdio connection, once it is up: answers to them are
 * taken from the transport before the SDK client sees them (it would report them as unknown),
 * and they fail when the connection closes. Undefined for another transport.
 */
export function relayCalls(client: Client, transport: Transport, timeoutMs: number): StdioCalls | undefined {
  // The SDK keeps the child private; its stdin is where the frames go.
  const stdin = (transport as unknown as { _process?: ChildProcess })._process?.stdin;
  if (!(transport instanceof StdioClientTransport) || !stdin) return undefined;
  const calls = new StdioCalls(stdin, timeoutMs);
  const sdk = transport.onmessage;
  transport.onmessage = (message) => {
    if (!calls.take(message)) sdk?.(message);
  };
  const closed = client.onclose;
  client.onclose = () => {
    calls.close();
    closed?.();
  };
  return calls;
}

/**
 * Puts a `FrameReader` in place of a stdio transport's own reader (the SDK keeps it private,
 * as `_readBuffer`), before anything is read; undefined for another transport, or an SDK
 * whose reader is not where it was, which then reads as it always did.
 */
export function readFrames(transport: Transport): FrameReader | undefined {
  const inner = transport as unknown as { _readBuffer?: { readMessage?: unknown } };
  if (!(transport instanceof StdioClientTransport) || typeof inner._readBuffer?.readMessage !== 'function')
    return undefined;
  const reader = new FrameReader();
  (inner as { _readBuffer: unknown })._readBuffer = reader;
  return reader;
}
