import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { afterAll, describe, expect, it } from 'vitest';

/** Quota rules through the decision API: counts in memory, and in Redis shared by two replicas. */

const POLICY = `version: 1
tools:
  notes.read: { categories: [read] }
  notes.write: { categories: [write] }
rules:
  - id: notes-write-cap
    message: at most 2 note writes an hour
    match: { tools: [notes.write] }
    effect: deny
    quota: { max: 2, per: 1h }
`;

const dirs: string[] = [];
const servers: RunningServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function configIn(extra: string, publicUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gh-quota-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    `policy: ./policy.yaml\nserver: { port: 0, publicUrl: ${publicUrl} }\n${extra}`,
  );
  return loadConfig(join(dir, 'gatehouse.yaml'));
}

/** A new agent per run (counts in Redis outlive the test), and a token for it every replica accepts. */
async function agentToken(server: RunningServer, replicas: readonly RunningServer[], audience: string) {
  const created = await new AgentAdmin(server.store).createAgent({
    name: `writer-${randomUUID().slice(0, 8)}`,
    owner: 'o@example.com',
    grants: ['notes.*'],
  });
  await Promise.all(replicas.map((r) => r.identity.cache.refresh()));
  const { token } = await server.identity.issuer.issue({
    clientId: created.clientId,
    subject: created.clientId,
    scopes: ['notes.*'],
    audience,
  });
  return token;
}

async function evaluate(server: RunningServer, token: string, tool: string) {
  const response = await fetch(`${server.listenUrl}/access/v1/evaluation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      action: { name: 'tools/call' },
      resource: { type: 'tool', id: tool },
      context: { args: {} },
    }),
  });
  return (await response.json()) as { decision: boolean; context: { code?: string; reasons?: string[] } };
}

/** Two replicas sharing counts through Redis, and a new agent's token both accept. */
async function twoReplicas() {
  const publicUrl = `http://gatehouse-${randomUUID().slice(0, 8)}.test`;
  const config = await configIn('rateLimits:\n  redis: redis://127.0.0.1:6379\n', publicUrl);
  const a = await startServer(config, { env: {}, watch: false });
  servers.push(a);
  const b = await startServer(config, { env: {}, watch: false });
  servers.push(b);
  const token = await agentToken(a, [a, b], publicUrl);
  return { a, b, token };
}

describe('quota rules through the decision API', () => {
  it('allows an agent up to its quota, then denies; other tools and other agents are not counted', async () => {
    const publicUrl = `http://gatehouse-${randomUUID().slice(0, 8)}.test`;
    const server = await startServer(await configIn('', publicUrl), { env: {}, watch: false });
    servers.push(server);
    const token = await agentToken(server, [server], publicUrl);
    expect((await evaluate(server, token, 'notes.write')).decision).toBe(true);
    expect((await evaluate(server, token, 'notes.read')).decision).toBe(true);
    expect((await evaluate(server, token, 'notes.write')).decision).toBe(true);
    const third = await evaluate(server, token, 'notes.write');
    expect(third.decision).toBe(false);
    expect(third.context.reasons?.join(' ')).toContain('2 of at most 2 per 1h already made');
    expect((await evaluate(server, token, 'notes.read')).decision).toBe(true);
    const other = await agentToken(server, [server], publicUrl);
    expect((await evaluate(server, other, 'notes.write')).decision).toBe(true);
  });

  it('shares the counts across replicas through Redis', async () => {
    const { a, b, token } = await twoReplicas();
    expect((await evaluate(a, token, 'notes.write')).decision).toBe(true);
    expect((await evaluate(b, token, 'notes.write')).decision).toBe(true);
    expect((await evaluate(a, token, 'notes.write')).decision).toBe(false);
    expect((await evaluate(b, token, 'notes.write')).decision).toBe(false);
  });

  it('lets only the quota through a burst raced across two replicas', async () => {
    const { a, b, token } = await twoReplicas();
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => evaluate(i % 2 === 0 ? a : b, token, 'notes.write')),
    );
    expect(burst.filter((r) => r.decision)).toHaveLength(2);
    // The refused ten gave their places back: the count stays at the two that were let through.
    expect((await evaluate(a, token, 'notes.write')).context.reasons?.join(' ')).toContain(
      '2 of at most 2 per 1h already made',
    );
  });
});
