import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEvent, parseEmailAddress } from '@gatehouse/core';
import { AgentAdmin, loadConfig, type RunningServer, startServer } from '@gatehouse/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTokenForm } from '../e2e/tokens.js';
import { everythingStdioUpstream } from '../support/mcp-peers.js';

/**
 * The outside review's fuzzing, kept in the repo (issue 14): the token
 * endpoint, the decision API, the MCP endpoint and JWT mutations, against a
 * real server with the quickstart policy. Invariants: no 5xx, no refusal
 * missing from the audit, no grant the policy does not give.
 *
 * `npm test` runs a small budget; `npm run fuzz` (GATEHOUSE_FUZZ=long) a long one.
 */

const LONG = process.env.GATEHOUSE_FUZZ === 'long';
const budget = (small: number, long: number) => ({
  numRuns: LONG ? long : small,
  interruptAfterTimeLimit: LONG ? 10 * 60_000 : 8_000,
  // A run cut short by the time limit is a pass over the inputs it tried, not a failure.
  markInterruptAsFailure: false,
});

const QUICKSTART = new URL('../../examples/quickstart/policy.yaml', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gh-fuzz-'));
let server: RunningServer;
const secrets = new Map<string, { id: string; secret: string }>();
const tokens = new Map<string, string>();
const refusedDecisionIds: string[] = [];

beforeAll(async () => {
  copyFileSync(QUICKSTART, join(dir, 'policy.yaml'));
  writeFileSync(
    join(dir, 'gatehouse.yaml'),
    [
      'policy: ./policy.yaml',
      'server: { host: 127.0.0.1, port: 0 }',
      'storage: { sqlite: ./state/gatehouse.db }',
      // The fuzzers send thousands of requests from one agent: the rate limits are not under test.
      'rateLimits: { perAgent: { requests: 1000000, per: 1m }, perAgentTool: { requests: 1000000, per: 1m } }',
      'upstreams:',
      ...everythingStdioUpstream({ echo: '{ categories: [read] }', 'get-sum': '{ categories: [read] }' }),
      '',
    ].join('\n'),
  );
  server = await startServer(await loadConfig(join(dir, 'gatehouse.yaml')), { env: {}, watch: false });
  const admin = new AgentAdmin(server.store);
  for (const name of ['email-assistant', 'ops-agent']) {
    const { agent, clientSecret } = await admin.rotateSecret(name, { graceMs: 0 });
    secrets.set(name, { id: agent.id, secret: clientSecret });
  }
  const relay = await admin.createAgent({
    name: 'relay-agent',
    owner: 'alice@example.com',
    grants: ['everything.echo'],
  });
  secrets.set('relay-agent', { id: relay.clientId, secret: relay.clientSecret! });
  await server.identity.cache.refresh();
  for (const [name, { id, secret }] of secrets) {
    const response = await postForm('grant_type=client_credentials', basic(id, secret));
    tokens.set(name, ((await response.json()) as { access_token: string }).access_token);
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Percent-encodes every byte of the UTF-8 form (a lone surrogate becomes U+FFFD's bytes). */
const percent = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${percent(id)}:${percent(secret)}`).toString('base64')}`;

const postForm = (body: string, authorization?: string) => postTokenForm(server.url, body, authorization);

async function evaluateRaw(token: string, body: string) {
  const response = await fetch(`${server.listenUrl}/access/v1/evaluation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

/** A string with what breaks parsers: lone surrogates, NULs, invisible and full-width characters. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '\udfff',
    '\ud800x',
    '\u0000',
    '\u200b',
    'ｇｈｐ',
    '%00',
    '"q"@evil.test',
    'x%evil.test@example.com',
  ),
);

/** A mutation of a secret: one flipped, dropped or added character, or padding. */
const mutatedSecret = (secret: string) =>
  fc.oneof(
    fc
      .nat({ max: secret.length - 1 })
      .chain((i) =>
        fc.string({ minLength: 1, maxLength: 1 }).map((c) => secret.slice(0, i) + c + secret.slice(i + 1)),
      ),
    fc.nat({ max: secret.length - 1 }).map((i) => secret.slice(0, i) + secret.slice(i + 1)),
    fc.constantFrom('\u0000', '\u0000\u0000', ' ', '\n', 'A', '%00').map((pad) => secret + pad),
    fc.constant(secret.toUpperCase()),
  );

describe('the token endpoint', () => {
  it('grants a token only for the exact secret, and never answers 5xx', async () => {
    const { id, secret } = secrets.get('email-assistant')!;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutatedSecret(secret), nastyString, fc.constant(secret)),
        fc.constantFrom('basic', 'post'),
        fc.constantFrom(
          'client_credentials',
          'password',
          '',
          'urn:ietf:params:oauth:grant-type:token-exchange',
        ),
        async (presented, how, grant) => {
          const body = `grant_type=${encodeURIComponent(grant)}`;
          const response =
            how === 'basic'
              ? await postForm(body, basic(id, presented))
              : await postForm(`${body}&client_id=${percent(id)}&client_secret=${percent(presented)}`);
          expect(response.status).toBeLessThan(500);
          if (response.status === 200) {
            expect(presented).toBe(secret);
            expect(grant).toBe('client_credentials');
          }
        },
      ),
      budget(120, 20_000),
    );
  });
});

describe('the decision API', () => {
  const tools = [
    'email.list',
    'email.read',
    'email.send',
    'email.delete',
    'payments.transfer',
    'orders_db.query',
    'x.y',
  ];
  const argsArb = fc.dictionary(
    fc.constantFrom('to', 'subject', 'body', 'bcc', 'To', 'amount', 'sql', 'id'),
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(
        fc.oneof(nastyString, fc.constantFrom('bob@example.com', 'x@evil.test', 'Bob <bob@example.com>')),
        {
          maxLength: 3,
        },
      ),
      nastyString,
    ),
    { maxKeys: 5 },
  );

  it('answers every body with a 4xx or a decision, records every refusal, and grants only what the policy allows', async () => {
    const token = tokens.get('email-assistant')!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...tools),
        argsArb,
        fc.option(nastyString, { nil: undefined }),
        fc.constantFrom('as-is', 'duplicate-key', 'lone-surrogate', 'overflow', 'truncated'),
        async (tool, args, sessionId, twist) => {
          let body = JSON.stringify({
            action: { name: 'tools/call' },
            resource: { type: 'tool', id: tool },
            context: { args, ...(sessionId !== undefined && { session_id: sessionId }) },
          });
          if (twist === 'duplicate-key') body = body.replace('"args":{', '"args":{"to":["x@evil.test"],');
          if (twist === 'lone-surrogate') body = body.replace('"tools/call"', '"tools/call","x":"\\udfff"');
          if (twist === 'overflow') body = body.replace('"args":{', '"args":{"amount":1e309,');
          if (twist === 'truncated') body = body.slice(0, Math.max(1, body.length - 3));
          const answer = await evaluateRaw(token, body);
          expect(answer.status).toBeLessThan(500);
          if (answer.status !== 200) return;
          const context = answer.body.context as { decision_id?: string };
          if (answer.body.decision === false && context.decision_id)
            refusedDecisionIds.push(context.decision_id);
          if (answer.body.decision !== true) return;
          // A wrong grant: anything the email assistant's grants and the quickstart do not allow.
          expect(['email.list', 'email.read', 'email.send']).toContain(tool);
          if (tool === 'email.send') {
            const sent = JSON.parse(body).context.args as { to: string[] };
            for (const key of Object.keys(sent)) expect(['to', 'subject', 'body']).toContain(key);
            for (const to of sent.to) {
              const address = parseEmailAddress(to);
              expect(address.domain).toBe('example.com');
              expect(address.routed).toBe(false);
            }
          }
        },
      ),
      budget(150, 50_000),
    );
  });

  it('has every refusal it answered in the audit', async () => {
    const rows = await server.store.queryAudit({
      type: 'decision',
      outcome: 'denied',
      order: 'desc',
      limit: 200_000,
    });
    const recorded = new Set(rows.map((r) => (JSON.parse(r.text) as AuditEvent).decision_id));
    const missing = refusedDecisionIds.filter((id) => !recorded.has(id));
    expect(missing).toEqual([]);
  });
});

describe('JWTs', () => {
  it('accepts no mutation of an access token that changes what it says', async () => {
    const token = tokens.get('ops-agent')!;
    const segments = token.split('.');
    const body = JSON.stringify({
      action: { name: 'tools/call' },
      resource: { type: 'tool', id: 'orders_db.query' },
      context: { args: { sql: 'select 1' } },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // One character of one segment replaced.
          fc
            .tuple(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'AZaz09-_.=+/ '.split('')))
            .map(([i, c]) => token.slice(0, i) + c + token.slice(i + 1)),
          fc.nat({ max: token.length - 1 }).map((i) => token.slice(0, i)),
          fc.constant(
            `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${segments[1]}.`,
          ),
          fc.constant(
            `${segments[0]}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(segments[1]!, 'base64url').toString()), scope: 'orders_db.* payments.*' })).toString('base64url')}.${segments[2]}`,
          ),
          fc.constant(`${segments[1]}.${segments[0]}.${segments[2]}`),
        ),
        async (mutated) => {
          const response = await fetch(`${server.listenUrl}/access/v1/evaluation`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${mutated}` },
            body,
          });
          expect(response.status).toBeLessThan(500);
          if (response.status !== 401 && response.status !== 400) {
            // Accepted: only if it decodes to exactly the issued token (base64url's spare bits aside).
            const decode = (t: string) =>
              t.split('.').map((s) => Buffer.from(s, 'base64url').toString('hex'));
            expect(decode(mutated)).toEqual(decode(token));
          }
        },
      ),
      budget(150, 20_000),
    );
  });
});

