import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { GatehouseError } from '@gatehouse/core';

/** Sockets kept open to one upstream: enough for the in-flight calls of a busy gateway node. */
const MAX_SOCKETS = 256;

/**
 * Frames to a Streamable HTTP upstream over a keep-alive pool (node:http's
 * Agent: per call it costs less than undici's fetch with its Web streams and
 * its per-fetch AbortSignal listeners, see the issue-17 profile). Bodies go as
 * the bytes they are; the answer is the raw response, for the caller to pipe
 * or parse. Redirects are never followed: one could carry the brokered
 * credentials to another origin.
 */
export class HttpRelay {
  readonly #url: URL;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  constructor(
    url: string,
    /** The upstream's configured headers, with secrets expanded: asked per request, so a rotation applies at once. */
    private readonly headers: () =>
      | Promise<Readonly<Record<string, string>>>
      | Readonly<Record<string, string>>,
  ) {
    this.#url = new URL(url);
    const https = this.#url.protocol === 'https:';
    const options = {
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      maxFreeSockets: 64,
      scheduling: 'lifo' as const,
    };
    this.#agent = https ? new HttpsAgent(options) : new HttpAgent(options);
    this.#request = https ? (httpsRequest as typeof httpRequest) : httpRequest;
  }

  /**
   * Sends one request; resolves with the response once its head arrived.
   * `signal` aborts the request and its response stream (a cancelled call,
   * a closed client). Rejects with `GH_UPSTREAM` when the upstream cannot be
   * reached or answers a redirect.
   */
  async send(
    method: 'POST' | 'GET' | 'DELETE',
    headers: Readonly<Record<string, string>>,
    body?: string,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    // Configured headers without a secret reference are a plain object: no turn is waited for them.
    const given = this.headers();
    const configured = given instanceof Promise ? await given : given;
    const merged: Record<string, string | number> = { ...headers, ...configured };
    if (body !== undefined) merged['content-length'] = Buffer.byteLength(body);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.#request(
        {
          protocol: this.#url.protocol,
          hostname: this.#url.hostname,
          port: this.#url.port,
          path: `${this.#url.pathname}${this.#url.search}`,
          method,
          headers: merged,
          agent: this.#agent,
          ...(signal && { signal }),
        },
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
      req.on('error', (err) =>
        reject(
          new GatehouseError(
            'GH_UPSTREAM',
            (err as NodeJS.ErrnoException).name === 'AbortError'
              ? 'the request was cancelled'
              : `the upstream could not be reached (${(err as NodeJS.ErrnoException).code ?? err.message})`,
          ),
        ),
      );
      req.end(body);
    });
  }

  /** Closes the pooled sockets. */
  close(): void {
    this.#agent.destroy();
  }
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
