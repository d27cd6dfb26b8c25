/**
 * A bare pass-through relay for MCP Streamable HTTP: the floor any MCP proxy
 * pays for one extra HTTP hop, and the baseline of issue #17's gateway
 * criterion (Gatehouse's added latency against this relay's, same run).
 *
 * It parses nothing: every method (POST, GET, DELETE, …) is forwarded with
 * its path, query and end-to-end headers (`Mcp-Session-Id`,
 * `MCP-Protocol-Version`, `Last-Event-ID`, `Authorization`, `Host`, …), the
 * body is piped both ways, and an SSE answer is streamed through as it comes.
 * Upstream connections are kept alive and reused, as a production proxy
 * would.
 *
 *   node bench/bare-relay.js --target http://127.0.0.1:3001   # prints 'listening on http://127.0.0.1:PORT'
 *
 * `startBareRelay({ target, headers })` runs one in this process; `headers`
 * are set on every forwarded request (the conformance test uses it to give
 * the runner's requests an agent's Authorization header, which the runner
 * cannot send itself).
 */
import { Agent, createServer, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a
 * relay must not forward them; Node sets its own framing on each side.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Starts a relay on a loopback port in front of `target` (an http:// origin;
 * any path on it is ignored: requests keep their own path).
 *
 * @param {{ target: string, headers?: Record<string, string>, port?: number }} options
 * @returns {Promise<{ url: string, close(): Promise<void> }>} `url` is the relay's origin
 */
export async function startBareRelay({ target, headers = {}, port = 0 }) {
  const upstream = new URL(target);
  if (upstream.protocol !== 'http:')
    throw new Error(`the bare relay forwards to http:// only, not ${target}`);
  const extra = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]);
  // Enough sockets for every call in flight in the benches; idle ones stay open for reuse.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });

  const server = createServer((req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers, extra),
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers, []));
        // An SSE stream may stay silent for minutes; the client waits for the headers, not a byte.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    forward.on('error', () => {
      if (res.headersSent) return res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32603, message: 'upstream unreachable' },
          id: null,
        }),
      );
    });
    // The client went away (an SSE reader closed, a call was cancelled): so does the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.on('error', () => forward.destroy());
    req.pipe(forward);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}

/**
 * @param {import('node:http').IncomingHttpHeaders} incoming
 * @param {[string, string][]} extra
 */
function endToEnd(incoming, extra) {
  // Headers a sender listed in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  const listed = String(incoming.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  /** @type {Record<string, string | string[]>} */
  const out = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.includes(name)) continue;
    out[name] = value;
  }
  for (const [name, value] of extra) out[name] = value;
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { target: { type: 'string' }, port: { type: 'string' } } });
  if (!values.target) {
    console.error('usage: node bench/bare-relay.js --target http://HOST:PORT [--port N]');
    process.exit(2);
  }
  const relay = await startBareRelay({ target: values.target, port: Number(values.port ?? 0) });
  console.log(`listening on ${relay.url}`);
  process.once('SIGTERM', () => void relay.close().then(() => process.exit(0)));
}
