import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { GatehouseError } from '@gatehouse/core';

/** Sockets kept open to one upstream: enough for the in-flight calls of a busy gateway node. */
const MAX_SOCKETS = 256;
/**
 * An idle pooled socket is closed after this long: below the 5 s keep-alive timeout of Node's
 * HTTP server (and of many proxies), so the pool retires a socket before the upstream does and a
 * request is rarely written to a socket the upstream is closing. (An upstream that announces a
 * shorter `Keep-Alive: timeout=N` is obeyed: node:http retires the socket a second before it.)
 */
export const IDLE_SOCKET_MS = 4000;
/**
 * What a reused keep-alive socket fails with when the upstream closed it as the request was
 * written: the request may or may not have reached the upstream.
 */
const STALE_SOCKET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Frames to a Streamable HTTP upstream over a keep-alive pool (node:http's
 * Agent: per call it costs less than undici's fetch with its Web streams and
 * its per-fetch AbortSignal listeners, see the issue-17 profile). Bodies go as
 * the bytes they are; the answer is the raw response, for the caller to pipe
 * or parse. Redirects are never followed: one could carry the brokered
 * credentials to another origin.
 *
 * A pooled socket the upstream closed while a request was being written
 * fails that request (ECONNRESET on a reused socket). Only a request the
 * caller marks `repeatable` (one that changes nothing upstream when it runs
 * twice) is then sent again, once, on a new connection; any other, a
 * `tools/call` above all, fails with words that say it may have run, and is
 * never repeated.
 */
export class HttpRelay {
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  readonly #fresh: HttpAgent;
  readonly #target: { protocol: string; hostname: string; port: string; path: string };

  constructor(
    url: string,
    /** The upstream's configured headers, with secrets expanded: asked per request, so a rotation applies at once. */
    private readonly headers: () =>
      | Promise<Readonly<Record<string, string>>>
      | Readonly<Record<string, string>>,
    /** How long an idle pooled socket is kept (tests shorten it). */
    idleMs = IDLE_SOCKET_MS,
  ) {
    const target = new URL(url);
    const https = target.protocol === 'https:';
    const options = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      maxFreeSockets: 64,
      scheduling: 'lifo' as const,
      // node:http destroys a pooled socket that stays idle this long; one in use only times out
      // its request's 'timeout' event, which nothing here listens to, so a long call is not cut.
      timeout: idleMs,
    };
    this.#agent = https ? new HttpsAgent(options) : new HttpAgent(options);
    // A retry goes on a connection of its own: another pooled socket may be as stale.
    this.#fresh = https ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false });
    this.#request = https ? (httpsRequest as typeof httpRequest) : httpRequest;
    this.#target = {
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
    };
  }

  /**
   * Sends one request; resolves with the response once its head arrived.
   * `signal` aborts the request and its response stream (a cancelled call,
   * a closed client). Rejects with `GH_UPSTREAM` when the upstream cannot be
   * reached or answers a redirect. `repeatable`: the request may run twice
   * upstream without harm, so a stale pooled socket is retried (see the class).
   */
  async send(
    method: 'POST' | 'GET' | 'DELETE',
    headers: Readonly<Record<string, string>>,
    body?: string,
    signal?: AbortSignal,
    repeatable = false,
  ): Promise<IncomingMessage> {
    // Configured headers without a secret reference are a plain object: no turn is waited for them.
    const given = this.headers();
    const configured = given instanceof Promise ? await given : given;
    const merged: Record<string, string | number> = { ...headers, ...configured };
    if (body !== undefined) merged['content-length'] = Buffer.byteLength(body);
    try {
      return await this.#send(method, merged, body, signal, this.#agent);
    } catch (err) {
      if (!(err instanceof StaleSocket)) throw err;
      if (!repeatable || signal?.aborted)
        throw new GatehouseError(
          'GH_UPSTREAM',
          `the upstream closed a pooled connection as the request was sent (${err.code}); it may or may not have run, so it was not sent again`,
        );
      return this.#send(method, merged, body, signal, this.#fresh).catch((again: unknown) => {
        throw again instanceof StaleSocket ? unreachable(again.code) : again;
      });
    }
  }

  #send(
    method: string,
    headers: Record<string, string | number>,
    body: string | undefined,
    signal: AbortSignal | undefined,
    agent: HttpAgent,
  ): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.#request(
        { ...this.#target, method, headers, agent, ...(signal && { signal }) },
        (res) => {
          const status = res.statusCode ?? 502;
          if (status >= 300 && status < 400) {
            res.resume();
            reject(
              new GatehouseError('GH_UPSTREAM', `the upstream answered a redirect (${status}); not followed`),
            );
            return;
          }
          resolve(res);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError')
          return reject(new GatehouseError('GH_UPSTREAM', 'the request was cancelled'));
        // Failed before any answer on a socket that served an earlier request: the keep-alive race.
        if (req.reusedSocket && err.code !== undefined && STALE_SOCKET_CODES.has(err.code))
          return reject(new StaleSocket(err.code));
        reject(unreachable(err.code ?? err.message));
      });
      req.end(body);
    });
  }

  /** Closes the pooled sockets. */
  close(): void {
    this.#agent.destroy();
    this.#fresh.destroy();
  }
}

/** A reused socket failed before the upstream answered (see `HttpRelay`). */
class StaleSocket extends Error {
  constructor(readonly code: string) {
    super(`stale pooled socket (${code})`);
  }
}

function unreachable(why: string): GatehouseError {
  return new GatehouseError('GH_UPSTREAM', `the upstream could not be reached (${why})`);
}

/**
 * Reads a whole response body as text, up to `max` characters; rejects beyond it. Listens for
 * chunks rather than iterating: a stream's async iterator costs more per answer than the frame.
 */
export function readBody(res: IncomingMessage, max: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    res.setEncoding('utf8');
    let text = '';
    const onData = (chunk: string) => {
      text += chunk;
      if (text.length <= max) return;
      res.off('data', onData);
      res.destroy();
      reject(new GatehouseError('GH_UPSTREAM', `the upstream's answer is longer than ${max} characters`));
    };
    res.on('data', onData);
    res.once('end', () => resolve(text));
    res.once('error', reject);
    // Destroyed before its end (an aborted call): what came is not an answer.
    res.once('close', () => {
      if (!res.complete) reject(new GatehouseError('GH_UPSTREAM', 'the upstream closed before it answered'));
    });
  });
}
