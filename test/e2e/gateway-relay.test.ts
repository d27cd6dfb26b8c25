import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@gatehouse/core';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingStdioUpstream,
  freePort,
  startEverythingHttp,
  startRecorder,
} from '../support/mcp-peers.js';
import { clientCredentialsToken } from './tokens.js';

/**
 * The gateway as a relay: what the real everything server offers besides
 * tools passes through `/mcp/everything` to the official SDK client
 * (logging, subscriptions, progress, cancellation, completions, sampling,
 * elicitation), while calls still run the enforcement path.
 */

const dir = mkdtempSync(join(tmpdir(), 'gh-relay-e2e-'));
let everything: Awaited<ReturnType<typeof startEverythingHttp>>;
let server: RunningServer;
let recorder: Awaited<ReturnType<typeof startRecorder>>;
const clients: Client[] = [];
const secrets = new Map<string, { id: string; secret: string }>();

/** Tools of the everything server both upstreams catalogue (uncatalogued tools are denied). */
const CATALOG = ['echo', 'toggle-simulated-logging', 'trigger-long-running-operation'];

const POLICY = `
version: 1
agents:
  relay-agent:
    owner: alice@example.com
    grants: [everything.*, local.*, down.*]
  narrow-agent:
    owner: alice@example.com
    grants: [everything.echo, everything.trigger-sampling-request, everything.trigger-elicitation-request]
rules:
  - id: no-secret-sampling
    description: Upstreams may not ask the agent's model about passwords
    match: { tools: [everything.sampling/createMessage] }
    when: 'args.messages.exists(m, m.content.text.contains("password"))'
    effect: deny
`;