describe('the MCP endpoint', () => {
  it('answers any JSON-RPC body with a 4xx or an answer, never 5xx', async () => {
    const token = tokens.get('relay-agent')!;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
          fc
            .record({
              jsonrpc: fc.constantFrom('2.0', '1.0'),
              id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
              method: fc.constantFrom('tools/call', 'tools/list', 'initialize', 'resources/read', 'x'),
              params: fc.jsonValue({ maxDepth: 3 }),
            })
            .map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 80 }),
          fc.constant(
            '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"get-sum"}}',
          ),
        ),
        async (body) => {
          const response = await fetch(`${server.url}/mcp/everything`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              authorization: `Bearer ${token}`,
            },
            body,
          });
          await response.arrayBuffer();
          expect(response.status).toBeLessThan(500);
        },
      ),
      budget(100, 20_000),
    );
  });

  it('runs no tool call the agent was not granted', async () => {
    const client = new Client({ name: 'fuzzer', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp/everything`), {
        requestInit: { headers: { authorization: `Bearer ${tokens.get('relay-agent')}` } },
      }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            'echo',
            'get-sum',
            'Echo',
            'echo ',
            'everything.echo',
            'get-sum\u0000',
            'toggle-logging',
          ),
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
          async (name, args) => {
            await client.callTool({ name, arguments: args }).catch(() => undefined);
          },
        ),
        budget(60, 5_000),
      );
    } finally {
      await client.close();
    }
    const rows = await server.store.queryAudit({ type: 'execution', order: 'desc', limit: 100_000 });
    for (const row of rows) expect((JSON.parse(row.text) as AuditEvent).what.tool).toBe('everything.echo');
  });
});
