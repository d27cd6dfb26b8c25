import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard, isRefusal } from '@gatehouse/sdk';
import {
  AgentAdmin,
  loadConfig,
  type RunningServer,
  SIGNATURE_HEADER,
  signWebhook,
  startServer,
} from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken } from './tokens.js';

/**
 * Human approvals end to end over loopback: the seed's dual authorization
 * for transfers over $1,000, through the decision API and the SDK, with
 * people voting through /v1/approvals and webhooks told.
 */

const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const WEBHOOK_SECRET = 'whsec-test-only';
const dir = mkdtempSync(join(tmpdir(), 'gh-approvals-e2e-'));

/** A webhook receiver on loopback that keeps what it was sent. */
interface Received {
  body: string;
  signature: string | undefined;
}
const received: Received[] = [];
let hook: Server;
let deadPort: number;

let server: RunningServer;
const tokens: Record<string, string> = {};
let financeAgent: string;
let financeAgentId: string;

beforeAll(async () => {
  hook = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  // A port nothing listens on: the "endpoint down" case.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));

  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      'server: { port: 0 }',
      'approvals:',
      '  notify:',
      `    - { url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook", format: json, secret: "\${env:HOOK_SECRET}" }`,
      `    - { url: "http://127.0.0.1:${deadPort}/down", format: slack }`,
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml'), { HOOK_SECRET: WEBHOOK_SECRET }), {
    env: {},
    watch: false,
    webhookBackoffMs: [10, 20],
  });
  const admin = new AgentAdmin(server.store);
  for (const [email, roles] of [
    ['carol@example.com', ['approver']],
    ['dave@example.com', ['approver']],
    ['erin@example.com', ['approver']], // an approver, but not in finance
    ['fiona@example.com', ['approver']], // in no group, and she owns finance-agent
    ['root@example.com', ['admin']],
  ] as const) {
    tokens[email.split('@')[0]!] = (await admin.createUser(email, roles)).token;
  }
  const { agent, clientSecret } = await admin.rotateSecret('finance-agent', { graceMs: 0 });
  financeAgentId = agent.id;
  await server.identity.cache.refresh();
  financeAgent = await clientCredentialsToken(server.url, agent.id, clientSecret);
});

