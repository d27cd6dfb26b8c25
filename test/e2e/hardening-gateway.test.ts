import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@gatehouse/core';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everythingStdioUpstream } from '../support/mcp-peers.js';
import { clientCredentialsToken } from './tokens.js';

/**
 * Red-team findings at the MCP gateway door (issue 14 items 1 and 8), against
 * the real everything server over stdio: a duplicate key would let the
 * upstream read a value nobody judged, and a refusal over unstorable
 * arguments must still reach the audit.
 */

const dir = mkdtempSync(join(tmpdir(), 'gh-harden-gw-'));
let server: RunningServer;
let bearer: string;
const clients: Client[] = [];

beforeAll(async () => {
  writeFileSync(
    join(dir, 'policy.yaml'),
    [
      'version: 1',
      'agents:',
      '  relay-agent: { owner: alice@example.com, grants: [everything.echo] }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      'server: { host: 127.0.0.1, port: 0 }',
      'storage: { sqlite: ./state/gatehouse.db }',
      'upstreams:',
      ...everythingStdioUpstream({ echo: '{ categories: [read] }' }),
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {}, watch: false });
  const { agent, clientSecret } = await new AgentAdmin(server.store).rotateSecret('relay-agent', {
    graceMs: 0,
  });
  await server.identity.cache.refresh();
  bearer = await clientCredentialsToken(server.url, agent.id, clientSecret);
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rawPost(body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}/mcp/everything`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${bearer}`,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('the MCP door', () => {
  it('refuses a tools/call whose arguments repeat a key, naming it', async () => {
    const answer = await rawPost(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"judged","message":"run"}}}',
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: { code: -32600, message: expect.stringContaining("duplicate key 'message'") },
    });
  });

  it('refuses a body repeating the tool name', async () => {
    const answer = await rawPost(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"other","arguments":{}}}',
    );
    expect(answer.status).toBe(400);
  });

  it('records the refusal of a call whose argument is a lone surrogate', async () => {
    const client = new Client({ name: 'prober', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/everything`), {
        requestInit: { headers: { authorization: `Bearer ${bearer}` } },
      }),
    );
    clients.push(client);
    const result = (await client.callTool({
      name: 'echo',
      arguments: { message: 'probe \udfff' },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    const rows = await server.store.queryAudit({
      tool: 'everything.echo',
      type: 'decision',
      order: 'desc',
      limit: 5,
    });
    const events = rows.map((r) => JSON.parse(r.text) as AuditEvent);
    expect(events[0]).toMatchObject({ outcome: { status: 'denied', code: 'invalid-arguments' } });
  });
});