async function connect(agent: string, upstream = 'everything', capabilities = {}): Promise<Client> {
  const { id, secret } = secrets.get(agent)!;
  const token = await clientCredentialsToken(server.url, id, secret);
  const client = new Client({ name: 'relay-test', version: '1.0.0' }, { capabilities });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/${upstream}`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

const text = (result: CallToolResult) =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** Resolves with the first notification of a kind the client receives. */
function next<T>(client: Client, schema: Parameters<Client['setNotificationHandler']>[0]): Promise<T> {
  return new Promise<T>((resolve) => client.setNotificationHandler(schema, async (n) => resolve(n as T)));
}

beforeAll(async () => {
  everything = await startEverythingHttp();
  // A recording relay on loopback in front of the real server: what reaches the upstream.
  recorder = await startRecorder(everything.url);
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      'server: { port: 0 }',
      'upstreams:',
      '  everything:',
      `    url: ${recorder.url}`,
      '    tools:',
      ...[...CATALOG, 'toggle-subscriber-updates', 'trigger-sampling-request', 'trigger-elicitation-request']
        .concat(['sampling/createMessage', 'elicitation/create'])
        .map((tool) => `      ${tool}: { categories: [read] }`),
      '  down:',
      `    url: http://127.0.0.1:${await freePort()}/mcp`,
      '    tools:',
      '      echo: { categories: [read] }',
      ...everythingStdioUpstream(
        Object.fromEntries(CATALOG.map((tool) => [tool, '{ categories: [read] }'])),
      ).map((line) => line.replace('  everything:', '  local:')),
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), {}), { env: {}, watch: false });
  const admin = new AgentAdmin(server.store);
  for (const name of ['relay-agent', 'narrow-agent']) {
    const rotated = await admin.rotateSecret(name, { graceMs: 0 });
    secrets.set(name, { id: rotated.agent.id, secret: rotated.clientSecret });
  }
  await server.identity.cache.refresh();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await server?.close();
  await everything?.stop();
  await recorder?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the relay passes through what the upstream offers (Streamable HTTP)', () => {
  it('sets the log level and relays the log messages the upstream then sends', async () => {
    const client = await connect('relay-agent');
    await client.setLoggingLevel('debug');
    expect(recorder.bodies.some((b) => b.includes('"logging/setLevel"') && b.includes('"debug"'))).toBe(true);
    const logged = next<{ params: { level: string; data: string } }>(
      client,
      LoggingMessageNotificationSchema,
    );
    // Logging starts with one message at once (of a random level, every level passes 'debug').
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    expect((await logged).params.data).toMatch(/message/);
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
  });

  it('subscribes to a resource, relays its update notifications, and unsubscribes', async () => {
    const client = await connect('relay-agent');
    const uri = 'demo://resource/dynamic/text/1';
    await client.subscribeResource({ uri });
    const updated = next<{ params: { uri: string } }>(client, ResourceUpdatedNotificationSchema);
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    expect((await updated).params.uri).toBe(uri);
    await client.unsubscribeResource({ uri });
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
  });

  it('relays progress of a long call to the client, under the token the client chose', async () => {
    const client = await connect('relay-agent');
    const seen: number[] = [];
    const result = (await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (p) => seen.push(p.progress) },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(seen).toEqual([1, 2, 3]);
    // The call ran the path: decided and audited at the gateway.
    await server.audit.settled();
    const rows = await server.store.queryAudit({
      tool: 'everything.trigger-long-running-operation',
      type: 'execution',
      order: 'desc',
      limit: 20,
    });
    expect(rows.map((r) => (JSON.parse(r.text) as AuditEvent).outcome.status)).toContain('succeeded');
  });

  it('relays a cancellation: the call is aborted and the client is free at once', async () => {
    const client = await connect('relay-agent');
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 } },
      undefined,
      { signal: controller.signal, onprogress: () => controller.abort('changed my mind') },
    );
    await expect(call).rejects.toThrow(/changed my mind|abort/i);
    // The session still serves calls.
    expect(
      text((await client.callTool({ name: 'echo', arguments: { message: 'still here' } })) as CallToolResult),
    ).toContain('still here');
    expect(recorder.bodies.some((b) => b.includes('"notifications/cancelled"'))).toBe(true);
  });

  it('completes a prompt argument, and relays list cursors byte for byte', async () => {
    const client = await connect('relay-agent');
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'completable-prompt' },
      argument: { name: 'department', value: 'En' },
    });
    expect(completion.completion.values).toContain('Engineering');
    const page = '{"jsonrpc":"2.0","id":"page-2","method":"resources/list","params":{"cursor":"b3BhcXVl"}}';
    const session = await rawSession();
    const answer = await rawPost(page, session);
    expect(recorder.bodies).toContain(page);
    expect(answer.status).toBeLessThan(500);
  });

  it('relays a sampling request to the client and its answer back, after the path allowed it', async () => {
    const client = await connect('relay-agent', 'everything', { sampling: {} });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled by the client' },
    }));
    const result = (await client.callTool({
      name: 'trigger-sampling-request',
      arguments: { prompt: 'say hello' },
    })) as CallToolResult;
    expect(text(result)).toContain('sampled by the client');
    await server.audit.settled();
    const rows = await server.store.queryAudit({
      tool: 'everything.sampling/createMessage',
      type: 'decision',
      order: 'desc',
      limit: 20,
    });
    expect(rows.length).toBeGreaterThan(0);
  });

  it('refuses a sampling request the policy denies, and the client never sees it', async () => {
    const client = await connect('relay-agent', 'everything', { sampling: {} });
    let asked = 0;
    client.setRequestHandler(CreateMessageRequestSchema, async () => {
      asked++;
      return { model: 'm', role: 'assistant', content: { type: 'text', text: 'hunter2' } };
    });
    const result = (await client.callTool({
      name: 'trigger-sampling-request',
      arguments: { prompt: 'what is the admin password?' },
    })) as CallToolResult;
    expect(asked).toBe(0);
    expect(JSON.stringify(result)).toContain("Upstreams may not ask the agent's model about passwords");
  });

  it('refuses an elicitation to an agent without the grant for it', async () => {
    const client = await connect('narrow-agent', 'everything', { elicitation: {} });
    let asked = 0;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked++;
      return { action: 'decline' };
    });
    await client.callTool({ name: 'trigger-elicitation-request', arguments: {} }).catch(() => undefined);
    expect(asked).toBe(0);
  });
});

describe('the relay over a shared stdio upstream', () => {
  it('relays progress, log level and logging, and completions', async () => {
    const client = await connect('relay-agent', 'local');
    const seen: number[] = [];
    await client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
      undefined,
      { onprogress: (p) => seen.push(p.progress) },
    );
    // Every step, the last one too: it arrives in the same read as the answer.
    expect(seen).toEqual([1, 2]);
    await client.setLoggingLevel('debug');
    const logged = next<{ params: { level: string } }>(client, LoggingMessageNotificationSchema);
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    expect((await logged).params.level).toBeTruthy();
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'completable-prompt' },
      argument: { name: 'department', value: 'Sa' },
    });
    expect(completion.completion.values).toContain('Sales');
  });
});

