/**
 * Lean MCP clients for the gateway bench: JSON-RPC frames over Streamable
 * HTTP (a keep-alive agent, the SSE answer parsed by hand) or over a stdio
 * child's pipes. The official SDK client costs the bench process a few
 * hundred µs of CPU per call; on a 2-core machine shared with the proxy and
 * the upstream that cost lands on the figures being measured, so the agent
 * side here does as little as an agent can.
 */
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';

/** The revision every peer under test speaks (the v1 SDK's servers and clients all accept it). */
const PROTOCOL_VERSION = '2025-06-18';
const CLIENT_INFO = { name: 'gatehouse-bench', version: '1.0.0' };

/** A failed call: a JSON-RPC error, a non-2xx answer, or an answer without our id. */
export class McpWireError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'McpWireError';
  }
}

/**
 * Opens an MCP session over Streamable HTTP (initialize, then
 * notifications/initialized) and returns a way to send requests on it.
 *
 * @param {string} url the MCP endpoint
 * @param {{ authorization?: string }} [options]
 */
export async function openHttpSession(url, { authorization } = {}) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** @type {Record<string, string>} */
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(authorization && { authorization }),
  };
  let nextId = 1;

  /** @param {string} method @param {string | undefined} body */
  const exchange = (method, body) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method,
          headers,
          agent,
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.once('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type'] ?? ''),
              session: res.headers['mcp-session-id'],
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.once('error', reject);
        },
      );
      req.once('error', reject);
      req.end(body);
    });

  /** @param {string} method @param {unknown} params */
  const call = async (method, params) => {
    const id = nextId++;
    const answer = await exchange('POST', JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    if (answer.status < 200 || answer.status > 299)
      throw new McpWireError(`${method}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
    const message = answer.type.startsWith('text/event-stream')
      ? sseMessages(answer.text).find((m) => m.id === id)
      : JSON.parse(answer.text);
    if (!message)
      throw new McpWireError(`${method}: no answer to request ${id} in ${answer.text.slice(0, 200)}`);
    if (message.error) throw new McpWireError(`${method}: ${message.error.message}`);
    return { result: message.result, session: answer.session };
  };

  const init = await call('initialize', {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: CLIENT_INFO,
  });
  if (typeof init.session === 'string') headers['mcp-session-id'] = init.session;
  headers['mcp-protocol-version'] = init.result.protocolVersion;
  const initialized = await exchange(
    'POST',
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  );
  if (initialized.status !== 202 && initialized.status !== 200)
    throw new McpWireError(`notifications/initialized: HTTP ${initialized.status}`);

  return {
    /** @param {string} method @param {unknown} params */
    request: async (method, params) => (await call(method, params)).result,
    close: async () => {
      if (headers['mcp-session-id']) await exchange('DELETE', undefined).catch(() => undefined);
      agent.destroy();
    },
  };
}

/**
 * Starts an MCP server over stdio (`node ARGS…`), initializes it, and returns
 * a way to send requests on it plus the child's pid (for its CPU figures).
 *
 * @param {string[]} args
 */
export async function openStdioSession(args) {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  /** @type {Map<number, { resolve(v: unknown): void, reject(e: Error): void }>} */
  const pending = new Map();
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return; // not a frame: a server's stray output
    }
    const waiter = pending.get(message.id);
    if (!waiter) return; // a notification or a server-to-client request: nothing the bench awaits
    pending.delete(message.id);
    if (message.error) waiter.reject(new McpWireError(message.error.message));
    else waiter.resolve(message.result);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new McpWireError(`the server exited with ${code}`));
    pending.clear();
  });
  let nextId = 1;
  /** @param {string} method @param {unknown} params */
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await request('initialize', {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: CLIENT_INFO,
  });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    pid: child.pid,
    request,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The JSON-RPC messages in an SSE body (`data:` lines of each event, joined). */
function sseMessages(text) {
  const messages = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
      .join('\n');
    if (data) messages.push(JSON.parse(data));
  }
  return messages;
}
