import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawDatabase, refuseAuditWrites } from '../../packages/server/src/testing/dialects.js';
import { clientCredentialsToken } from './tokens.js';

/** Issue 14 item 7: /readyz must not say ready while every call is refused for want of an audit log. */

const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gh-harden-ready-'));
const database = { sqlite: join(dir, 'state', 'gatehouse.db') };
let server: RunningServer;
let token: string;

beforeAll(async () => {
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    'policy: ./policy.yaml\nserver: { host: 127.0.0.1, port: 0 }\nstorage: { sqlite: ./state/gatehouse.db }\n',
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {}, watch: false });
  const { agent, clientSecret } = await new AgentAdmin(server.store).rotateSecret('email-assistant', {
    graceMs: 0,
  });
  await server.identity.cache.refresh();
  token = await clientCredentialsToken(server.url, agent.id, clientSecret);
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const readiness = async () => {
  const response = await fetch(`${server.listenUrl}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { status: string; problems?: string[] },
  };
};

describe('/readyz', () => {
  it('is not ready while the audit log cannot be written, and ready again once it can', async () => {
    expect((await readiness()).status).toBe(200);
    await refuseAuditWrites(database);
    const refused = await fetch(`${server.listenUrl}/access/v1/evaluation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ action: { name: 'tools/call' }, resource: { type: 'tool', id: 'email.list' } }),
    });
    expect(await refused.json()).toMatchObject({ decision: false, context: { code: 'audit-unavailable' } });
    const down = await readiness();
    expect(down.status).toBe(503);
    expect(down.body.problems).toContain('the audit log cannot be written; every call is refused');
    // Still down on a second look: readiness's own probe write fails too.
    expect((await readiness()).status).toBe(503);

    const db = await rawDatabase(database);
    await db.exec('drop trigger refuse_audit');
    await db.close();
    expect((await readiness()).status).toBe(200);
    const probe = await server.store.queryAudit({ type: 'admin', order: 'desc', limit: 1 });
    expect(probe[0]?.text).toContain('"action":"audit.writable"');
  });
});
