import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { repeatable } from './enforced-call.js';
import { parseFrame, requestText } from './frames.js';
import { HttpRelay, readBody } from './http-relay.js';

/**
 * A real Streamable-HTTP-shaped upstream (it answers every POST with the frame's method) that
 * announces no keep-alive timeout and closes sockets itself, as many proxies do:
 * - `resetReused`: a request that arrives on a socket which already served one is met with a
 *   TCP reset, as when the upstream closes an idle socket just as the request is written;
 * - `idleCloseMs`: a socket idle this long after an answer is closed.
 */
async function upstream(options: { resetReused?: boolean; idleCloseMs?: number }) {
  const served = new WeakMap<Socket, number>();
  const seen = { connections: 0, resets: [] as string[], answered: [] as string[], closedIdle: 0 };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const frame = parseFrame(await readBody(req, 100_000));
    const method = frame.kind === 'response' ? '' : frame.method;
    const before = served.get(socket) ?? 0;
    if (options.resetReused && before > 0) {
      seen.resets.push(method);
      socket.resetAndDestroy();
      return;
    }
    served.set(socket, before + 1);
    seen.answered.push(method);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { method } }));
    if (options.idleCloseMs !== undefined) {
      const count = before + 1;
      setTimeout(() => {
        if (served.get(socket) === count && !socket.destroyed) {
          seen.closedIdle++;
          socket.destroy();
        }
      }, options.idleCloseMs);
    }
  });
  // No keep-alive timeout of the server's own, and so no `Keep-Alive: timeout=` hint.
  server.keepAliveTimeout = 0;
  server.on('connection', () => seen.connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/mcp`, seen };
}

const servers: Server[] = [];
const relays: HttpRelay[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) relay.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

function relayTo(url: string, idleMs?: number): HttpRelay {
  const relay = new HttpRelay(url, () => ({}), idleMs);
  relays.push(relay);
  return relay;
}

const frame = (method: string) => parseFrame(requestText(1, method, {}));
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Sends a frame as the relay does; resolves with the method the upstream says it answered. */
async function send(relay: HttpRelay, method: string): Promise<string> {
  const f = frame(method);
  const res = await relay.send('POST', headers, f.text, undefined, repeatable(f));
  return JSON.parse(await readBody(res, 100_000)).result.method;
}

describe('HttpRelay over a pooled socket the upstream closed', () => {
  it('sends a frame that is safe to repeat again, once, on a new connection', async () => {
    const { url, seen } = await upstream({ resetReused: true });
    const relay = relayTo(url);
    expect(await send(relay, 'tools/list')).toBe('tools/list');
    // The pooled socket is reused, and reset under the request: the list is asked again.
    expect(await send(relay, 'tools/list')).toBe('tools/list');
    expect(seen.resets).toEqual(['tools/list']);
    expect(seen.answered).toEqual(['tools/list', 'tools/list']);
    expect(seen.connections).toBe(2);
  });

  it('never sends a tools/call twice: it fails with words that say it may have run', async () => {
    const { url, seen } = await upstream({ resetReused: true });
    const relay = relayTo(url);
    expect(await send(relay, 'ping')).toBe('ping');
    const failed = await send(relay, 'tools/call').then(
      () => 'answered',
      (err: Error) => err.message,
    );
    expect(failed).toMatch(
      /^the upstream closed a pooled connection as the request was sent \(ECONNRESET\); it may or may not have run, so it was not sent again$/,
    );
    expect(seen.resets).toEqual(['tools/call']);
    expect(seen.answered).toEqual(['ping']);
    // The relay still works: the next call goes on a new connection.
    expect(await send(relay, 'ping')).toBe('ping');
  });

  it('retires an idle socket before an upstream that closes idle sockets unannounced does', async () => {
    const { url, seen } = await upstream({ idleCloseMs: 1500 });
    const relay = relayTo(url, 100);
    expect(await send(relay, 'tools/call')).toBe('tools/call');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await send(relay, 'tools/call')).toBe('tools/call');
    // A new connection, and the upstream never had to close an idle one itself.
    expect(seen.connections).toBe(2);
    expect(seen.closedIdle).toBe(0);
  });
});

describe('HttpRelay idle timeout', () => {
  it('never cuts an answer in progress, however long the upstream stays silent in it', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      // Silent for six times the relay's idle timeout, then the answer.
      setTimeout(() => res.end('data: late\n\n'), 600);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const relay = relayTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, 100);
    const res = await relay.send('GET', { accept: 'text/event-stream' }, undefined, undefined, true);
    expect(await readBody(res, 100_000)).toBe(': open\n\ndata: late\n\n');
  });
});

describe('repeatable', () => {
  it('holds for read-only and idempotent frames, never for a path-run request or an answer', () => {
    for (const method of ['initialize', 'ping', 'tools/list', 'resources/subscribe', 'logging/setLevel'])
      expect(repeatable(frame(method)), method).toBe(true);
    for (const method of ['tools/call', 'resources/read', 'prompts/get', 'tasks/cancel', 'x/unknown'])
      expect(repeatable(frame(method)), method).toBe(false);
    expect(repeatable(parseFrame('{"jsonrpc":"2.0","id":3,"result":{}}'))).toBe(false);
  });
});
