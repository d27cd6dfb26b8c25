import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentAdmin, loadConfig, type RunningServer, runCli, startServer } from '@gatehouse/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../packages/server/src/testing/cli.js';
import { refuseAuditWrites } from '../../packages/server/src/testing/dialects.js';
import { clientCredentialsToken } from './tokens.js';

/**
 * The audit log end to end: every call through the decision API is recorded
 * before it may run, people with the auditor role query it and replay
 * sessions, and the CLI verifies it, in the store and from an export.
 */

const dir = mkdtempSync(join(tmpdir(), 'gh-audit-e2e-'));
let server: RunningServer;
let otlp: Server;
const otlpBodies: string[] = [];
let spanArrived: () => void;
const spanSeen = new Promise<void>((resolve) => {
  spanArrived = resolve;
});
let agentToken: string;
let financeCredentials: { id: string; secret: string };
const people: Record<string, string> = {};

beforeAll(async () => {
  otlp = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      otlpBodies.push(body);
      if (body.includes('execute_tool payments.transfer')) spanArrived();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => otlp.listen(0, '127.0.0.1', r));
  // The quickstart, with a secret-named argument its closed transfer schema lists, so that the
  // audit's redaction of secret-named keys can be seen.
  const quickstart = readFileSync(new URL('../../examples/quickstart/policy.yaml', import.meta.url), 'utf8');
  const withApiKey = quickstart.replace(
    'properties: { amount: { type: number, exclusiveMinimum: 0 }, to: { type: string } }',
    'properties: { amount: { type: number, exclusiveMinimum: 0 }, to: { type: string }, api_key: { type: string } }',
  );
  expect(withApiKey).not.toBe(quickstart);
  writeFileSync(join(dir, 'policy.yaml'), withApiKey);
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      'server: { port: 0 }',
      'audit:',
      '  checkpoints: { every: 5, interval: 1h, file: ./.gatehouse/checkpoints.jsonl }',
      `  otlp: { url: "http://127.0.0.1:${(otlp.address() as AddressInfo).port}/v1/traces" }`,
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {}, watch: false });
  const admin = new AgentAdmin(server.store);
  people.auditor = (await admin.createUser('audrey@example.com', ['auditor'])).token;
  people.approver = (await admin.createUser('carol@example.com', ['approver'])).token;
  const { agent, clientSecret } = await admin.rotateSecret('finance-agent', { graceMs: 0 });
  financeCredentials = { id: agent.id, secret: clientSecret };
  await server.identity.cache.refresh();
  agentToken = await clientCredentialsToken(server.url, agent.id, clientSecret);

  // A session: a transfer that runs and reports its output, one that waits for people, one refused.
  const evaluate = (args: Record<string, unknown>, session: string) =>
    post('/access/v1/evaluation', agentToken, {
      action: { name: 'tools/call' },
      resource: { type: 'tool', id: 'payments.transfer' },
      context: {
        args,
        session_id: session,
        reasoning: 'pay the invoice',
        user_input: `Pay ${String(args.to)}`,
      },
    });
  const ran = await evaluate({ amount: 500, to: 'ACME', api_key: 'sk-live-secret' }, 'run-1');
  await post(`/v1/decisions/${ran.body.context.decision_id}/outcome`, agentToken, {
    output: { receipt: 'r-1', password: 'hunter2' },
  });
  await evaluate({ amount: 1500, to: 'ACME' }, 'run-1');
  await evaluate({ amount: 'a lot', to: 'ACME' }, 'run-1');
  await evaluate({ amount: 20, to: 'OTHER' }, 'run-2');
});