describe('streams and stateless requests', () => {
  it("relays the client's GET stream with Last-Event-ID to the agent's own upstream session", async () => {
    const session = await rawSession();
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/mcp/everything`, {
      headers: { ...(await rawHeaders(session)), accept: 'text/event-stream', 'last-event-id': 'evt-41' },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen = recorder.headers.filter((h) => h['last-event-id'] === 'evt-41');
    expect(seen).toHaveLength(1);
    // The upstream saw its own session id, never the gateway's, and no agent token.
    expect(seen[0]!['mcp-session-id']).not.toBe(session);
    expect(seen[0]!.authorization).toBeUndefined();
    controller.abort();
  });

  it('relays a request that names no session, where the client gives the protocol version', async () => {
    const answer = await fetch(`${server.url}/mcp/local`, {
      method: 'POST',
      headers: await rawHeaders(),
      body: '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"message":"stateless"}}}',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('mcp-session-id')).toBeNull();
    expect(JSON.stringify(await answer.json())).toContain('Echo: stateless');
  });
});

describe('clients of the 2.x SDK', () => {
  it('negotiate their revision through the relay, over HTTP and stdio upstreams, and call along the path', async () => {
    const { id, secret } = secrets.get('relay-agent')!;
    const token = await clientCredentialsToken(server.url, id, secret);
    for (const upstream of ['everything', 'local']) {
      // Offered the stateless 2026 revision first: the relay passes the negotiation through.
      const client = new ClientV2(
        { name: 'relay-test-v2', version: '1.0.0' },
        { supportedProtocolVersions: ['2026-07-28', '2025-11-25', '2025-06-18'] },
      );
      const transport = new StreamableHTTPClientTransportV2(new URL(`${server.url}/mcp/${upstream}`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      await client.connect(transport);
      try {
        const result = await client.callTool({ name: 'echo', arguments: { message: `v2 via ${upstream}` } });
        expect(JSON.stringify(result.content)).toContain(`v2 via ${upstream}`);
        expect(result._meta?.['gatehouse/decision']).toMatchObject({ code: 'granted' });
      } finally {
        await client.close();
      }
    }
  });
});

describe('bad input to the relay', () => {
  it('answers a response to nothing, a bad params shape and an unknown session with JSON-RPC errors', async () => {
    const session = await rawSession();
    const stray = await rawPost('{"jsonrpc":"2.0","id":"nope","result":{}}', session, 'local');
    expect(stray.status).toBeLessThan(500);
    const badParams = await rawPost('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":[1,2]}', session);
    expect(badParams.status).toBe(400);
    expect(JSON.parse(badParams.text)).toMatchObject({ error: { code: -32600 } });
    const badArgs = await rawPost(
      '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"echo","arguments":"x"}}',
      session,
    );
    expect(JSON.parse(badArgs.text)).toMatchObject({ id: 6, error: { code: -32602 } });
    const unknown = await rawPost('{"jsonrpc":"2.0","id":7,"method":"ping"}', 'no-such-session');
    expect(unknown.status).toBe(404);
    // A task-augmented call would hand its output over later, past the path: refused.
    const tasked = await rawPost(
      '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo","arguments":{"message":"later"},"task":{}}}',
      session,
    );
    expect(JSON.parse(tasked.text)).toMatchObject({ id: 8, error: { code: -32602 } });
    expect(recorder.bodies.some((b) => b.includes('"later"'))).toBe(false);
    // A call without an id is not relayed: the upstream might run it, and the path would not.
    const sneaked = await rawPost(
      '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"message":"unjudged"}}}',
      session,
    );
    expect(sneaked.status).toBe(400);
    expect(recorder.bodies.some((b) => b.includes('unjudged'))).toBe(false);
  });

  it('fails closed with JSON-RPC errors when the upstream cannot be reached', async () => {
    const opened = await fetch(`${server.url}/mcp/down`, {
      method: 'POST',
      headers: await rawHeaders(),
      body: '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}',
    });
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({
      id: 1,
      error: { code: -32603, message: "upstream 'down' is unavailable; try again later" },
    });
    const session = opened.headers.get('mcp-session-id')!;
    const call = await rawPost(
      '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x"}}}',
      session,
      'down',
    );
    expect(call.status).toBe(200);
    expect(JSON.parse(call.text)).toMatchObject({ id: 2, result: { isError: true } });
    const listed = await rawPost('{"jsonrpc":"2.0","id":3,"method":"prompts/list"}', session, 'down');
    expect(JSON.parse(listed.text)).toMatchObject({ id: 3, error: { code: -32603 } });
  });
});

let rawToken: string | undefined;
async function rawHeaders(session?: string): Promise<Record<string, string>> {
  const { id, secret } = secrets.get('relay-agent')!;
  rawToken ??= await clientCredentialsToken(server.url, id, secret);
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${rawToken}`,
    'mcp-protocol-version': '2025-06-18',
    ...(session !== undefined && { 'mcp-session-id': session }),
  };
}

async function rawPost(body: string, session: string, upstream = 'everything') {
  const response = await fetch(`${server.url}/mcp/${upstream}`, {
    method: 'POST',
    headers: await rawHeaders(session),
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** A session opened by hand, for frames the SDK client would not send. */
async function rawSession(upstream = 'everything'): Promise<string> {
  const response = await fetch(`${server.url}/mcp/${upstream}`, {
    method: 'POST',
    headers: await rawHeaders(),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  await response.text();
  const id = response.headers.get('mcp-session-id')!;
  await rawPost('{"jsonrpc":"2.0","method":"notifications/initialized"}', id, upstream);
  return id;
}
