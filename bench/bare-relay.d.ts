/** Types for `bare-relay.js`, so that TypeScript tests can start one in process. */

/** A running relay; `url` is its origin (`http://127.0.0.1:PORT`): requests keep their own path. */
export interface BareRelay {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a pass-through MCP Streamable HTTP relay on a loopback port in front of `target`. */
export function startBareRelay(options: {
  /** The upstream origin (`http://…`). */
  target: string;
  /** Set on every forwarded request, replacing the client's value. */
  headers?: Record<string, string>;
  port?: number;
}): Promise<BareRelay>;