afterAll(async () => {
  await server?.close();
  await new Promise((r) => hook?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: Record<string, unknown> & {
    decision?: boolean;
    context?: { code?: string; reasons?: string[]; approval?: { id?: string; status?: string } };
  };
}

async function api(method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply> {
  const response = await fetch(`${server.listenUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

const transfer = (amount: number, to = 'ACME', context: Record<string, unknown> = {}) =>
  api('POST', '/access/v1/evaluation', financeAgent, {
    action: { name: 'tools/call' },
    resource: { type: 'tool', id: 'payments.transfer' },
    // The user named the payee; the policy's positive provenance rule is satisfied.
    context: { args: { amount, to }, reasoning: `pay invoice to ${to}`, user_input: `Pay ${to}`, ...context },
  });
const vote = (id: string, who: string, how: 'approve' | 'deny', comment?: string) =>
  api('POST', `/v1/approvals/${id}/${how}`, tokens[who], comment === undefined ? {} : { comment });

describe('dual authorization of transfers over $1,000', () => {
  it('runs $500, holds $1,500 for two distinct finance approvers, and spends the approval once', async () => {
    expect((await transfer(500)).body.decision).toBe(true);

    const held = await transfer(1500);
    expect(held.body).toMatchObject({
      decision: false,
      context: {
        code: 'approval-required',
        approval: { status: 'pending', id: expect.stringMatching(/^apr_/) },
      },
    });
    const id = held.body.context!.approval!.id!;
    // The retry finds the same approval instead of opening another.
    expect((await transfer(1500)).body.context?.approval?.id).toBe(id);

    // What an approver sees: the full action, who asks, why, and what is still needed.
    const shown = await api('GET', `/v1/approvals/${id}`, tokens.carol);
    expect(shown.body).toMatchObject({
      id,
      status: 'pending',
      agent: { name: 'finance-agent', owner: 'fiona@example.com' },
      tool: 'payments.transfer',
      args: { amount: 1500, to: 'ACME' },
      reasoning: 'pay invoice to ACME',
      rules: [expect.objectContaining({ id: 'dual-authorization' })],
      requirements: [{ rule: 'dual-authorization', approvers: 2, groups: ['finance'], approved_by: [] }],
      time_left_s: expect.any(Number),
    });

    expect((await vote(id, 'carol', 'approve', 'invoice 42 checked')).body).toMatchObject({
      status: 'pending',
    });
    // One approval is not enough.
    expect((await transfer(1500)).body.context?.code).toBe('approval-required');
    // Not twice by the same person, not by an approver outside finance, not by the agent's owner.
    expect(await vote(id, 'carol', 'approve')).toMatchObject({
      status: 409,
      body: { error: 'already-voted' },
    });
    expect(await vote(id, 'erin', 'approve')).toMatchObject({ status: 403, body: { error: 'not-in-group' } });
    expect(await vote(id, 'fiona', 'approve')).toMatchObject({ status: 403 });
    expect(await vote(id, 'root', 'approve')).toMatchObject({
      status: 403,
      body: { error: 'not-an-approver' },
    });

    expect((await vote(id, 'dave', 'approve')).body).toMatchObject({ status: 'approved' });
    const released = await transfer(1500);
    expect(released.body).toMatchObject({
      decision: true,
      context: { code: 'approved', approval: { id, status: 'used' } },
    });
    expect(released.body.context?.reasons?.[0]).toBe(`released by approval ${id}, now used`);
    expect((await api('GET', `/v1/approvals/${id}`, tokens.carol)).body.status).toBe('used');
    expect(await vote(id, 'erin', 'deny')).toMatchObject({ status: 409, body: { error: 'not-pending' } });

    // The same approval cannot run a second transfer: the next one asks again.
    const second = await transfer(1500);
    expect(second.body.context?.code).toBe('approval-required');
    expect(second.body.context?.approval?.id).not.toBe(id);
    // A $1,500 transfer to a different account needs its own approval.
    const elsewhere = await transfer(1500, 'OTHER-ACCOUNT');
    expect(elsewhere.body.context?.approval?.id).not.toBe(id);
    expect(elsewhere.body.context?.approval?.id).not.toBe(second.body.context?.approval?.id);
  });

  it('denies on one deny vote, and a denied action asked again stays denied', async () => {
    const held = await transfer(4321, 'SHELL-CO');
    const id = held.body.context!.approval!.id!;
    expect((await vote(id, 'dave', 'deny', 'unknown payee')).body).toMatchObject({
      status: 'denied',
      votes: [{ email: 'dave@example.com', vote: 'deny', comment: 'unknown payee' }],
    });
    const again = await transfer(4321, 'SHELL-CO');
    expect(again.body).toMatchObject({ decision: false, context: { code: 'approval-denied' } });
    // The agent learns that it was denied, never who denied it.
    expect(JSON.stringify(again.body)).not.toContain('dave@');
    const own = await api('GET', `/v1/approvals/${id}`, financeAgent);
    expect(own.body).toMatchObject({ status: 'denied' });
    expect(JSON.stringify(own.body)).not.toContain('dave@');
  });

  it('escalates a call the agent flags as uncertain', async () => {
    const held = await transfer(20, 'ACME', { uncertain: true });
    expect(held.body).toMatchObject({
      decision: false,
      context: { code: 'approval-required', approval: { status: 'pending' } },
    });
  });

  it('lists pending approvals for people and refuses bad requests with clear errors', async () => {
    const listed = await api('GET', '/v1/approvals?status=pending', tokens.erin);
    const list = listed.body.approvals as { status: string; tool: string }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((a) => a.status === 'pending')).toBe(true);

    expect((await api('GET', '/v1/approvals', undefined)).status).toBe(401);
    expect((await api('GET', '/v1/approvals/apr_doesnotexist', tokens.carol)).status).toBe(404);
    expect((await vote('apr_doesnotexist', 'carol', 'approve')).status).toBe(404);
    expect((await api('POST', '/v1/approvals/not-an-id/approve', tokens.carol, {})).status).toBe(400);
    expect(
      (await api('POST', '/v1/approvals/apr_x/approve', tokens.carol, { comment: { a: 1 } })).status,
    ).toBe(400);
    expect((await api('GET', '/v1/approvals/apr_x?wait=forever', tokens.carol)).status).toBe(400);
  });

  it('shows an agent its own approval without the approvers, and no one else’s', async () => {
    const id = (await transfer(7777)).body.context!.approval!.id!;
    const own = await api('GET', `/v1/approvals/${id}`, financeAgent);
    expect(own.status).toBe(200);
    expect(own.body).not.toHaveProperty('votes');
    expect(own.body.requirements).toEqual([{ rule: 'dual-authorization', approvers: 2, approvals: 0 }]);
    const admin = new AgentAdmin(server.store);
    const other = await admin.createAgent({ name: 'other', owner: 'o@example.com', grants: ['payments.*'] });
    await server.identity.cache.refresh();
    const otherToken = (
      await server.identity.issuer.issue({
        clientId: other.clientId,
        subject: other.clientId,
        scopes: ['payments.*'],
        audience: server.url,
      })
    ).token;
    expect((await api('GET', `/v1/approvals/${id}`, otherToken)).status).toBe(404);
    expect(financeAgentId).toMatch(/^agt_/);
  });
});

describe('binding to the policy at execution', () => {
  it('honours a policy changed between approval and execution, and keeps the approval unspent', async () => {
    const id = (await transfer(2500, 'FROZEN-PAYEE')).body.context!.approval!.id!;
    await vote(id, 'carol', 'approve');
    await vote(id, 'dave', 'approve');
    const original = readFileSync(join(dir, 'policy.yaml'), 'utf8');
    const frozen = original.replace(
      /^rules:\n/m,
      'rules:\n  - id: freeze-large-payments\n    match: { categories: [financial] }\n    when: args.amount > 2000\n    effect: deny\n',
    );
    expect(frozen).not.toBe(original);
    writeFileSync(join(dir, 'policy.yaml'), frozen);
    try {
      await server.runtime.reload();
      const refused = await transfer(2500, 'FROZEN-PAYEE');
      expect(refused.body).toMatchObject({ decision: false, context: { code: 'rule-deny' } });
      expect((await api('GET', `/v1/approvals/${id}`, tokens.carol)).body.status).toBe('approved');
    } finally {
      writeFileSync(join(dir, 'policy.yaml'), original);
      await server.runtime.reload();
    }
    // Back under the old policy, the approval it still holds runs the call once.
    expect((await transfer(2500, 'FROZEN-PAYEE')).body).toMatchObject({
      decision: true,
      context: { approval: { id, status: 'used' } },
    });
  });
});

describe('the SDK waits for a person', () => {
  it('holds a call until two approvers release it, then runs it once', async () => {
    const guard = createGuard({ server: server.listenUrl, token: financeAgent, approvalWaitMs: 20_000 });
    let transfers = 0;
    const pay = guard.wrap('payments.transfer', async (_args: { amount: number; to: string }) => {
      transfers++;
      return { ok: true };
    });
    guard.userInput('Pay 2500 to SDK-PAYEE');
    const running = pay({ amount: 2500, to: 'SDK-PAYEE' });
    // Find the approval the guard is waiting on and release it.
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      const list = (await api('GET', '/v1/approvals?status=pending', tokens.carol)).body.approvals as {
        id: string;
        args: { to: string };
      }[];
      id = list.find((a) => a.args.to === 'SDK-PAYEE')?.id;
      if (!id) await new Promise((r) => setTimeout(r, 20));
    }
    expect(id).toBeDefined();
    await vote(id!, 'carol', 'approve');
    await vote(id!, 'dave', 'approve');
    expect(await running).toEqual({ ok: true });
    expect(transfers).toBe(1);
  });

  it('returns "pending" with the approval id when nobody decides in time', async () => {
    const guard = createGuard({ server: server.listenUrl, token: financeAgent, approvalWaitMs: 200 });
    const result = await guard.run('payments.transfer', { amount: 9999, to: 'LATER' }, () => 'ran');
    expect(isRefusal(result) && result).toMatchObject({
      gatehouse: 'approval-required',
      approval_id: expect.stringMatching(/^apr_/),
    });
  });
});

describe('webhooks', () => {
  it('signs each notification, and a dead endpoint is retried, given up and never blocks the approval', async () => {
    const warnings: unknown[] = [];
    const originalWarn = server.app.log.warn.bind(server.app.log);
    server.app.log.warn = ((obj: unknown, ...rest: unknown[]) => {
      warnings.push(obj);
      return (originalWarn as (...a: unknown[]) => void)(obj, ...rest);
    }) as typeof server.app.log.warn;
    received.length = 0;
    const id = (await transfer(3333, 'HOOKED')).body.context!.approval!.id!;
    await vote(id, 'carol', 'approve');
    await vote(id, 'dave', 'approve');
    await server.notifier!.drain();

    const events = received.map((r) => JSON.parse(r.body) as { event: string; approval: { id: string } });
    expect(events.filter((e) => e.approval.id === id).map((e) => e.event)).toEqual([
      'approval.created',
      'approval.decided',
    ]);
    for (const r of received) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature ?? '') ?? [];
      expect(v1).toBe(signWebhook(WEBHOOK_SECRET, Number(t), r.body));
    }
    // The dead endpoint: three attempts, then a warning that names it without its path.
    const gaveUp = warnings.filter(
      (w) => (w as { webhook?: { approvalId: string } }).webhook?.approvalId === id,
    ) as { webhook: { url: string; attempts: number } }[];
    expect(gaveUp).toHaveLength(2);
    expect(gaveUp[0]!.webhook).toMatchObject({ url: `http://127.0.0.1:${deadPort}/…`, attempts: 3 });
    // The approval went through regardless.
    expect((await api('GET', `/v1/approvals/${id}`, tokens.carol)).body.status).toBe('approved');
    server.app.log.warn = originalWarn;
  });
});