afterAll(async () => {
  await server?.close();
  await new Promise((r) => otlp?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, token: string, body: unknown) {
  const response = await fetch(`${server.listenUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { decision: boolean; context: { decision_id: string; code: string } },
  };
}

async function get(path: string, token?: string) {
  const response = await fetch(`${server.listenUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

type Event = {
  seq: number;
  type: string;
  outcome: { status: string; code?: string };
  what: { tool?: string; args?: Record<string, unknown>; output?: unknown };
  session_id?: string;
};

const cli = (argv: string[]) => runCliCaptured(argv, dir);

describe('querying the audit log', () => {
  it('records every call with who, what and why, redacting secrets, for people with the auditor role', async () => {
    const { status, body } = await get('/v1/audit/events?session=run-1&order=asc', people.auditor);
    expect(status).toBe(200);
    const events = body.events as Event[];
    expect(events.map((e) => `${e.type}:${e.outcome.status}`)).toEqual([
      'decision:allowed',
      'execution:succeeded',
      'decision:escalated',
      'approval:escalated',
      'decision:denied',
    ]);
    expect(events[0]).toMatchObject({
      who: { agent: { name: 'finance-agent' } },
      what: { tool: 'payments.transfer', args: { amount: 500, to: 'ACME', api_key: '[redacted]' } },
      why: { reasoning: 'pay the invoice' },
      where: { door: 'decision-api' },
    });
    expect(events[1]!.what.output).toEqual({ receipt: 'r-1', password: '[redacted]' });
    expect(events[4]!.outcome.code).toBe('invalid-arguments');
    expect(JSON.stringify(body)).not.toContain('sk-live-secret');
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('filters and pages with a cursor', async () => {
    const first = await get('/v1/audit/events?agent=finance-agent&limit=2', people.auditor);
    const page1 = first.body.events as Event[];
    expect(page1).toHaveLength(2);
    expect(page1[0]!.seq).toBeGreaterThan(page1[1]!.seq);
    const second = await get(
      `/v1/audit/events?agent=finance-agent&limit=2&cursor=${first.body.next_cursor}`,
      people.auditor,
    );
    const page2 = second.body.events as Event[];
    expect(page2[0]!.seq).toBeLessThan(page1[1]!.seq);
    const denied = (await get('/v1/audit/events?outcome=denied', people.auditor)).body.events as Event[];
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((e) => e.outcome.status === 'denied')).toBe(true);
    const tokens = (await get('/v1/audit/events?type=token&since=1h', people.auditor)).body.events as Event[];
    expect(tokens.map((e) => e.outcome.status)).toContain('succeeded');
    expect((await get('/v1/audit/events?agent=nobody', people.auditor)).body).toEqual({ events: [] });
  });

  it("carries the caller's W3C trace id into the event", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${server.listenUrl}/access/v1/evaluation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${agentToken}`,
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({
        resource: { type: 'tool', id: 'payments.transfer' },
        context: { args: { amount: 3, to: 'ACME' }, session_id: 'traced', user_input: 'Pay ACME' },
      }),
    });
    expect(response.status).toBe(200);
    const { context } = (await response.json()) as { context: { decision_id: string } };
    const reported = await fetch(`${server.listenUrl}/v1/decisions/${context.decision_id}/outcome`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${agentToken}`,
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
      },
      body: JSON.stringify({ output: { ok: true } }),
    });
    expect(reported.status).toBe(200);
    const events = (await get('/v1/audit/events?session=traced&order=asc', people.auditor)).body.events as {
      type: string;
      trace_id?: string;
    }[];
    expect(events.map((e) => [e.type, e.trace_id])).toEqual([
      ['decision', traceId],
      ['execution', traceId],
    ]);
  });

  it('answers any query string with 200 or 400, never a server error (fuzz)', async () => {
    const keys = [
      'agent',
      'session',
      'tool',
      'outcome',
      'type',
      'since',
      'until',
      'limit',
      'cursor',
      'order',
      'x',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...keys), fc.string({ maxLength: 30 }), { maxKeys: 4 }),
        async (query) => {
          const { status } = await get(`/v1/audit/events?${new URLSearchParams(query)}`, people.auditor);
          expect([200, 400]).toContain(status);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses bad filters with 400 and the wrong people with 401/403', async () => {
    expect((await get('/v1/audit/events?outcome=maybe', people.auditor)).status).toBe(400);
    expect((await get('/v1/audit/events?since=yesterday', people.auditor)).status).toBe(400);
    expect((await get('/v1/audit/events?cursor=-1', people.auditor)).status).toBe(400);
    expect((await get('/v1/audit/events?session=a%00b', people.auditor)).status).toBe(400);
    expect((await get('/v1/sessions/a%00b', people.auditor)).status).toBe(400);
    expect((await get('/v1/audit/events?colour=red', people.auditor)).status).toBe(200);
    expect((await get('/v1/audit/events')).status).toBe(401);
    expect((await get('/v1/audit/events', agentToken)).status).toBe(401);
    expect((await get('/v1/audit/events', people.approver)).status).toBe(403);
    expect((await get('/v1/sessions/run-1', people.approver)).status).toBe(403);
  });

  it('replays a session call by call, over HTTP and in the CLI', async () => {
    const { status, body } = await get('/v1/sessions/run-1', people.auditor);
    expect(status).toBe(200);
    const calls = body.calls as {
      tool: string;
      decision: { status: string };
      outcome?: { status: string };
    }[];
    expect(calls.map((c) => [c.decision.status, c.outcome?.status])).toEqual([
      ['allowed', 'succeeded'],
      ['escalated', undefined],
      ['denied', undefined],
    ]);
    expect((await get('/v1/sessions/no-such-run', people.auditor)).status).toBe(404);
    const replay = await cli(['sessions', 'replay', 'run-1']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('session run-1 — finance-agent');
    expect(replay.stdout).toMatch(/1\. .* payments\.transfer .*"api_key":"\[redacted\]"/);
    expect(replay.stdout).toContain('approval.opened');
    expect((await cli(['sessions', 'replay', 'nope'])).code).toBe(1);
  });

  it('follows new events as they are committed, until stopped', async () => {
    let stop: () => void = () => undefined;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let out = '';
    let seen: () => void = () => undefined;
    const followed = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const tailing = runCli(['audit', 'tail', '-n', '1', '--follow', '--json'], {
      stdout: (t) => {
        out += t;
        if (out.includes('follow-me')) seen();
      },
      stderr: () => undefined,
      cwd: dir,
      env: {},
      stopSignal,
    });
    await post('/access/v1/evaluation', agentToken, {
      resource: { type: 'tool', id: 'payments.transfer' },
      context: { args: { amount: 4, to: 'follow-me' }, user_input: 'Pay follow-me' },
    });
    await followed;
    stop();
    expect(await tailing).toBe(0);
  });

  it('tails and searches from the CLI', async () => {
    const tail = await cli(['audit', 'tail', '-n', '3']);
    expect(tail.code).toBe(0);
    const [header, ...lines] = tail.stdout.trim().split('\n');
    expect(header).toMatch(/^\s*SEQ\s+TIME\s+TYPE\s+OUTCOME\s+WHO\s+WHAT$/);
    expect(lines).toHaveLength(3);
    const search = await cli(['audit', 'search', '--session', 'run-2', '--json']);
    expect(JSON.parse(search.stdout)).toMatchObject([
      { what: { tool: 'payments.transfer' }, session_id: 'run-2' },
    ]);
    expect((await cli(['audit', 'search', '--outcome', 'sideways'])).code).toBe(2);
  });
});

describe('proving it', () => {
  it('verifies the store, and an export with the public key alone; an edited export fails', async () => {
    await server.checkpointer.cut();
    const verified = await cli(['audit', 'verify', '--json']);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      ok: true,
      events: expect.any(Number),
      checkpoints: expect.any(Number),
    });
    expect(JSON.parse(verified.stdout).checkpoints).toBeGreaterThan(0);

    const key = await cli(['audit', 'key']);
    writeFileSync(join(dir, 'audit-key.json'), key.stdout);
    expect(key.stdout).not.toContain('"d"');
    expect((await cli(['audit', 'export', '--out', 'export.jsonl'])).code).toBe(0);
    const exported = await cli([
      'audit',
      'verify',
      '--file',
      'export.jsonl',
      '--public-key',
      'audit-key.json',
    ]);
    expect(exported.stdout).toMatch(/^ok: \d+ events/);
    expect(exported.code).toBe(0);

    const text = readFileSync(join(dir, 'export.jsonl'), 'utf8');
    writeFileSync(join(dir, 'edited.jsonl'), text.replace('"amount":1500', '"amount":150'));
    const edited = await cli(['audit', 'verify', '--file', 'edited.jsonl', '--public-key', 'audit-key.json']);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/BROKEN at \d+: edited/);
    expect((await cli(['audit', 'verify', '--file', 'export.jsonl'])).code).toBe(2);
    expect(
      (await cli(['audit', 'verify', '--file', 'missing.jsonl', '--public-key', 'audit-key.json'])).code,
    ).toBe(2);
    writeFileSync(
      join(dir, 'private.json'),
      JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'AA', d: 'AA' }),
    );
    const privateKey = await cli([
      'audit',
      'verify',
      '--file',
      'export.jsonl',
      '--public-key',
      'private.json',
    ]);
    expect(privateKey).toMatchObject({ code: 2, stderr: expect.stringContaining('public key was expected') });
  });

  it('exports a stretch of the chain by time, which verifies as a partial export', async () => {
    const events = (await get('/v1/audit/events?order=asc&limit=10', people.auditor)).body.events as {
      seq: number;
      time: string;
    }[];
    const from = events[5]!;
    expect((await cli(['audit', 'export', '--since', from.time, '--out', 'partial.jsonl'])).code).toBe(0);
    const lines = readFileSync(join(dir, 'partial.jsonl'), 'utf8').trim().split('\n');
    const seqs = lines.map((l) => JSON.parse(l) as { seq?: number }).filter((e) => e.seq !== undefined);
    expect(seqs[0]!.seq).toBeLessThanOrEqual(from.seq);
    const args = ['audit', 'verify', '--file', 'partial.jsonl', '--public-key', 'audit-key.json'];
    expect((await cli([...args, '--partial'])).code).toBe(0);
    expect((await cli(args)).code).toBe(1);
    expect((await cli(['audit', 'verify', '--partial'])).code).toBe(2);
  });

  it('exports OCSF and OpenTelemetry GenAI spans', async () => {
    const ocsf = await cli(['audit', 'export', '--format', 'ocsf']);
    const records = ocsf.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const call = records.find(
      (r) => (r.api as { operation?: string }).operation === 'tools/call payments.transfer',
    );
    expect(call).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      type_uid: 600399,
      status_id: 1,
      actor: { user: { name: 'finance-agent' } },
    });
    expect(records.find((r) => r.class_uid === 3002)).toMatchObject({ activity_id: 1, status: 'Success' });

    const otel = await cli(['audit', 'export', '--format', 'otel']);
    const request = JSON.parse(otel.stdout.trim().split('\n')[0]!) as {
      resourceSpans: {
        scopeSpans: {
          spans: { name: string; attributes: { key: string; value: { stringValue?: string } }[] }[];
        }[];
      }[];
    };
    const spans = request.resourceSpans[0]!.scopeSpans[0]!.spans;
    const span = spans.find((s) => s.name === 'execute_tool payments.transfer')!;
    const attribute = (k: string) => span.attributes.find((a) => a.key === k)?.value.stringValue;
    expect(attribute('gen_ai.operation.name')).toBe('execute_tool');
    expect(attribute('gen_ai.tool.name')).toBe('payments.transfer');
    expect(attribute('gen_ai.agent.name')).toBe('finance-agent');
  });

  it('sends the same spans live over OTLP/HTTP', async () => {
    await spanSeen;
    expect(otlpBodies.join('')).toContain('gen_ai.tool.name');
  });
});

describe('when the audit log cannot be written', () => {
  it('denies the call instead of letting it run unaudited', async () => {
    await refuseAuditWrites({ sqlite: join(dir, '.gatehouse', 'gatehouse.db') });
    const refused = await post('/access/v1/evaluation', agentToken, {
      action: { name: 'tools/call' },
      resource: { type: 'tool', id: 'payments.transfer' },
      context: { args: { amount: 5, to: 'ACME' } },
    });
    expect(refused.body).toMatchObject({ decision: false, context: { code: 'audit-unavailable' } });
    expect(JSON.stringify(refused.body)).not.toMatch(/sqlite|\/tmp\//);
    // No token leaves unrecorded either.
    await expect(
      clientCredentialsToken(server.url, financeCredentials.id, financeCredentials.secret),
    ).rejects.toThrow(/token endpoint answered 5\d\d/);
  });
});
