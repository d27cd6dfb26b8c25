import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Tools registered through the API join the catalog the policy decides with. */

const dir = mkdtempSync(join(tmpdir(), 'gh-catalog-'));
let server: RunningServer;
let adminToken: string;
let approverToken: string;
let agentToken: string;

beforeAll(async () => {
  copyFileSync(new URL('../../examples/quickstart/policy.yaml', import.meta.url), join(dir, 'policy.yaml'));
  writeFileSync(join(dir, 'gatehouse.yaml'), 'policy: ./policy.yaml\nserver: { port: 0 }\n');
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {}, watch: false });
  const admin = new AgentAdmin(server.store);
  adminToken = (await admin.createUser('root@example.com', ['admin'])).token;
  approverToken = (await admin.createUser('carol@example.com', ['approver'])).token;
  const crm = await admin.createAgent({ name: 'crm-agent', owner: 'o@example.com', grants: ['crm.*'] });
  await server.identity.cache.refresh();
  agentToken = (
    await server.identity.issuer.issue({
      clientId: crm.clientId,
      subject: crm.clientId,
      scopes: ['crm.*'],
      audience: server.url,
    })
  ).token;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = async (method: string, path: string, token: string | undefined, body?: unknown, on = server) => {
  const response = await fetch(`${on.listenUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>),
  };
};

const decide = async (tool: string, on = server) =>
  (
    await api(
      'POST',
      '/access/v1/evaluation',
      agentToken,
      { action: { name: 'tools/call' }, resource: { type: 'tool', id: tool }, context: { args: {} } },
      on,
    )
  ).body as {
    decision: boolean;
    context: { code: string };
  };

describe('the tool catalog API', () => {
  it('turns an unknown tool into a catalogued one, with categories from its MCP annotations', async () => {
    expect(await decide('crm.lookup')).toMatchObject({ decision: false, context: { code: 'unknown-tool' } });
    const put = await api('PUT', '/v1/tools/crm.lookup', adminToken, {
      description: 'Find a contact',
      annotations: { readOnlyHint: true, openWorldHint: false },
    });
    expect(put).toMatchObject({ status: 200, body: { name: 'crm.lookup', categories: ['read'] } });
    expect(await decide('crm.lookup')).toMatchObject({ decision: true });

    const bare = await api('PUT', '/v1/tools/crm.purge', adminToken, {});
    expect(bare.body).toMatchObject({ categories: ['delete', 'external_communication'] });
    const listed = await api('GET', '/v1/tools', approverToken);
    expect(listed.body.tools).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'crm.lookup', source: 'api' }),
        expect.objectContaining({ name: 'email.send', source: 'policy' }),
      ]),
    );
  });

  it('refuses a registration that would break the policy, and stores nothing', async () => {
    const clash = await api('PUT', '/v1/tools/email.send', adminToken, { categories: ['read'] });
    expect(clash.status).toBe(409);
    expect(JSON.stringify(clash.body.diagnostics)).toContain("tool 'email.send' is already declared");
    expect((await server.store.listRegisteredTools()).map((t) => t.name)).not.toContain('email.send');
    expect(server.runtime.policy.tools.get('email.send')?.categories).toEqual(['external_communication']);
    const badSchema = await api('PUT', '/v1/tools/crm.bad', adminToken, {
      categories: ['read'],
      schema: { type: 'nonsense' },
    });
    expect(badSchema.status).toBe(409);
  });

  it('refuses a schema of another JSON Schema dialect with 409, and keeps serving', async () => {
    const draft07 = await api('PUT', '/v1/tools/crm.legacy', adminToken, {
      categories: ['read'],
      schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' },
    });
    expect(draft07).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect((await api('GET', '/healthz', undefined)).status).toBe(200);
  });

  it('lets only admins register, and users list', async () => {
    expect((await api('PUT', '/v1/tools/crm.x', undefined, { categories: ['read'] })).status).toBe(401);
    expect((await api('PUT', '/v1/tools/crm.x', approverToken, { categories: ['read'] })).status).toBe(403);
    expect((await api('PUT', '/v1/tools/crm.x', agentToken, { categories: ['read'] })).status).toBe(401);
    expect((await api('PUT', '/v1/tools/crm.x', adminToken, { categories: ['teleport'] })).status).toBe(400);
    expect((await api('GET', '/v1/tools', undefined)).status).toBe(401);
  });

  it('unregisters, after which the tool is unknown again', async () => {
    await api('PUT', '/v1/tools/crm.temp', adminToken, { categories: ['read'] });
    expect((await api('DELETE', '/v1/tools/crm.temp', adminToken)).status).toBe(204);
    expect((await api('DELETE', '/v1/tools/crm.temp', adminToken)).status).toBe(404);
    expect(await decide('crm.temp')).toMatchObject({ decision: false, context: { code: 'unknown-tool' } });
    // Both changes are in the audit log, as the admin who made them.
    const admins = await server.store.queryAudit({ type: 'admin', order: 'desc', limit: 2 });
    expect(
      admins.map((r) => JSON.parse(r.text) as { what: { action: string }; who: { person: string } }),
    ).toMatchObject([
      { what: { action: 'tool.removed' }, who: { person: 'root@example.com' } },
      { what: { action: 'tool.registered' }, who: { person: 'root@example.com' } },
    ]);
  });

  it('lets the policy files win when they come to declare a registered tool', async () => {
    await api('PUT', '/v1/tools/crm.export', adminToken, { annotations: { readOnlyHint: true } });
    expect(server.runtime.policy.tools.get('crm.export')?.categories).toContain('read');
    const file = join(dir, 'policy.yaml');
    const original = readFileSync(file, 'utf8');
    try {
      // The file now declares the tool as an export, with an emergency rule beside it.
      writeFileSync(
        file,
        original
          .replace(/^tools:\n/m, 'tools:\n  crm.export: { categories: [external_communication] }\n')
          .replace(
            /^rules:\n/m,
            'rules:\n  - id: no-exports\n    match: { tools: [crm.export] }\n    effect: deny\n',
          ),
      );
      const warned: string[] = [];
      server.runtime.once('warned', (diagnostics) => warned.push(...diagnostics.map((d) => d.message)));
      await server.runtime.reload();
      expect(server.runtime.policy.tools.get('crm.export')?.categories).toEqual(['external_communication']);
      expect(warned).toContainEqual(
        expect.stringContaining("tool 'crm.export' is now declared in the policy files"),
      );
      expect(server.runtime.policy.rules.map((r) => r.id)).toContain('no-exports');
    } finally {
      writeFileSync(file, original);
      await server.runtime.reload();
    }
  });

  it('reaches a second replica on the same store within a second or two', async () => {
    const replica = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), {
      env: {},
      watch: false,
    });
    try {
      await api('PUT', '/v1/tools/crm.export', adminToken, { categories: ['read'] });
      await expect
        .poll(() => replica.runtime.policy.tools.has('crm.export'), { timeout: 10_000, interval: 50 })
        .toBe(true);
    } finally {
      await replica.close();
    }
  });
});
