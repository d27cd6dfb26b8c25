import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  McpError,
  type Notification,
  ProgressNotificationSchema,
  type Request,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** What an upstream tells the gateway besides answers to its requests. */
export interface UpstreamEvents {
  /** The upstream said its tool list changed. */
  onToolsChanged?: () => void;
  /** Lines the child writes to stderr (stdio upstreams): for the debug log only. */
  onStderr?: (line: string) => void;
  onError?: (err: unknown) => void;
  /** A notification from a stdio upstream (log messages, progress of no call, list changes, resource updates). */
  onNotification?: (notification: Notification) => void;
  /**
   * A request from a stdio upstream to its client (sampling, elicitation, roots): resolves
   * with the result a client gave, rejects with an `McpError` to answer an error.
   */
  onRequest?: (request: Request, signal: AbortSignal) => Promise<Record<string, unknown>>;
}

/**
 * The SDK client the gateway holds to one upstream, its handlers wired to `events`. Nothing
 * the upstream says reaches the gateway unscrubbed: `scrub` takes the upstream's secrets out
 * of its error messages.
 */
export function gatewayClient(
  events: UpstreamEvents,
  options: {
    readonly transport: 'stdio' | 'http';
    readonly onClose: (client: Client) => void;
    readonly scrub: (text: string) => string;
  },
): Client {
  // Agents' clients may sample, elicit and name roots: an upstream lists the tools that need
  // them only to a client that says so. A stdio upstream is shared by every agent session and
  // may ask them, which the gateway routes to a session or refuses; an HTTP upstream asks over
  // the agent's own session, never this one.
  const client = new Client(
    { name: 'gatehouse-gateway', version: '0.1.0' },
    { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
  );
  client.onclose = () => options.onClose(client);
  client.onerror = (err) => events.onError?.(new Error(options.scrub(err.message)));
  client.setNotificationHandler(ToolListChangedNotificationSchema, async (notification) => {
    events.onToolsChanged?.();
    events.onNotification?.(notification);
  });
  const { onNotification, onRequest } = events;
  if (onNotification) {
    client.fallbackNotificationHandler = async (n) => onNotification(n);
    // Progress goes to the relay, which gave the tokens: the SDK's own handler drops a
    // progress that arrives in the same read as its request's answer (it runs a microtask
    // after the answer has removed the request's handler).
    client.setNotificationHandler(ProgressNotificationSchema, async (n) => onNotification(n));
  }
  client.fallbackRequestHandler = async (request, extra) => {
    if (!onRequest || options.transport !== 'stdio')
      throw new McpError(-32601, `Gatehouse relays no ${request.method} from this upstream`);
    return onRequest(request, extra.signal) as never;
  };
  return client;
}
